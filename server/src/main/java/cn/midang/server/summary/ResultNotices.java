package cn.midang.server.summary;

import cn.midang.keys.KeysException;
import cn.midang.keys.seal.RecordCipher;
import cn.midang.keys.sign.CanonicalJson;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.Findings;
import cn.midang.server.campaign.Overviews;
import cn.midang.server.storage.Database;
import cn.midang.keys.tlog.LogEntry;
import cn.midang.server.tlog.TransparencyLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The published results (结果公布): one notice per unit in scope, canonical JSON of type
 * {@code midang-result/1} signed by the server's signing key (raw SM2, verifiable with
 * {@code openssl dgst} like a receipt). The outcome is a rectification order (限期整改) listing the
 * unit's findings and the deadline when it has findings; a commendation (通报表扬) when it has none
 * and its report came on time with a complete form; otherwise a plain result (检查结果).
 */
public final class ResultNotices {

    public static final String TYPE = "midang-result/1";

    /** A stored notice: the exact signed bytes and the server's signature. */
    public record Notice(String unit, String outcome, byte[] bytes, byte[] signature, Instant issuedAt) {}

    private final Database db;
    private final RecordCipher cipher;

    /** Notices are kept encrypted with {@code cipher} (SM4-GCM, bound to their campaign and unit). */
    public ResultNotices(Database db, RecordCipher cipher) {
        this.db = db;
        this.cipher = cipher;
    }

    private static String context(String campaign, String unit) {
        return "result_notices/" + campaign + "/" + unit;
    }

    static String outcome(Campaign c, Overviews.UnitOverview u) {
        if (!u.findings().isEmpty()) {
            return "rectification";
        }
        return u.reportIn() && u.reportOnTime() && u.formComplete(c) ? "commendation" : "result";
    }

    static String outcomeZh(String outcome) {
        return switch (outcome) {
            case "rectification" -> "限期整改";
            case "commendation" -> "通报表扬";
            default -> "检查结果";
        };
    }

    /** The notice of one unit, as signed bytes. */
    static byte[] notice(Overviews.Overview o, Overviews.UnitOverview u, Summaries.Summary summary, Instant now, String server) {
        Campaign c = o.campaign();
        String outcome = outcome(c, u);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", TYPE);
        m.put("campaign", c.id());
        m.put("campaign_title", c.title());
        if (c.details().document() != null) {
            m.put("document", c.details().document());
        }
        m.put("unit", u.unit().id());
        m.put("unit_name", u.unit().name());
        m.put("outcome", outcome);
        m.put("outcome_zh", outcomeZh(outcome));
        m.put("report", SummaryDocuments.report(u));
        m.put("form", SummaryDocuments.form(c, u));
        m.put("findings", u.findings().stream().map(SummaryDocuments::finding).toList());
        u.findings().stream().map(Findings.Finding::deadline).max(Instant::compareTo)
                .ifPresent(d -> m.put("rectify_by", d.toString()));
        m.put("summary_version", summary.version());
        m.put("summary_sm3", summary.jsonSm3());
        m.put("issued_at", now.toString());
        m.put("server", server);
        return CanonicalJson.encode(m);
    }

    /** Builds and signs every unit's notice now; the returned work stores them (in the publication's transaction). */
    public Database.Work<Void> issue(Overviews.Overview o, Summaries.Summary summary, Instant now,
            RawSignatures.Signer signer, String server) throws KeysException {
        List<Notice> notices = new ArrayList<>();
        for (Overviews.UnitOverview u : o.units()) {
            byte[] bytes = notice(o, u, summary, now, server);
            notices.add(new Notice(u.unit().id(), outcome(o.campaign(), u), bytes, signer.sign(bytes), now));
        }
        return conn -> {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO result_notices (campaign_id, unit_id, outcome, notice, "
                    + "signature, issued_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                for (Notice n : notices) {
                    ps.setString(1, o.campaign().id());
                    ps.setString(2, n.unit());
                    ps.setString(3, n.outcome());
                    ps.setBytes(4, cipher.encrypt(n.bytes(), context(o.campaign().id(), n.unit())));
                    ps.setBytes(5, n.signature());
                    ps.setTimestamp(6, Timestamp.from(n.issuedAt()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            for (Notice n : notices) {
                TransparencyLog.add(conn, LogEntry.of(LogEntry.Kind.RESULT, n.bytes(), n.signature()));
            }
            return null;
        };
    }

    /** The notices of {@code campaign} (of {@code unit} only, unless null), by unit. */
    public List<Notice> of(String campaign, String unit) throws SQLException {
        List<Notice> out = new ArrayList<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT unit_id, outcome, notice, signature, issued_at FROM result_notices "
                        + "WHERE campaign_id = ? AND (? IS NULL OR unit_id = ?) ORDER BY unit_id")) {
            ps.setString(1, campaign);
            ps.setString(2, unit);
            ps.setString(3, unit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byte[] bytes;
                    try {
                        bytes = cipher.decrypt(rs.getBytes(3), context(campaign, rs.getString(1)));
                    } catch (KeysException e) {
                        throw new SQLException("the notice of " + rs.getString(1) + " in " + campaign
                                + " does not decrypt with this deployment's record key", e);
                    }
                    out.add(new Notice(rs.getString(1), rs.getString(2), bytes, rs.getBytes(4), rs.getTimestamp(5).toInstant()));
                }
            }
        }
        return out;
    }
}
