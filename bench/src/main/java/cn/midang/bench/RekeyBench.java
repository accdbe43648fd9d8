package cn.midang.bench;

import cn.midang.forms.KeyShare;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.CertificationRequest;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.TestPki;
import cn.midang.server.archive.Archive;
import cn.midang.server.deploy.DataDir;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.deploy.KeyShares;
import cn.midang.server.deploy.Rekey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What a rekey costs (issue 16): a production deployment split 2 of 3, COUNT stored packages of
 * SIZE bytes each (sealed by the server to its archive key, as summaries are), then the whole move
 * to the next key as the server does it at the agreeing unseal — open the next key, re-address
 * every package (replaced atomically on disk), re-seal the record and index keys, write the new
 * shares, switch the files. Prints the time per package and in all.
 *
 *   java -cp bench/target/midang-bench.jar cn.midang.bench.RekeyBench [COUNT, default 2000] [SIZE, default 65536]
 */
public final class RekeyBench {

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 64 * 1024;
        Path dir = Files.createTempDirectory("rekey-bench");
        TestPki pki = TestPki.create(dir.resolve("pki"));
        Path caPublic = Files.createDirectories(dir.resolve("ca-public"));
        Files.copy(pki.caDir().resolve("ca.crt"), caPublic.resolve("ca.crt"));
        Files.copy(pki.caDir().resolve("crl.pem"), caPublic.resolve("crl.pem"));
        Path admin = dir.resolve("admin.crt");
        pki.person("admin", "admin", "市信息产业办").certificate().writePem(admin);
        List<Identity> holders = new ArrayList<>();
        List<Path> holderFiles = new ArrayList<>();
        for (String dept : List.of("市信息产业办", "市公安局", "市保密局")) {
            Identity h = pki.person(dept + "审定人", "approver", dept);
            holders.add(h);
            Path f = dir.resolve(dept + ".crt");
            h.certificate().writePem(f);
            holderFiles.add(f);
        }
        Path data = dir.resolve("srv");
        char[] pass = "bench".toCharArray();
        Deployment.initProduction(data, pass, caPublic, admin, new Deployment.KeySplit(holderFiles, 2, dir.resolve("shares")), pki.clock);
        DataDir d = new DataDir(data);
        Path signingCert = dir.resolve("signing.crt");
        Path archiveCert = dir.resolve("archive.crt");
        pki.ca.issue(CertificationRequest.read(d.requests().resolve("server-signing.csr")), "server", "Midang", Duration.ofDays(365))
                .writePem(signingCert);
        pki.ca.issue(CertificationRequest.read(d.requests().resolve("server-archive.csr")), "server", "Midang", Duration.ofDays(365))
                .writePem(archiveCert);
        Deployment.certify(data, pass, signingCert, archiveCert, pki.clock);
        Certificate signing = Certificate.read(d.signingCertificate());
        List<KeyShare.Share> shares = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            shares.add(KeyShare.open(Files.readAllBytes(dir.resolve("shares").resolve(holders.get(i).certificate().commonName() + ".share")),
                    holders.get(i), signing));
        }
        byte[] secret = KeyShares.combine(shares);

        try (Deployment dep = Deployment.open(data, pass, pki.clock)) {
            dep.unseal(secret);
            Archive archive = Archive.of(dep);
            archive.recordCipher(d.recordKey());
            archive.indexKey(d.indexKey());
            byte[] content = new byte[size];
            new Random(16).nextBytes(content);
            long t = System.nanoTime();
            for (int i = 0; i < count; i++) {
                archive.sealGenerated(dep.signingIdentity(), "report-" + i + ".bin", content);
            }
            System.out.printf(Locale.ROOT, "stored %,d packages of %,d bytes in %.1f s%n", count, size, (System.nanoTime() - t) / 1e9);
        }
        Rekey.Begun begun = Rekey.begin(data, pass, new Deployment.KeySplit(holderFiles, 2, dir.resolve("new-shares")), pki.clock);
        Path next = dir.resolve("next.crt");
        pki.ca.issue(CertificationRequest.read(begun.request()), "server", "Midang", Duration.ofDays(365)).writePem(next);
        Rekey.certify(data, next, pki.clock);
        try (Deployment dep = Deployment.open(data, pass, pki.clock)) {
            dep.unseal(secret);
            long t = System.nanoTime();
            Archive.of(dep).rekey(dep, dep.rekeyPlan().orElseThrow(), (done, of) -> { });
            long ns = System.nanoTime() - t;
            System.out.printf(Locale.ROOT, "rekey of %,d packages of %,d bytes: %.2f s in all, %.2f ms per package, %.0f MB/s%n", count,
                    size, ns / 1e9, ns / 1e6 / count, (double) count * size / (ns / 1e9) / 1e6);
        }
    }
}
