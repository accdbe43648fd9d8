package cn.midang.server.extract;

import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.apache.tika.exception.TikaException;
import org.apache.tika.extractor.EmbeddedDocumentExtractor;
import org.apache.tika.extractor.ParsingEmbeddedDocumentExtractor;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.apache.tika.parser.microsoft.OfficeParserConfig;
import org.apache.tika.parser.pdf.PDFParserConfig;
import org.apache.tika.sax.BodyContentHandler;
import org.apache.tika.sax.WriteOutContentHandler;
import org.xml.sax.ContentHandler;
import org.xml.sax.SAXException;

/**
 * The child process of {@link ForkedExtractor}: reads one document from standard input, writes
 * its text (UTF-8) to standard output, and ends with one status line on standard error:
 * {@code MIDANG-EXTRACT ok <media type> <truncated>} or {@code MIDANG-EXTRACT fail <reason>}.
 * Arguments: file name, write limit (characters), most embedded documents, deepest nesting.
 */
public final class ExtractMain {

    static final String STATUS = "MIDANG-EXTRACT";

    private ExtractMain() {}

    public static void main(String[] args) {
        // Standard output carries only the text: anything else that prints (logging) goes to stderr.
        PrintStream text = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err);
        String fileName = args[0];
        int writeLimit = Integer.parseInt(args[1]);
        int maxEmbedded = Integer.parseInt(args[2]);
        int maxDepth = Integer.parseInt(args[3]);
        try {
            AutoDetectParser parser = new AutoDetectParser();
            Metadata md = new Metadata();
            md.set(TikaCoreProperties.RESOURCE_NAME_KEY, fileName);
            ParseContext ctx = new ParseContext();
            OfficeParserConfig office = new OfficeParserConfig();
            office.setUseSAXDocxExtractor(true);
            office.setUseSAXPptxExtractor(true);
            office.setExtractMacros(false);
            ctx.set(OfficeParserConfig.class, office);
            PDFParserConfig pdf = new PDFParserConfig();
            pdf.setMaxMainMemoryBytes(64L << 20);
            pdf.setExtractInlineImages(false);
            pdf.setOcrStrategy(PDFParserConfig.OCR_STRATEGY.NO_OCR);
            ctx.set(PDFParserConfig.class, pdf);
            ctx.set(Parser.class, parser);
            ctx.set(EmbeddedDocumentExtractor.class, new Limited(ctx, maxEmbedded, maxDepth));
            Writer w = new BufferedWriter(new OutputStreamWriter(text, StandardCharsets.UTF_8), 1 << 16);
            ContentHandler handler = new BodyContentHandler(new WriteOutContentHandler(w, writeLimit));
            boolean truncated = false;
            try (InputStream in = TikaInputStream.get(new BufferedInputStream(System.in, 1 << 16))) {
                parser.parse(in, handler, md, ctx);
            } catch (SAXException | TikaException e) {
                if (!org.apache.tika.exception.WriteLimitReachedException.isWriteLimitReached(e)) {
                    throw e;
                }
                truncated = true;
            }
            w.flush();
            text.flush();
            String type = md.get(Metadata.CONTENT_TYPE);
            System.err.println(STATUS + " ok " + (type == null ? "unknown" : type.replace(' ', '_')) + " " + truncated);
            System.err.flush();
            System.exit(0);
        } catch (Throwable t) {
            String why = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
            System.err.println(STATUS + " fail " + why.replaceAll("[\\r\\n]+", " "));
            System.err.flush();
            System.exit(3);
        }
    }

    /** Parses embedded documents up to a count and a depth, then skips the rest. */
    static final class Limited implements EmbeddedDocumentExtractor {
        private final ParsingEmbeddedDocumentExtractor parsing;
        private final int maxCount;
        private final int maxDepth;
        private int count;
        private int depth;

        Limited(ParseContext ctx, int maxCount, int maxDepth) {
            this.parsing = new ParsingEmbeddedDocumentExtractor(ctx);
            this.maxCount = maxCount;
            this.maxDepth = maxDepth;
        }

        @Override
        public boolean shouldParseEmbedded(Metadata metadata) {
            return count < maxCount && depth < maxDepth && parsing.shouldParseEmbedded(metadata);
        }

        @Override
        public void parseEmbedded(InputStream stream, ContentHandler handler, Metadata metadata, boolean outputHtml)
                throws SAXException, java.io.IOException {
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
