package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.ServerRefusal;
import cn.midang.forms.KeyShare;
import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.Opener;
import cn.midang.keys.seal.RecordCipher;
import cn.midang.keys.testkit.PlaintextScan;
import cn.midang.keys.testkit.TestPki;
import cn.midang.server.campaign.Campaign;
import cn.midang.server.campaign.CampaignState;
import cn.midang.server.campaign.Campaigns;
import cn.midang.server.config.ServerConfig;
import cn.midang.server.deploy.DataDir;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.deploy.Rekey;
import cn.midang.server.identity.Accounts;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.io.file.PathUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive key held by the departments (SPEC C4, issue 16): a production deployment whose
 * archive key is split 2 of 3 among three approvers starts sealed and does nothing that needs the
 * key; one share leaves it sealed; a non-holder's, a replayed, a tampered or a repeated share is
 * refused and audited; two open it; and a copy of its data directory with the operator's
 * passphrase opens no report.
 */
class SealedArchiveIT {

    @TempDir
    Path tmp;

    SplitDeployment split;
    TestPki pki;
    Path data;
    final char[] pass = "operator-passphrase".toCharArray();
    List<Identity> holders;
    Identity stranger;
    Identity unit;
    MidangServer server;
    Deployment deployment;

    @BeforeEach
    void deployment() throws Exception {
        split = SplitDeployment.create(tmp, pass);
        pki = split.pki;
        data = split.data;
        holders = split.holders;
        stranger = pki.person("另一审定人", "approver", "市公安局");
        unit = pki.person("发改委信息科", "unit", "unit-a");
        try (Deployment opened = Deployment.open(data, pass, pki.clock)) {
            new Accounts(opened.database()).register(unit.certificate(), pki.clock.instant());
            new Campaigns(opened.database()).create(new Campaign("c", "检查", CampaignState.OPEN, pki.clock.instant(),
                    pki.clock.instant().plus(Duration.ofDays(7)), true, List.of(new Campaign.Unit("unit-a", "甲", "市", true))));
        }
        server = start();
    }

    MidangServer start() throws Exception {
        return start(0);
    }

