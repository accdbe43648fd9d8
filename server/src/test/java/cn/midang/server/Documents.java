package cn.midang.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.poi.hslf.usermodel.HSLFSlideShow;
import org.apache.poi.hslf.usermodel.HSLFTextBox;
import org.apache.poi.hssf.usermodel.HSSFWorkbook;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.xslf.usermodel.XMLSlideShow;
import org.apache.poi.xslf.usermodel.XSLFTextBox;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.poi.xwpf.usermodel.XWPFDocument;

/**
 * Real documents with Chinese text, made at test time: Office formats by Apache POI (.doc written
 * into Tika's sample test.doc, since HWPF cannot start one from nothing), the others
 * (OpenDocument, RTF, HTML, a PDF with a CID font and a ToUnicode map, GBK/GB18030 text) written
 * to their published formats by hand. Also hostile ones (a PDF whose page tree loops).
 */
public final class Documents {

    private Documents() {}

    /** The formats {@link #make} writes, by file name extension. */
    public static final List<String> FORMATS = List.of("doc", "docx", "xlsx", "xls", "pptx", "ppt", "odt", "ods", "rtf", "html", "pdf",
            "gbk.txt", "gb18030.txt");

    /** A document of format {@code ext} (one of {@link #FORMATS}) whose text is {@code text}. */
    public static byte[] make(String ext, String text) {
        try {
            return switch (ext) {
                case "doc" -> doc(text);
                case "docx" -> docx(text);
                case "xlsx" -> sheet(new XSSFWorkbook(), text);
                case "xls" -> sheet(new HSSFWorkbook(), text);
                case "pptx" -> pptx(text);
                case "ppt" -> ppt(text);
                case "odt" -> odf("text", "<office:text><text:p>" + text + "</text:p></office:text>");
                case "ods" -> odf("spreadsheet", "<office:spreadsheet><table:table table:name=\"检查项\"><table:table-row>"
                        + "<table:table-cell office:value-type=\"string\"><text:p>" + text + "</text:p></table:table-cell>"
                        + "</table:table-row></table:table></office:spreadsheet>");
                case "rtf" -> rtf(text);
                case "html" -> ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>通报</title></head><body><p>" + text
                        + "</p></body></html>").getBytes(StandardCharsets.UTF_8);
                case "pdf" -> pdf(text);
                case "gbk.txt" -> text.getBytes(Charset.forName("GBK"));
                case "gb18030.txt" -> text.getBytes(Charset.forName("GB18030"));
                default -> throw new IllegalArgumentException(ext);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A Word 97 document: POI HWPF cannot make one from nothing, so {@code text} is written as the
     * first paragraph of Tika's published sample {@code test.doc} (its own text, "test", follows),
     * unpacked from Tika's test jar by the build (server/pom.xml).
     */
    static byte[] doc(String text) throws IOException {
        try (java.io.InputStream in = Documents.class.getResourceAsStream("samples/test-documents/test.doc")) {
            if (in == null) {
                throw new IOException("samples/test-documents/test.doc is missing: the build unpacks it (mvn generate-test-resources)");
            }
            org.apache.poi.hwpf.HWPFDocument d = new org.apache.poi.hwpf.HWPFDocument(in);
            d.getRange().getParagraph(0).insertBefore(text);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            d.write(out);
            return out.toByteArray();
        }
    }

    static byte[] docx(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (XWPFDocument d = new XWPFDocument()) {
            d.createParagraph().createRun().setText(text);
            d.write(out);
        }
        return out.toByteArray();
    }

    static byte[] sheet(Workbook b, String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (b) {
            Row row = b.createSheet("检查项").createRow(0);
            row.createCell(0).setCellValue("检查结果");
            row.createCell(1).setCellValue(text);
            b.write(out);
        }
        return out.toByteArray();
    }

    /**
     * A spreadsheet as offices print them: a header and a footer of Excel's codes (font, size, the
     * sheet's name, page numbers) around a row of text.
     */
    public static byte[] sheetWithHeaderAndFooter(Workbook b, String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (b) {
            var sheet = b.createSheet("检查项");
            sheet.getHeader().setCenter("&\"宋体,Bold\"&12&A");
            sheet.getHeader().setRight("玉溪市&D");
            sheet.getFooter().setCenter("Page &P of &N");
            Row row = sheet.createRow(0);
            row.createCell(0).setCellValue("检查结果");
            row.createCell(1).setCellValue(text);
            b.write(out);
        }
        return out.toByteArray();
    }

    static byte[] pptx(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (XMLSlideShow s = new XMLSlideShow()) {
            XSLFTextBox box = s.createSlide().createTextBox();
            box.setAnchor(new java.awt.Rectangle(50, 50, 600, 100));
            box.setText(text);
            s.write(out);
        }
        return out.toByteArray();
    }

    static byte[] ppt(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (HSLFSlideShow s = new HSLFSlideShow()) {
            var slide = s.createSlide();
            HSLFTextBox box = new HSLFTextBox();
            box.setAnchor(new java.awt.Rectangle(50, 50, 600, 100));
            box.setText(text);
            slide.addShape(box);
            s.write(out);
        }
        return out.toByteArray();
    }

    /** OpenDocument ({@code kind} text or spreadsheet): the mimetype entry first and stored, then the manifest and content. */
    static byte[] odf(String kind, String body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            byte[] mime = ("application/vnd.oasis.opendocument." + kind).getBytes(StandardCharsets.US_ASCII);
            ZipEntry m = new ZipEntry("mimetype");
            m.setMethod(ZipEntry.STORED);
            m.setSize(mime.length);
            CRC32 crc = new CRC32();
            crc.update(mime);
            m.setCrc(crc.getValue());
            z.putNextEntry(m);
            z.write(mime);
            z.closeEntry();
            put(z, "META-INF/manifest.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest xmlns:manifest="
                    + "\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\"><manifest:file-entry "
                    + "manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument." + kind + "\"/><manifest:file-entry "
                    + "manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>");
            put(z, "content.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office="
                    + "\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\""
                    + " xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" office:version=\"1.2\"><office:body>" + body
                    + "</office:body></office:document-content>");
        }
        return out.toByteArray();
    }

    static void put(ZipOutputStream z, String name, String text) throws IOException {
        z.putNextEntry(new ZipEntry(name));
        z.write(text.getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
    }

    /** RTF as Chinese Word writes it: code page 936 declared, each character as a \\u escape. */
    static byte[] rtf(String text) {
        StringBuilder b = new StringBuilder("{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 SimSun;}}\\uc1\\f0 ");
        text.chars().forEach(c -> {
            if (c < 128) {
                b.append((char) c);
            } else {
                b.append("\\u").append((short) c).append('?');
            }
        });
        return b.append("\\par}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A one-page PDF showing {@code text} in a CID-keyed font (codes = Unicode values, Identity-H)
     * with a ToUnicode map, as PDF producers do for Chinese; the font is not embedded.
     */
    static byte[] pdf(String text) {
        StringBuilder hex = new StringBuilder();
        TreeSet<Integer> chars = new TreeSet<>();
        text.chars().forEach(c -> {
            hex.append(String.format("%04X", c));
            chars.add(c);
        });
        StringBuilder cmap = new StringBuilder("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo << /Registry "
                + "(Adobe) /Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
                + "1 begincodespacerange <0000> <FFFF> endcodespacerange\n");
        List<Integer> all = new ArrayList<>(chars);
        for (int i = 0; i < all.size(); i += 100) {
            List<Integer> part = all.subList(i, Math.min(all.size(), i + 100));
            cmap.append(part.size()).append(" beginbfchar\n");
            part.forEach(c -> cmap.append(String.format("<%04X> <%04X>%n", c, c)));
            cmap.append("endbfchar\n");
        }
        cmap.append("endcmap CMapName currentdict /CMap defineresource pop end end");
        String content = "BT /F1 12 Tf 72 750 Td <" + hex + "> Tj ET";
        return pdfFile(List.of(
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
                stream(content),
                "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H /DescendantFonts [6 0 R] "
                        + "/ToUnicode 7 0 R >>",
                "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering "
                        + "(Identity) /Supplement 0 >> /FontDescriptor 8 0 R /DW 1000 >>",
                stream(cmap.toString()),
                "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 900] /ItalicAngle 0 "
                        + "/Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >>"), false);
    }

    /** A PDF whose page tree is a loop (each Pages node is the other's kid) and whose cross-reference chain loops too. */
    public static byte[] pdfWithReferenceLoop() {
        return pdfFile(List.of(
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"), true);
    }

    /** A .docx whose document.xml inflates to about 190 MB of text from well under 1 MB. */
    public static byte[] zipBombDocx() {
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bomb)) {
            put(z, "[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                    + "content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                    + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument."
                    + "wordprocessingml.document.main+xml\"/></Types>");
            put(z, "_rels/.rels", "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                    + "relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                    + "relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>");
            z.putNextEntry(new ZipEntry("word/document.xml"));
            z.write(("<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
                    + "<w:body>").getBytes(StandardCharsets.UTF_8));
            byte[] para = ("<w:p><w:r><w:t>" + "应急预案未演练".repeat(200) + "</w:t></w:r></w:p>").getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 45_000; i++) {
                z.write(para);
            }
            z.write("</w:body></w:document>".getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bomb.toByteArray();
    }

    /** A zip in a zip … {@code levels} deep, with a text file holding {@code text} at the bottom. */
    public static byte[] nestedZip(int levels, String text) {
        byte[] inner = text.getBytes(StandardCharsets.UTF_8);
        String name = "level.txt";
        try {
            for (int level = 0; level < levels; level++) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (ZipOutputStream z = new ZipOutputStream(out)) {
                    z.putNextEntry(new ZipEntry(name));
                    z.write(inner);
                    z.closeEntry();
                }
                inner = out.toByteArray();
                name = "level-" + level + ".zip";
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return inner;
    }

    private static String stream(String data) {
        return "<< /Length " + data.getBytes(StandardCharsets.ISO_8859_1).length + " >>\nstream\n" + data + "\nendstream";
    }

    private static byte[] pdfFile(List<String> objects, boolean loopingXref) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> offsets = new ArrayList<>();
        write(out, "%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n");
        for (int i = 0; i < objects.size(); i++) {
            offsets.add(out.size());
            write(out, (i + 1) + " 0 obj\n" + objects.get(i) + "\nendobj\n");
        }
        int xref = out.size();
        StringBuilder x = new StringBuilder("xref\n0 " + (objects.size() + 1) + "\n0000000000 65535 f \n");
        offsets.forEach(o -> x.append(String.format("%010d 00000 n \n", o)));
        x.append("trailer\n<< /Size ").append(objects.size() + 1).append(" /Root 1 0 R");
        if (loopingXref) {
            x.append(" /Prev ").append(xref);
        }
        x.append(" >>\nstartxref\n").append(xref).append("\n%%EOF\n");
        write(out, x.toString());
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
