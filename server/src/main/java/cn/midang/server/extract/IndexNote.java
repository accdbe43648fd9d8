package cn.midang.server.extract;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Why a document is not searchable, or is only in part: a stable code and a sentence in English
 * and Chinese from this catalogue, which is all a user is shown. What the parser said (class names,
 * names of entries inside the file) stays in the server log: it comes from the file and is not kept
 * in the database (SPEC C4).
 */
public enum IndexNote {
    TOO_LARGE("The file is larger than the server indexes (search.max-index-bytes); it is archived but not searchable.",
            "文件超过服务器的索引上限（search.max-index-bytes）；已归档，但不能检索。"),
    NO_TEXT("No text was found in the file (a scan or a photo?); it is archived but not searchable.",
            "文件中没有找到文字（是扫描件或照片吗？）；已归档，但不能检索。"),
    EMPTY("The file is empty.", "文件为空。"),
    PARSE_FAILED("The file could not be read as a document of its type (damaged, protected, or built to harm a reader); "
            + "it is archived but not searchable.", "无法按其类型读取该文件（已损坏、受保护或含恶意构造）；已归档，但不能检索。"),
    TIMED_OUT("Reading the file took longer than the server allows (search.extract-timeout-seconds), twice; "
            + "it is archived but not searchable.", "读取该文件两次均超过服务器允许的时间（search.extract-timeout-seconds）；已归档，但不能检索。"),
    OUT_OF_MEMORY("Reading the file needed more memory than the server allows; it is archived but not searchable.",
            "读取该文件所需内存超过服务器允许的上限；已归档，但不能检索。"),
    CRASHED("The reader stopped unexpectedly on this file, twice; it is archived but not searchable.",
            "读取程序两次在该文件上意外停止；已归档，但不能检索。"),
    UNAVAILABLE("The server's text reader could not be started; the file will be indexed after a restart.",
            "服务器的文字读取程序无法启动；重启后将为该文件建立索引。"),
    UNREADABLE("The archived package could not be opened for indexing; the operator has been alerted.",
            "归档的数据包无法打开以建立索引；已通知运维人员。"),
    TRUNCATED("Only the first million characters of the text are searchable.", "仅前一百万个字符可以检索。"),
    RECOGNITION_PENDING("The file has no typed text (a scan or a photo); its pages are being recognised (OCR) and it will be "
            + "searchable when that is done.", "文件中没有录入的文字（扫描件或照片）；正在识别其页面上的文字（OCR），完成后即可检索。"),
    RECOGNISED("The searchable text was recognised from the scanned pages (OCR), not typed: it may contain mistakes.",
            "可检索的文字是从扫描页面识别所得（OCR），并非录入文字，可能有误。"),
    RECOGNISED_IN_PART("Only the first pages of the scan were recognised (search.ocr-max-pages or the time budget "
            + "search.ocr-timeout-seconds); the text was recognised, not typed, and may contain mistakes.",
            "仅识别了扫描件的前若干页（search.ocr-max-pages 或时间上限 search.ocr-timeout-seconds）；文字为识别所得，并非录入，可能有误。");

    public final String message;
    public final String messageZh;

    IndexNote(String message, String messageZh) {
        this.message = message;
        this.messageZh = messageZh;
    }

    /** The stable code kept in the index status and shown to clients, e.g. {@code parse_failed}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The note with code {@code code}; empty for none or for a reason an earlier version wrote in words. */
    public static Optional<IndexNote> of(String code) {
        return Arrays.stream(values()).filter(n -> n.code().equals(code)).findFirst();
    }
}
