package cn.midang.server.extract;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.tika.exception.TikaException;
import org.apache.tika.exception.WriteLimitReachedException;
import org.apache.tika.exception.ZeroByteFileException;
import org.apache.tika.extractor.EmbeddedDocumentExtractor;
import org.apache.tika.extractor.ParsingEmbeddedDocumentExtractor;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.CompositeParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.apache.tika.parser.microsoft.OfficeParserConfig;
import org.apache.tika.parser.ocr.TesseractOCRConfig;
import org.apache.tika.parser.pdf.PDFParserConfig;
import org.apache.tika.sax.BodyContentHandler;
import org.apache.tika.sax.WriteOutContentHandler;
import org.xml.sax.ContentHandler;
import org.xml.sax.SAXException;

/**
 * The child process of {@link ForkedExtractor}: parses documents one after another until its
 * standard input ends. The framing ({@link Frames}) on standard input is, per document, the
 * original file name then the bytes in chunks; on standard output, the text (UTF-8) in chunks
 * then one status: {@code ok <media type> <truncated>} or {@code fail <reason>}. The status goes
 * out before the child reads what is left of the document (to its end mark, whatever the server
 * still sends). Standard error carries only logging. Arguments: write limit (characters), most
 * embedded documents, deepest nesting; for a child that recognises scans ({@link Recognition}),
 * then {@code ocr}, the languages, the page limit, the time budget in seconds and the resolution.
 * Such a child answers
 * {@code ok <media type> <truncated> <pages recognised> <pages in the file> <stopped early>}.
 */
public final class ExtractMain {

    /**
     * The real standard output, kept for frames; {@code System.out} goes to standard error before
     * any other static initialiser of this class can print (a logging library that reports its own
     * configuration there would corrupt the frames).
     */
    private static final FileOutputStream FRAMES = new FileOutputStream(FileDescriptor.out);

    static {
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
    }

    /** An entry expanding more than this many times, to more than {@link #BOMB_ENTRY_BYTES}, is a zip bomb. */
    static final long BOMB_RATIO = 100;
    static final long BOMB_ENTRY_BYTES = 20L << 20;
    /** All entries together expanding to more than this is a zip bomb too. */
    static final long BOMB_TOTAL_BYTES = 1L << 30;

    /** What a child writes once, when it can take documents. */
    static final String READY = "ready";

    private ExtractMain() {}

