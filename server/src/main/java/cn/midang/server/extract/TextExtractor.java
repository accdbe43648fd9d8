package cn.midang.server.extract;

import java.io.InputStream;

/** Turns a document into text; never throws for a bad document, only reports why. */
public interface TextExtractor {

    /** Extracts the text of {@code content}, whose original name is {@code fileName} (it guides format detection). */
    Extraction extract(InputStream content, String fileName);
}
