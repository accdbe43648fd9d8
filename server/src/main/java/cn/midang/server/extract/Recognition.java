package cn.midang.server.extract;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.tika.detect.Detector;
import org.apache.tika.exception.TikaException;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.ocr.TesseractOCRConfig;
import org.apache.tika.parser.ocr.TesseractOCRParser;
import org.apache.tika.sax.BodyContentHandler;
import org.xml.sax.SAXException;

/**
 * Optical character recognition in the extractor's child (issue 20): Tesseract through Tika's
 * OCR parser, for scanned PDFs (each page rendered by PDFBox, which Tika's PDF parser uses too)
 * and for pictures (.png .jpg .tif …). Pages are read in order until the page limit or the time
 * budget is reached; what was recognised by then is kept, and the status says where it stopped.
 * The rendered page images go only to the child's private temporary folder.
 */
final class Recognition {

    /** Tesseract is stopped after this long on one page. */
    static final int PAGE_TIMEOUT_SECONDS = 300;

    /** A page rendered larger than this many pixels is rendered at a lower resolution (a poster-sized page would not fit the heap). */
    static final long MAX_PIXELS = 40_000_000L;

    private final Ocr settings;
    private final TesseractOCRParser tesseract = new TesseractOCRParser();
    private final TesseractOCRConfig config = new TesseractOCRConfig();

    Recognition(Ocr settings) throws TikaException {
        this.settings = settings;
        tesseract.initialize(Map.of());
        config.setLanguage(settings.languages());
        // Automatic page segmentation with orientation detection: a page photographed sideways is still read.
        config.setPageSegMode("1");
        config.setTimeoutSeconds((int) Math.clamp(settings.budget().toSeconds(), 1, PAGE_TIMEOUT_SECONDS));
    }

    /** What was recognised: the pages read, whether the limit or the budget stopped it, and the media type. */
    record Result(int pages, int pagesInFile, boolean stopped, String mediaType) {}

    /**
     * Recognises the text of the scan or picture {@code doc}, writing it to {@code out} page by page.
     * A file of another type is not recognised ({@code pages} 0).
     */
    Result read(TikaInputStream doc, Metadata md, Detector detector, Writer out) throws IOException, SAXException, TikaException {
        MediaType type = detector.detect(doc, md);
        long deadline = System.nanoTime() + settings.budget().toNanos();
        if (type.getBaseType().toString().equals("application/pdf")) {
            return pdf(doc, deadline, out, type.toString());
        }
        if ("image".equals(type.getType())) {
            return pictures(doc, md, deadline, out, type.toString());
        }
        return new Result(0, 0, false, type.toString());
    }

