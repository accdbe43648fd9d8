package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.cli.net.MidangClient;
import cn.midang.server.config.ServerConfig;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.extract.IndexNote;
import cn.midang.server.extract.Scans;
import cn.midang.server.search.IndexStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index is derived data: deleted, it comes back — by `midang-server reindex` or by a restart. */
class ReindexIT {

    @TempDir
    Path tmp;

    static MidangServer restart(DevServer dev) throws Exception {
        return MidangServer.start(Deployment.open(dev.data, dev.passphrase, dev.clock),
                ServerConfig.load(dev.data, Map.of("MIDANG_LISTEN_PORT", "0")));
    }

    /** The dev deployment served with recognition switched off ({@code search.ocr = false}). */
    static MidangServer withoutRecognition(DevServer dev) throws Exception {
        return MidangServer.start(Deployment.open(dev.data, dev.passphrase, dev.clock),
                ServerConfig.load(dev.data, Map.of("MIDANG_LISTEN_PORT", "0", "MIDANG_SEARCH_OCR", "false")));
    }

    static MidangClient client(MidangServer s, DevServer dev, String who) throws Exception {
        return new MidangClient(java.net.URI.create(s.url("127.0.0.1")), dev.identity(who), dev.clock);
    }

    static long hits(MidangServer s, DevServer dev, String q) throws Exception {
        return client(s, dev, "inspector-info").search(q, null, null, null, null, 10, 0).path("hits").size();
    }

    /** {@code midang-server reindex} on the stopped deployment, the passphrase from a file. */
    void reindex(DevServer dev) throws Exception {
        Path pass = tmp.resolve("pass");
        Files.writeString(pass, new String(dev.passphrase) + "\n");
        assertThat(ServerCommand.run(new String[] {"reindex", "--data", dev.data.toString(), "--passphrase-file", pass.toString()}))
                .isZero();
    }

    @Test
    void aDeletedIndex_isRebuiltByReindex_andByARestart() throws Exception {
        DevServer dev = DevServer.start(tmp.resolve("data"));
        Path f = tmp.resolve("报告.txt");
        Files.writeString(f, "本单位未使用国产密码产品。", StandardCharsets.UTF_8);
        dev.client("unit-a").submit(f, "demo", "report", null);
        dev.server.awaitIndexed();
        assertThat(hits(dev.server, dev, "国产密码")).isEqualTo(1);
        dev.server.close();
        byte[] oldKey = Files.readAllBytes(dev.data.resolve("index/index-key.cms"));

        MidangServer.deleteTree(dev.data.resolve("index"));
        reindex(dev);
        assertThat(Files.readAllBytes(dev.data.resolve("index/index-key.cms"))).isNotEqualTo(oldKey);
        try (MidangServer again = restart(dev)) {
            assertThat(hits(again, dev, "国产密码")).isEqualTo(1);
        }

        MidangServer.deleteTree(dev.data.resolve("index"));
        try (MidangServer again = restart(dev)) {
            again.awaitIndexed();
            assertThat(hits(again, dev, "国产密码")).isEqualTo(1);
        }
    }

    /**
     * A scan archived while recognition was off (before it existed, or with search.ocr = false)
     * is "no text"; `midang-server reindex` recognises it, and it is found.
     */
    @Test
    void aScanArchivedWithoutRecognition_isFoundAfterReindex() throws Exception {
        DevServer dev = DevServer.start(tmp.resolve("data"));
        dev.server.close();
        Path scan = tmp.resolve("盖章扫描件.pdf");
        Files.write(scan, Scans.pdf(List.of(Scans.page(List.of("检查发现两台服务器存在弱口令，已责令限期整改。"), 200, 5.8, 1.6, true)), 200));
        try (MidangServer off = withoutRecognition(dev)) {
            assertThat(off.ocrState()).isEqualTo("OCR off (search.ocr = false)");
            String id = client(off, dev, "unit-a").submit(scan, "demo", "report", null).receipt().id();
            off.awaitIndexed();
            var listed = client(off, dev, "inspector-info").list("demo", null, null, 10, 0).path("submissions").get(0);
            assertThat(listed.path("id").asText()).isEqualTo(id);
            assertThat(listed.path("index_reason").asText()).isEqualTo("no_text");
            assertThat(hits(off, dev, "弱口令")).isZero();
        }
        reindex(dev);
        try (MidangServer again = restart(dev)) {
            assertThat(again.ocrState()).startsWith("OCR on (tesseract");
            assertThat(hits(again, dev, "弱口令")).isEqualTo(1);
        }
    }

    /**
     * A scan whose recognition a stop interrupted (its status still says "recognition pending") is
     * recognised at the next start, and found.
     */
    @Test
    void aScanLeftPendingRecognition_isRecognisedAtTheNextStart() throws Exception {
        DevServer dev = DevServer.start(tmp.resolve("data"));
        dev.server.close();
        Path scan = tmp.resolve("盖章扫描件.pdf");
        Files.write(scan, Scans.pdf(List.of(Scans.page(List.of("各部门要周密制定应急预案，控制安全风险，加强保密措施。"), 200, 5.8, 1.6, false)), 200));
        String id;
        try (MidangServer off = withoutRecognition(dev)) {
            id = client(off, dev, "unit-a").submit(scan, "demo", "report", null).receipt().id();
            off.awaitIndexed();
        }
        // As a stop in the middle of its recognition leaves it.
        try (Deployment d = Deployment.open(dev.data, dev.passphrase, dev.clock)) {
            new IndexStatus(d.database()).record(id, IndexStatus.NOT_INDEXED, IndexNote.RECOGNITION_PENDING.code(), "application/pdf",
                    false, dev.clock.instant());
        }
        try (MidangServer again = restart(dev)) {
            again.awaitIndexed();
            assertThat(hits(again, dev, "应急预案")).isEqualTo(1);
        }
    }
}
