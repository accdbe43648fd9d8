package cn.midang.server.submission;

import cn.midang.forms.ReportForm;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The kinds of documents (SPEC §1), each with the largest file accepted for it (the global
 * {@code upload.max-bytes} caps them all). A report form (报告表) is structured text the server
 * reads itself (status, summary), so it is capped at what the server reads
 * ({@link ReportForm#MAX_BYTES}, 4 MiB): a larger form is refused at upload, never accepted and then
 * left unreadable; written reports, test results, inspection records and rectification reports may
 * carry scans and attachments. The label is what requests, receipts and records spell.
 */
public enum Kind {
    /** 自查报告: a unit's written self-inspection report. */
    REPORT(2L << 30),
    /** 报告表: a unit's structured report form. */
    FORM(ReportForm.MAX_BYTES),
    /** 整改报告: a unit's report on rectifying a finding. */
    RECTIFICATION(2L << 30),
    /** 检测结果: a contracted testing body's result. */
    TEST_RESULT(2L << 30),
    /** 检查记录: an inspector's on-site record. */
    INSPECTION_RECORD(2L << 30),
    /** 汇总: the campaign summary, made by the server itself; no one uploads one. */
    SUMMARY(64L << 20);

    private final long maxContentBytes;

    Kind(long maxContentBytes) {
        this.maxContentBytes = maxContentBytes;
    }

    /** The largest file of this kind. */
    public long maxContentBytes() {
        return maxContentBytes;
    }

    /** Whether the server makes documents of this kind itself (they are never uploaded). */
    public boolean generated() {
        return this == SUMMARY;
    }

    /** The spelling in requests, receipts and records, e.g. {@code test-result}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether stored kind label {@code label} is this kind. */
    public boolean is(String label) {
        return label().equals(label);
    }

    public static Optional<Kind> fromLabel(String label) {
        return Arrays.stream(values()).filter(k -> k.label().equals(label)).findFirst();
    }

    @Override
    public String toString() {
        return label();
    }
}
