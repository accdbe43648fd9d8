package cn.midang.server.submission;

/** A submission as recorded: its receipt (signed bytes and signature) and where its package is. */
public record StoredSubmission(String id, String campaign, String unit, String kind, String submitterFingerprint,
        String blobName, long packageSize, byte[] receipt, byte[] receiptSignature) {}
