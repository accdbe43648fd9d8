package cn.midang.server.extract;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Turns a document into text; never throws for a bad document, only reports why. */
public interface TextExtractor {

    /** Writes a document's bytes to the extractor; may be cut short when the extractor has seen enough. */
    @FunctionalInterface
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Extracts the text of the document {@code content} writes, whose original name is {@code fileName} (it guides detection). */
    Extraction extract(String fileName, Content content);

    /** Extracts the text of {@code content}. */
    default Extraction extract(InputStream content, String fileName) {
        return extract(fileName, content::transferTo);
    }
}