    /** Starts the server on {@code port} (0: a free one). */
    MidangServer start(int port) throws Exception {
        deployment = Deployment.open(data, pass, pki.clock);
        return MidangServer.start(deployment, ServerConfig.load(data, Map.of("MIDANG_LISTEN_PORT", Integer.toString(port))));
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    MidangClient client(Identity who) {
        return new MidangClient(java.net.URI.create(server.url("127.0.0.1")), who, pki.clock);
    }

    byte[] shareFile(int i) throws Exception {
        return split.shareFile(i);
    }

    /** Holder {@code i}'s share, opened on "their computer" and delivered to the running server. */
    com.fasterxml.jackson.databind.JsonNode unseal(int i) throws Exception {
        MidangClient c = client(holders.get(i));
        KeyShare.Share share = KeyShare.open(shareFile(i), holders.get(i), c.serverInfo().signing());
        return c.unseal(KeyShare.deliver(share, holders.get(i), startKey(c), pki.clock));
    }

    Certificate startKey(MidangClient c) throws Exception {
        return Certificate.parse(c.unsealStatus().path("start_key").asText().getBytes(StandardCharsets.US_ASCII));
    }

    Path report() throws Exception {
        Path f = tmp.resolve("自查报告.txt");
        Files.writeString(f, "封存测试：已使用国产密码产品，口令强度达标。", StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void sealed_everyArchiveOperationIs503_nothingWritten_oneShareLeavesItSealed_twoOpenIt() throws Exception {
        assertThat(server.sealed()).isTrue();
        MidangClient u = client(unit);
        for (var call : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                () -> u.submit(report(), "c", "report", "unit-a"),
                () -> u.search("国产密码", null, null, null, null, 10, 0),
                () -> u.list(MidangClient.Filter.NONE, 10, 0),
                () -> u.campaigns())) {
            assertThatThrownBy(call).isInstanceOfSatisfying(ServerRefusal.class, r -> {
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.code()).isEqualTo("sealed");
            });
        }
        assertThat(u.me().path("role").asText()).as("who you are is served while sealed").isEqualTo("unit");
        assertThat(u.health().path("status").asText()).isEqualTo("sealed");
        try (Stream<Path> blobs = Files.walk(new DataDir(data).blobs())) {
            assertThat(blobs.filter(Files::isRegularFile)).as("nothing written").isEmpty();
        }

        assertThat(unseal(1).path("shares_in").asInt()).isEqualTo(1);
        assertThat(server.sealed()).as("one share of two").isTrue();
        assertThatThrownBy(() -> u.submit(report(), "c", "report", "unit-a")).isInstanceOfSatisfying(ServerRefusal.class,
                r -> assertThat(r.code()).isEqualTo("sealed"));
        var opened = unseal(2);
        assertThat(opened.path("sealed").asBoolean()).isFalse();
        assertThat(server.sealed()).isFalse();
        assertThat(u.submit(report(), "c", "report", "unit-a").receipt().fileName()).isEqualTo("自查报告.txt");
        assertThat(u.health().path("sealed").asBoolean()).isFalse();
        assertThat(auditedUnsealSteps()).isEqualTo(3); // two shares taken, and the archive opened
    }

    @Test
    void aNonHolders_aReplayed_aTampered_andARepeatedShare_areRefused_andAudited() throws Exception {
        MidangClient h0 = client(holders.get(0));
        KeyShare.Share mine = KeyShare.open(shareFile(0), holders.get(0), h0.serverInfo().signing());
        byte[] delivery = KeyShare.deliver(mine, holders.get(0), startKey(h0), pki.clock);

        // A non-holder: an approver of the same CA, delivering a share that is not theirs to hold
        KeyShare.Share forged = new KeyShare.Share(mine.archive(), stranger.certificate().fingerprint(), 3, 2, 3, mine.value(),
                mine.check());
        assertThatThrownBy(() -> client(stranger).unseal(KeyShare.deliver(forged, stranger, startKey(h0), pki.clock)))
                .isInstanceOfSatisfying(ServerRefusal.class, r -> assertThat(r.code()).isEqualTo("not_a_key_holder"));
        // Tampered on the way: one byte of the delivery changed
        byte[] tampered = delivery.clone();
        tampered[tampered.length / 2] ^= 1;
        assertThatThrownBy(() -> h0.unseal(tampered)).isInstanceOfSatisfying(ServerRefusal.class,
                r -> assertThat(r.code()).isEqualTo("bad_share"));
        // A holder's own share, then again
        assertThat(h0.unseal(delivery).path("shares_in").asInt()).isEqualTo(1);
        assertThatThrownBy(() -> h0.unseal(delivery)).isInstanceOfSatisfying(ServerRefusal.class,
                r -> assertThat(r.code()).isEqualTo("share_already_in"));
        // Replayed to the next start: sealed to the one-time key of a start that is gone
        server.close();
        server = start();
        assertThat(server.sealed()).isTrue();
        MidangClient again = client(holders.get(0));
        assertThatThrownBy(() -> again.unseal(delivery)).isInstanceOfSatisfying(ServerRefusal.class,
                r -> assertThat(r.code()).isEqualTo("bad_share"));
        assertThat(again.unsealStatus().path("shares_in").asInt()).as("nothing of the last start's shares kept").isZero();
        assertThat(String.join("\n", refusals())).contains("not_a_key_holder", "bad_share", "share_already_in");
    }

    @Test
    void aCopyOfTheDataDirectory_withTheOperatorsPassphrase_opensNoReport() throws Exception {
        unseal(0);
        unseal(1);
        String text = "封存测试：已使用国产密码产品，口令强度达标。";
        client(unit).submit(report(), "c", "report", "unit-a");
        server.awaitIndexed();
        server.close();
        server = null;
        Path copy = tmp.resolve("copy");
        PathUtils.copyDirectory(data, copy);

        // Every key file in the copy, tried with the passphrase: what opens is what a server needs to run.
        List<Identity> opened = new ArrayList<>();
        List<String> closed = new ArrayList<>();
        try (Stream<Path> files = Files.walk(copy)) {
            for (Path p12 : files.filter(f -> f.toString().endsWith(".p12")).toList()) {
                try {
                    opened.add(Identity.load(p12, pass));
                } catch (KeysException e) {
                    closed.add(p12.getFileName().toString());
                }
            }
        }
        assertThat(closed).contains("archive.p12");
        assertThat(opened).isNotEmpty().allSatisfy(i -> assertThat(i.certificate().commonName()).isNotEqualTo("Midang archive"));
        DataDir d = new DataDir(copy);
        var trust = cn.midang.keys.pki.ChainValidator.ignoringRevocation(Certificate.read(d.caCertificate()), pki.clock);
        List<Path> blobs;
        try (Stream<Path> s = Files.walk(d.blobs())) {
            blobs = s.filter(Files::isRegularFile).toList();
        }
        assertThat(blobs).isNotEmpty();
        for (Identity i : opened) {
            for (Path blob : blobs) {
                try (InputStream in = Files.newInputStream(blob)) {
                    assertThatThrownBy(() -> Opener.forRecipient(i, trust).check(in)).isInstanceOf(KeysException.class);
                }
            }
            assertThatThrownBy(() -> RecordCipher.openKey(Files.readAllBytes(d.recordKey()), i, trust)).isInstanceOf(KeysException.class);
            assertThatThrownBy(() -> RecordCipher.openKey(Files.readAllBytes(d.indexKey()), i, trust)).isInstanceOf(KeysException.class);
        }
        assertThat(PlaintextScan.firstFileContaining(copy, PlaintextScan.encodings(text))).isEmpty();
        assertThat(PlaintextScan.firstFileContaining(copy, PlaintextScan.encodings("国产密码"))).isEmpty();
        // With the shares of two holders, the same copy opens (the offline key ceremony).
        var s0 = KeyShare.open(shareFile(0), holders.get(0), Certificate.read(d.signingCertificate()));
        var s2 = KeyShare.open(shareFile(2), holders.get(2), Certificate.read(d.signingCertificate()));
        byte[] secret = cn.midang.server.deploy.KeyShares.combine(List.of(s0, s2));
        assertThat(Identity.load(d.archiveKey(), cn.midang.server.deploy.KeyShares.passphrase(secret)).certificate().commonName())
                .isEqualTo("Midang archive");
    }

    @Test
    void rekey_replacesAHolder_everyPackageMoves_andTheOldSharesOpenNothingInTheDataDirectory() throws Exception {
        unseal(0);
        unseal(1);
        MidangClient u = client(unit);
        String id = u.submit(report(), "c", "report", "unit-a").receipt().id();
        server.awaitIndexed();
        DataDir d = new DataDir(data);
        Certificate oldArchive = Certificate.read(d.archiveCertificate());
        Path backup = tmp.resolve("backup-before-rekey");
        // A plain copy of the live directory (as cp -a or tar would make one), without the running server's control socket.
        try (Stream<Path> files = Files.walk(data)) {
            for (Path f : files.toList()) {
                Path to = backup.resolve(data.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else if (Files.isRegularFile(f)) {
                    Files.copy(f, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }

        // 保密局's holder leaves; a newcomer of the same department takes the share. Two of three unseal, as before.
        Identity newcomer = pki.person("保密局新审定人", "approver", "市保密局");
        List<Path> next = new ArrayList<>();
        for (Identity h : List.of(holders.get(0), holders.get(1), newcomer)) {
            Path f = tmp.resolve("next-" + next.size() + ".crt");
            h.certificate().writePem(f);
            next.add(f);
        }
        Path newShares = tmp.resolve("new-shares");
        Rekey.Begun begun = Rekey.begin(data, pass, new Deployment.KeySplit(next, 2, newShares), pki.clock);
        assertThatThrownBy(() -> Rekey.begin(data, pass, new Deployment.KeySplit(next, 2, newShares), pki.clock))
                .hasMessageContaining("already under way");
        assertThatThrownBy(() -> Rekey.certify(data, tmp.resolve("archive.crt"), pki.clock)).as("the current key's certificate")
                .isInstanceOf(KeysException.class);
        Rekey.certify(data, split.issue(begun.request(), "next-archive.crt"), pki.clock);
        assertThat(server.sealed()).as("nothing changes for the running server").isFalse();
        assertThat(Certificate.read(d.archiveCertificate())).isEqualTo(oldArchive);

        int port = java.net.URI.create(server.url("127.0.0.1")).getPort();
        server.close();
        server = start(port); // the same address: the unit's client still has the old archive certificate
        MidangClient h0 = client(holders.get(0));
        assertThat(h0.unsealStatus().path("rekey").path("archive").asText()).isEqualTo(begun.archive());
        KeyShare.Share share0 = KeyShare.open(shareFile(0), holders.get(0), h0.serverInfo().signing());
        assertThatThrownBy(() -> h0.unseal(KeyShare.deliver(share0, holders.get(0), startKey(h0), pki.clock)))
                .as("a share without the holder's agreement to the next key").isInstanceOfSatisfying(ServerRefusal.class,
                        r -> assertThat(r.code()).isEqualTo("rekey_not_agreed"));
        assertThatThrownBy(() -> h0.unseal(KeyShare.deliver(share0, holders.get(0), startKey(h0), "00" + begun.archive().substring(2),
                pki.clock))).as("agreeing to another key").isInstanceOfSatisfying(ServerRefusal.class,
                        r -> assertThat(r.code()).isEqualTo("rekey_not_agreed"));
        assertThat(h0.unseal(KeyShare.deliver(share0, holders.get(0), startKey(h0), begun.archive(), pki.clock))
                .path("shares_in").asInt()).isEqualTo(1);
        MidangClient h2 = client(holders.get(2)); // the leaving holder agrees too: k of the current holders
        KeyShare.Share share2 = KeyShare.open(shareFile(2), holders.get(2), h2.serverInfo().signing());
        var after = h2.unseal(KeyShare.deliver(share2, holders.get(2), startKey(h2), begun.archive(), pki.clock));
        assertThat(after.path("sealed").asBoolean()).isFalse();
        assertThat(after.path("holders").toString()).contains("保密局新审定人").doesNotContain("市保密局审定人");

        // Served as before, on the next key: a client that sealed to the old key seals again to the new one, the old report
        // opens for its unit, search finds it.
        u.submit(report(), "c", "report", "unit-a");
        assertThat(KeyShare.archiveId(u.serverInfo().archive())).isEqualTo(begun.archive());
        Path fetched = tmp.resolve("fetched.txt");
        u.fetch(id, fetched);
        assertThat(Files.readString(fetched)).contains("国产密码");
        server.awaitIndexed();
        assertThat(u.search("国产密码", null, null, null, null, 10, 0).path("hits").size()).isEqualTo(2);
        assertThat(String.join("\n", unsealReasons())).contains("agreeing to move the archive to key " + begun.archive())
                .contains("archive unsealed and moved to key " + begun.archive());
        try (Stream<Path> keys = Files.list(data.resolve("keys"))) {
            assertThat(keys.map(f -> f.getFileName().toString())).doesNotContain("rekey.json", "archive-next.p12", "archive-next.secret");
        }

        // The next start is unsealed by the new holders' shares; the leaver's share is refused.
        server.close();
        server = start(port);
        Certificate signing = Certificate.read(d.signingCertificate());
        MidangClient leaver = client(holders.get(2));
        assertThatThrownBy(() -> leaver.unseal(KeyShare.deliver(share2, holders.get(2), startKey(leaver), pki.clock)))
                .isInstanceOfSatisfying(ServerRefusal.class, r -> assertThat(r.code()).isEqualTo("not_a_key_holder"));
        MidangClient n = client(newcomer);
        KeyShare.Share newShare = KeyShare.open(Files.readAllBytes(newShares.resolve("保密局新审定人.share")), newcomer, signing);
        n.unseal(KeyShare.deliver(newShare, newcomer, startKey(n), pki.clock));
        KeyShare.Share share1 = KeyShare.open(Files.readAllBytes(newShares.resolve("市公安局审定人.share")), holders.get(1), signing);
        client(holders.get(1)).unseal(KeyShare.deliver(share1, holders.get(1), startKey(n), pki.clock));
        assertThat(server.sealed()).isFalse();
        assertThat(u.search("国产密码", null, null, null, null, 10, 0).path("hits").size()).isEqualTo(2);
        server.close();
        server = null;

        // Offline: two OLD shares rebuild the old secret. It opens no key file in the data directory; the old key (from the
        // backup, which stays as open as it was) opens no package and neither the record nor the index key there.
        byte[] oldSecret = cn.midang.server.deploy.KeyShares.combine(List.of(share0, share2));
        char[] oldPass = cn.midang.server.deploy.KeyShares.passphrase(oldSecret);
        try (Stream<Path> files = Files.walk(data)) {
            for (Path p12 : files.filter(f -> f.toString().endsWith(".p12")).toList()) {
                assertThatThrownBy(() -> Identity.load(p12, oldPass)).as(p12.toString()).isInstanceOf(KeysException.class);
            }
        }
        // (the key file keeps the request's self-signed certificate; the server pairs it with the CA's, as here)
        Identity old = Identity.load(new DataDir(backup).archiveKey(), oldPass).withIssuedCertificate(oldArchive,
                Certificate.read(d.caCertificate()));
        var trust = cn.midang.keys.pki.ChainValidator.ignoringRevocation(Certificate.read(d.caCertificate()), pki.clock);
        List<Path> blobs;
        try (Stream<Path> b = Files.walk(d.blobs())) {
            blobs = b.filter(Files::isRegularFile).toList();
        }
        assertThat(blobs).hasSize(2);
        for (Path blob : blobs) {
            try (InputStream in = Files.newInputStream(blob)) {
                assertThatThrownBy(() -> Opener.forRecipient(old, trust).check(in)).isInstanceOfSatisfying(KeysException.class,
                        e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.NOT_A_RECIPIENT));
            }
        }
        assertThatThrownBy(() -> RecordCipher.openKey(Files.readAllBytes(d.recordKey()), old, trust)).isInstanceOf(KeysException.class);
        assertThatThrownBy(() -> cn.midang.keys.seal.PositionalCipher.openKey(Files.readAllBytes(d.indexKey()), old, trust))
                .isInstanceOf(KeysException.class);
        try (Stream<Path> b = Files.walk(new DataDir(backup).blobs())) {
            for (Path blob : b.filter(Files::isRegularFile).toList()) {
                try (InputStream in = Files.newInputStream(blob)) {
                    assertThat(Opener.forRecipient(old, trust).check(in).description()).as("the old backup").isPresent();
                }
            }
        }
    }

    @Test
    void rekey_interruptedWhileReaddressing_cannotBeCancelled_andResumesWhereItStopped() throws Exception {
        unseal(0);
        unseal(1);
        for (int i = 0; i < 3; i++) {
            client(unit).submit(report(), "c", "report", "unit-a");
        }
        server.awaitIndexed();
        server.close();
        server = null;
        List<Path> next = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path f = tmp.resolve("n" + i + ".crt");
            holders.get(i).certificate().writePem(f);
            next.add(f);
        }
        split.rekeyTo(next, 3, tmp.resolve("ns"));
        Path nextCert = tmp.resolve("next-archive.crt");

        // The current key, opened as the server opens it from two shares; the pass stops after the first package.
        Certificate signing = Certificate.read(new DataDir(data).signingCertificate());
        byte[] secret = cn.midang.server.deploy.KeyShares.combine(List.of(KeyShare.open(shareFile(0), holders.get(0), signing),
                KeyShare.open(shareFile(1), holders.get(1), signing)));
        DataDir d = new DataDir(data);
        try (Deployment opened = Deployment.open(data, pass, pki.clock)) {
            opened.unseal(secret);
            var archive = cn.midang.server.archive.Archive.of(opened, new cn.midang.server.archive.FileBlobStore(opened.dir().blobs()));
            for (int i = 0; i < 9; i++) { // twelve packages in all, more than are re-addressed at once
                archive.sealGenerated(opened.signingIdentity(), "附件" + i + ".txt", "附件".getBytes(StandardCharsets.UTF_8));
            }
            // The first package done cuts the power; every later one waits inside the progress report until the pass is
            // stopped, so only a few of the twelve move (at most one per thread, and one more by the thread that cut it).
            assertThatThrownBy(() -> archive.rekey(opened, opened.rekeyPlan().orElseThrow(), (done, of) -> {
                if (done > 1) {
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                throw new IllegalStateException("power cut");
            })).hasMessage("power cut");
        }
        assertThat(Rekey.plan(d).orElseThrow().state()).isEqualTo(Rekey.State.READDRESSING);
        assertThatThrownBy(() -> Rekey.cancel(data)).hasMessageContaining("can only be finished");
        assertThat(addressedTo(d, Certificate.read(nextCert))).as("some, not all, re-addressed before the cut").isBetween(1L, 11L);

        try (Deployment opened = Deployment.open(data, pass, pki.clock)) {
            opened.unseal(secret);
            List<Integer> seen = new ArrayList<>();
            cn.midang.server.archive.Archive.of(opened, new cn.midang.server.archive.FileBlobStore(opened.dir().blobs())).rekey(opened, opened.rekeyPlan().orElseThrow(), (done, of) -> seen.add(of));
            assertThat(seen).hasSize(12).containsOnly(12);
            assertThat(opened.holders().orElseThrow().threshold()).isEqualTo(3);
        }
        assertThat(addressedTo(d, Certificate.read(nextCert))).isEqualTo(12);
        assertThat(Rekey.plan(d)).isEmpty();
        assertThat(Certificate.read(d.archiveCertificate())).isEqualTo(Certificate.read(nextCert));
        assertThat(tmp.resolve("ns").resolve("市保密局审定人.share")).exists();
    }

    @Test
    void aShareTakenBeforeTheRekeyWasCertified_noLongerCounts() throws Exception {
        unseal(0); // no rekey yet: an ordinary share
        Rekey.Begun begun = split.rekeyTo(split.holderFiles, 2, tmp.resolve("ns")); // certified while the server waits, sealed
        MidangClient h1 = client(holders.get(1));
        KeyShare.Share s1 = KeyShare.open(shareFile(1), holders.get(1), h1.serverInfo().signing());
        var after = h1.unseal(KeyShare.deliver(s1, holders.get(1), startKey(h1), begun.archive(), pki.clock));
        assertThat(after.path("shares_in").asInt()).as("holder 0 did not agree to the rekey").isEqualTo(1);
        assertThat(server.sealed()).isTrue();
        MidangClient h0 = client(holders.get(0));
        KeyShare.Share s0 = KeyShare.open(shareFile(0), holders.get(0), h0.serverInfo().signing());
        assertThat(h0.unseal(KeyShare.deliver(s0, holders.get(0), startKey(h0), begun.archive(), pki.clock)).path("sealed").asBoolean())
                .isFalse();
        assertThat(KeyShare.archiveId(Certificate.read(new DataDir(data).archiveCertificate()))).isEqualTo(begun.archive());
    }

    @Test
    void aNextKeySecretNotSignedByTheServer_isRefused_andNothingMoves() throws Exception {
        unseal(0);
        unseal(1);
        client(unit).submit(report(), "c", "report", "unit-a");
        server.close();
        server = null;
        Rekey.Begun begun = split.rekeyTo(split.holderFiles, 2, tmp.resolve("ns"));
        DataDir d = new DataDir(data);
        // Someone other than the server (here a unit, whose key the operator does not hold) seals a secret of their own.
        Files.write(d.nextArchiveSecret(), KeyShare.seal(new byte[32], Rekey.SECRET_DESCRIPTION, unit,
                Certificate.read(d.archiveCertificate()), pki.clock));
        Certificate signing = Certificate.read(d.signingCertificate());
        byte[] secret = cn.midang.server.deploy.KeyShares.combine(List.of(KeyShare.open(shareFile(0), holders.get(0), signing),
                KeyShare.open(shareFile(1), holders.get(1), signing)));
        try (Deployment opened = Deployment.open(data, pass, pki.clock)) {
            opened.unseal(secret);
            assertThatThrownBy(() -> cn.midang.server.archive.Archive.of(opened, new cn.midang.server.archive.FileBlobStore(opened.dir().blobs())).rekey(opened, opened.rekeyPlan().orElseThrow(),
                    (done, of) -> { })).isInstanceOfSatisfying(KeysException.class,
                            e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.UNTRUSTED_ISSUER));
        }
        assertThat(Rekey.plan(d).orElseThrow().state()).isEqualTo(Rekey.State.READY);
        assertThat(addressedTo(d, Certificate.read(tmp.resolve("next-archive.crt")))).isZero();
        assertThat(KeyShare.archiveId(Certificate.read(d.archiveCertificate()))).isNotEqualTo(begun.archive());
    }

    /** How many stored packages of {@code d} are addressed to {@code archive}. */
    static long addressedTo(DataDir d, Certificate archive) throws Exception {
        long n = 0;
        try (Stream<Path> blobs = Files.walk(d.blobs())) {
            for (Path b : blobs.filter(f -> Files.isRegularFile(f) && !f.getParent().getFileName().toString().equals("tmp")).toList()) {
                try (InputStream in = Files.newInputStream(b)) {
                    n += cn.midang.keys.seal.Rewrapper.addressedTo(in, archive) ? 1 : 0;
                }
            }
        }
        return n;
    }

    @Test
    void rekey_canBeCancelledBeforeItMovesAnything_andIsRefusedForAPassphraseKey() throws Exception {
        unseal(0);
        unseal(1);
        server.close();
        server = null;
        List<Path> next = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path f = tmp.resolve("n" + i + ".crt");
            holders.get(i).certificate().writePem(f);
            next.add(f);
        }
        DataDir d = new DataDir(data);
        byte[] archiveBefore = Files.readAllBytes(d.archiveKey());
        Rekey.begin(data, pass, new Deployment.KeySplit(next, 2, tmp.resolve("ns")), pki.clock);
        assertThat(d.nextArchiveKey()).exists();
        Rekey.cancel(data);
        assertThat(d.nextArchiveKey()).doesNotExist();
        assertThat(d.nextArchiveSecret()).doesNotExist();
        assertThat(d.rekeyPlan()).doesNotExist();
        assertThat(Files.readAllBytes(d.archiveKey())).isEqualTo(archiveBefore);
        server = start();
        assertThat(client(holders.get(0)).unsealStatus().has("rekey")).isFalse();
        unseal(0);
        unseal(1);
        assertThat(server.sealed()).isFalse();

        Path dev = tmp.resolve("dev");
        Deployment.initDev(dev, pass, pki.clock);
        assertThatThrownBy(() -> Rekey.begin(dev, pass, new Deployment.KeySplit(next, 2, tmp.resolve("ns2")), pki.clock))
                .hasMessageContaining("opens with the operator's passphrase");
    }

    /** The reasons of the audit log's allowed unseal steps. */
    List<String> unsealReasons() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = deployment.database().connection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT reason FROM audit_log WHERE action = 'unseal' AND decision = 'allow'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Audit records of unseal steps taken (each names its key holder). */
    long auditedUnsealSteps() throws Exception {
        try (Connection c = deployment.database().connection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM audit_log WHERE action = 'unseal' AND role = 'key-holder'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The reasons of the audit log's refused unseal requests. */
    List<String> refusals() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = deployment.database().connection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT reason FROM audit_log WHERE action = 'unseal' AND decision <> 'allow'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