    /** A picture, or each page of a multi-page TIFF, within the same page limit and budget as a PDF's pages. */
    private Result pictures(TikaInputStream doc, Metadata md, long deadline, Writer out, String type)
            throws IOException, SAXException, TikaException {
        ParseContext ctx = new ParseContext();
        ctx.set(TesseractOCRConfig.class, config);
        try (ImageInputStream in = ImageIO.createImageInputStream(doc.getFile())) {
            Iterator<ImageReader> readers = in == null ? java.util.Collections.emptyIterator() : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                out.write(page(doc, md, ctx)); // a format Java cannot read: Tesseract reads it as it is
                return new Result(1, 1, false, type);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                int pages = reader.getNumImages(true);
                int read = 0;
                for (int i = 0; i < pages && read < settings.maxPages(); i++) {
                    if (read > 0 && System.nanoTime() > deadline) {
                        break;
                    }
                    ImageReadParam param = reader.getDefaultReadParam();
                    long pixels = (long) reader.getWidth(i) * reader.getHeight(i);
                    if (pixels > MAX_PIXELS) {
                        // A picture larger than a page at 300 dpi is read at every n-th pixel: it fits the heap.
                        int step = (int) Math.ceil(Math.sqrt((double) pixels / MAX_PIXELS));
                        param.setSourceSubsampling(step, step, 0, 0);
                    }
                    out.write(page(withoutRed(reader.read(i, param)), ctx));
                    out.write("\n\n");
                    read++;
                }
                return new Result(read, pages, read < pages, type);
            } finally {
                reader.dispose();
            }
        }
    }

    /**
     * Each page's own text first (a scanning app's name, or a typed page of a mixed file); a page
     * with hardly any text of its own ({@link Ocr#hardlyAnyText}) is rendered and recognised, until
     * the page limit or the budget.
     */
    private Result pdf(TikaInputStream doc, long deadline, Writer out, String type) throws IOException, SAXException, TikaException {
        try (PDDocument pdf = Loader.loadPDF(doc.getFile())) {
            PDFRenderer renderer = new PDFRenderer(pdf);
            PDFTextStripper typed = new PDFTextStripper();
            int pages = pdf.getNumberOfPages();
            int read = 0;
            boolean stopped = false;
            ParseContext ctx = new ParseContext();
            ctx.set(TesseractOCRConfig.class, config);
            for (int i = 0; i < pages; i++) {
                typed.setStartPage(i + 1);
                typed.setEndPage(i + 1);
                String own = typed.getText(pdf);
                out.write(own);
                if (!Ocr.hardlyAnyText(own)) {
                    continue;
                }
                if (read >= settings.maxPages() || (read > 0 && System.nanoTime() > deadline)) {
                    stopped = true;
                    continue;
                }
                BufferedImage image = renderer.renderImageWithDPI(i, dpi(pdf.getPage(i).getMediaBox(), settings.dpi()), ImageType.RGB);
                out.write(page(withoutRed(image), ctx));
                out.write("\n\n");
                read++;
            }
            return new Result(read, pages, stopped, type);
        }
    }

    /** The resolution to render a page at: the configured one, lower for a page so large it would not fit. */
    static int dpi(PDRectangle box, int configured) {
        double squareInches = Math.max(1, box.getWidth() / 72.0 * box.getHeight() / 72.0);
        double fits = Math.sqrt(MAX_PIXELS / squareInches);
        return (int) Math.max(1, Math.min(configured, fits));
    }

    /**
     * The picture in grey as its red channel, clearly red pixels made white: a red seal (公章)
     * stamped over the text disappears and the black text under it stays black, where a plain grey
     * conversion would make the seal a dark blot over the words. Text printed in red (a 红头
     * letterhead) goes with it.
     */
    /** How much more red than green and blue a pixel must be to count as a seal's ink. */
    static final int REDDER = 50;

    static BufferedImage withoutRed(BufferedImage picture) {
        int w = picture.getWidth();
        int h = picture.getHeight();
        BufferedImage grey = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = grey.getRaster();
        int[] rgb = new int[w];
        int[] red = new int[w];
        for (int y = 0; y < h; y++) {
            picture.getRGB(0, y, w, 1, rgb, 0, w);
            for (int x = 0; x < w; x++) {
                int r = (rgb[x] >> 16) & 0xff;
                int others = Math.max((rgb[x] >> 8) & 0xff, rgb[x] & 0xff);
                // Clearly red (the seal's ink, however dim the light): paper. Otherwise the red channel: black stays black.
                red[x] = r - others > REDDER ? 255 : r;
            }
            raster.setPixels(0, y, w, 1, red);
        }
        return grey;
    }

    private String page(BufferedImage image, ParseContext ctx) throws IOException, SAXException, TikaException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        image.flush();
        try (TikaInputStream page = TikaInputStream.get(png.toByteArray())) {
            return page(page, new Metadata(), ctx);
        }
    }

    private String page(InputStream image, Metadata md, ParseContext ctx) throws IOException, SAXException, TikaException {
        StringWriter text = new StringWriter();
        tesseract.parse(image, new BodyContentHandler(text), md, ctx);
        return closeUp(text.toString());
    }

    /** Chinese characters (and their punctuation) with a space between them. */
    private static final Pattern SPACED = Pattern.compile("(?<=[\\p{IsHan}\\p{InCJKSymbolsAndPunctuation}\\p{InHalfwidthAndFullwidthForms}])"
            + "[ \\t\\u3000]+(?=[\\p{IsHan}\\p{InCJKSymbolsAndPunctuation}\\p{InHalfwidthAndFullwidthForms}])");

    /**
     * Recognised Chinese without the spaces Tesseract puts between some characters (应 急 预 案):
     * the index cuts Chinese into pairs of adjacent characters, and a space would split 应急 and
     * 预案 from each other so the phrase is not found.
     */
    static String closeUp(String recognised) {
        return SPACED.matcher(recognised).replaceAll("");
    }
}