    public static void main(String[] args) throws IOException {
        // Standard output carries only frames: anything else that prints (logging) goes to stderr.
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(FRAMES, 1 << 16));
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 16));
        Limits limits = new Limits(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        AutoDetectParser parser = new SteadyParser();
        java.util.Optional<Ocr> ocr = Ocr.of(args, 3);
        Recognition recognition;
        try {
            recognition = ocr.isEmpty() ? null : new Recognition(ocr.get());
        } catch (TikaException e) {
            System.err.println("Tesseract cannot be used: " + e.getMessage());
            System.exit(4);
            return;
        }
        // Ready: the JVM is up and Tika's parsers are loaded. The server starts a document's time
        // budget only now, so a slow start on a busy machine never counts against a document.
        Frames.writeStatus(out, READY);
        out.flush();
        while (true) {
            String fileName;
            try {
                fileName = in.readUTF();
            } catch (EOFException e) {
                System.exit(0);
                return;
            }
            Frames.ChunkInput doc = new Frames.ChunkInput(in);
            String status;
            try (Frames.ChunkOutput text = new Frames.ChunkOutput(out)) {
                status = recognition == null ? parse(parser, fileName, doc, text, limits)
                        : recognise(recognition, parser, fileName, doc, text);
            }
            // The answer first, then the rest of the document: a server that got no text stops
            // sending it (a 200 MiB file Tika has no parser for is read as far as its first bytes).
            Frames.writeStatus(out, status);
            out.flush();
            doc.drain();
        }
    }

    record Limits(int writeLimit, int maxEmbedded, int maxDepth) {}

    /** Made once per child: their constructors read property files from the class path. */
    private static final OfficeParserConfig OFFICE = new OfficeParserConfig();
    private static final PDFParserConfig PDF = new PDFParserConfig();
    /** Spreadsheets without their print headers and footers: codes such as {@code &"Font,Bold"&12&A}, {@code Page &P}. */
    private static final OfficeParserConfig SPREADSHEET = new OfficeParserConfig();
    /** Text parsers never recognise pictures: scans go to a child started for that ({@link Recognition}). */
    private static final TesseractOCRConfig NO_OCR = new TesseractOCRConfig();

    static {
        for (OfficeParserConfig c : List.of(OFFICE, SPREADSHEET)) {
            c.setUseSAXDocxExtractor(true);
            c.setUseSAXPptxExtractor(true);
            c.setExtractMacros(false);
        }
        SPREADSHEET.setIncludeHeadersAndFooters(false);
        NO_OCR.setSkipOcr(true);
        PDF.setMaxMainMemoryBytes(64L << 20);
        PDF.setExtractInlineImages(false);
        PDF.setOcrStrategy(PDFParserConfig.OCR_STRATEGY.NO_OCR);
    }

    /** Parses one document into {@code text}; returns its status (never throws for a bad document). */
    static String parse(AutoDetectParser parser, String fileName, InputStream doc, Frames.ChunkOutput text, Limits limits) {
        Metadata md = new Metadata();
        md.set(TikaCoreProperties.RESOURCE_NAME_KEY, fileName);
        ParseContext ctx = new ParseContext();
        ctx.set(PDFParserConfig.class, PDF);
        ctx.set(TesseractOCRConfig.class, NO_OCR);
        ctx.set(Parser.class, parser);
        Limited embedded = new Limited(ctx, limits.maxEmbedded(), limits.maxDepth());
        ctx.set(EmbeddedDocumentExtractor.class, embedded);
        Writer w = new OutputStreamWriter(text, StandardCharsets.UTF_8);
        ContentHandler handler = new BodyContentHandler(new WriteOutContentHandler(w, limits.writeLimit()));
        boolean truncated = false;
        try (TikaInputStream tis = TikaInputStream.get(doc)) {
            String bomb = zipBomb(tis);
            if (bomb != null) {
                return "fail " + bomb;
            }
            MediaType detected = parser.getDetector().detect(tis, md);
            // Detected once: the parser takes this type instead of detecting again (magic matching was
            // half of a child's time on small documents).
            md.set(TikaCoreProperties.CONTENT_TYPE_USER_OVERRIDE, detected.toString());
            ctx.set(OfficeParserConfig.class, SPREADSHEETS.contains(detected.getBaseType().toString()) ? SPREADSHEET : OFFICE);
            try {
                parser.parse(tis, handler, md, ctx);
            } catch (SAXException | TikaException e) {
                if (!WriteLimitReachedException.isWriteLimitReached(e)) {
                    throw e;
                }
                truncated = true;
            }
            w.flush();
            if (embedded.tooDeep) {
                return "fail embedded documents are nested deeper than " + limits.maxDepth() + " levels";
            }
            String type = md.get(Metadata.CONTENT_TYPE);
            return "ok " + (type == null ? "unknown" : type.replace(' ', '_')) + " " + truncated;
        } catch (ZeroByteFileException e) {
            return "fail the file is empty";
        } catch (OutOfMemoryError e) {
            throw e; // the JVM exits (ExitOnOutOfMemoryError); the server reports it
        } catch (Throwable t) {
            return "fail " + t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        }
    }

    /** The media types whose print headers and footers are left out. */
    static final Set<String> SPREADSHEETS = Set.of("application/vnd.ms-excel",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.ms-excel.sheet.macroenabled.12",
            "application/vnd.ms-excel.sheet.binary.macroenabled.12", "application/vnd.oasis.opendocument.spreadsheet");

    /** Recognises one scan or picture into {@code text}; returns its status (never throws for a bad document). */
    static String recognise(Recognition recognition, AutoDetectParser parser, String fileName, InputStream doc,
            Frames.ChunkOutput text) {
        Metadata md = new Metadata();
        md.set(TikaCoreProperties.RESOURCE_NAME_KEY, fileName);
        Writer w = new OutputStreamWriter(text, StandardCharsets.UTF_8);
        try (TikaInputStream tis = TikaInputStream.get(doc)) {
            Recognition.Result r = recognition.read(tis, md, parser.getDetector(), w);
            w.flush();
            return "ok " + r.mediaType().replace(' ', '_') + " false " + r.pages() + " " + r.pagesInFile() + " " + r.stopped();
        } catch (OutOfMemoryError e) {
            throw e;
        } catch (Throwable t) {
            return "fail " + t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        }
    }

    /**
     * Looks into a zip container (.docx .xlsx .pptx .odt .zip …) before any parser does, and names
     * an entry that would expand far beyond its stored size: POI's own check is switched off by
     * Tika's OOXML parser. The sizes come from the central directory; the write limit, the heap
     * cap and the time limit still bound an archive that lies about them.
     */
    static String zipBomb(TikaInputStream tis) throws IOException {
        tis.mark(4);
        byte[] magic = tis.readNBytes(4);
        tis.reset();
        if (magic.length < 4 || magic[0] != 'P' || magic[1] != 'K' || magic[2] != 3 || magic[3] != 4) {
            return null;
        }
        Path file = tis.getPath(); // spooled into the child's private temporary folder
        long total = 0;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
                ZipEntry entry = e.nextElement();
                long size = entry.getSize();
                long packed = Math.max(1, entry.getCompressedSize());
                if (size > BOMB_ENTRY_BYTES && size / packed > BOMB_RATIO) {
                    return String.format("looks like a zip bomb: %s would expand from %,d to %,d bytes (%,d times)",
                            entry.getName(), packed, size, size / packed);
                }
                total += Math.max(0, size);
                if (total > BOMB_TOTAL_BYTES) {
                    return String.format("looks like a zip bomb: its entries would expand to more than %,d bytes", BOMB_TOTAL_BYTES);
                }
            }
        } catch (IOException e) {
            return null; // not a readable zip after all: the parsers decide
        }
        return null;
    }

    /**
     * Tika's parser, but it works out which parser takes which media type once: Tika rebuilds that
     * map (hundreds of types, each normalised) for every document and again inside its default
     * parser, a fifth of a child's time on small documents. The map depends on the parse context
     * only through the OCR setting, and a text child's context always switches OCR off
     * ({@link #NO_OCR}); the map goes straight to the parser of each type.
     */
    static final class SteadyParser extends AutoDetectParser {
        private Map<MediaType, Parser> parsers;

        @Override
        public Map<MediaType, Parser> getParsers(ParseContext context) {
            if (parsers == null) {
                Map<MediaType, Parser> direct = new HashMap<>();
                super.getParsers(context).forEach((type, p) -> direct.put(type,
                        p instanceof CompositeParser c ? c.getParsers(context).getOrDefault(type, p) : p));
                parsers = Map.copyOf(direct);
            }
            return parsers;
        }
    }

    /** Parses embedded documents up to a count and a depth; notes when a document goes deeper. */
    static final class Limited implements EmbeddedDocumentExtractor {
        private final ParsingEmbeddedDocumentExtractor parsing;
        private final int maxCount;
        private final int maxDepth;
        private int count;
        private int depth;
        boolean tooDeep;

        Limited(ParseContext ctx, int maxCount, int maxDepth) {
            this.parsing = new ParsingEmbeddedDocumentExtractor(ctx);
            this.maxCount = maxCount;
            this.maxDepth = maxDepth;
        }

        @Override
        public boolean shouldParseEmbedded(Metadata metadata) {
            if (depth >= maxDepth) {
                tooDeep = true;
                return false;
            }
            return count < maxCount && parsing.shouldParseEmbedded(metadata);
        }

        @Override
        public void parseEmbedded(InputStream stream, ContentHandler handler, Metadata metadata, boolean outputHtml)
                throws SAXException, IOException {
            count++;
            depth++;
            try {
                parsing.parseEmbedded(stream, handler, metadata, outputHtml);
            } finally {
                depth--;
            }
        }
    }
}
