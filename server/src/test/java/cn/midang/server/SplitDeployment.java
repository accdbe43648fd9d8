package cn.midang.server;

import cn.midang.keys.pki.CertificationRequest;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.TestPki;
import cn.midang.server.deploy.DataDir;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.deploy.Rekey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A production deployment whose archive key is split 2 of 3 among the three joint-review
 * departments' approvers, made from a test CA's public part and certified by it: what
 * {@code SealedArchiveIT} and {@code RekeyBench} start from. Each holder's share is in
 * {@link #shares}/COMMON-NAME.share.
 */
public final class SplitDeployment {

    public final TestPki pki;
    public final Path data;
    public final char[] pass;
    public final List<Identity> holders = new ArrayList<>();
    public final List<Path> holderFiles = new ArrayList<>();
    public final Path shares;
    private final Path dir;

    private SplitDeployment(Path dir, char[] pass) throws Exception {
        this.dir = dir;
        this.pass = pass;
        pki = TestPki.create(dir.resolve("pki"));
        Path caPublic = Files.createDirectories(dir.resolve("ca-public"));
        Files.copy(pki.caDir().resolve("ca.crt"), caPublic.resolve("ca.crt"));
        Files.copy(pki.caDir().resolve("crl.pem"), caPublic.resolve("crl.pem"));
        Path admin = dir.resolve("admin.crt");
        pki.person("系统管理员", "admin", "市信息产业办").certificate().writePem(admin);
        for (String dept : List.of("市信息产业办", "市公安局", "市保密局")) {
            Identity h = pki.person(dept + "审定人", "approver", dept);
            holders.add(h);
            Path f = dir.resolve(dept + ".crt");
            h.certificate().writePem(f);
            holderFiles.add(f);
        }
        data = dir.resolve("srv");
        shares = dir.resolve("shares");
        Deployment.initProduction(data, pass, caPublic, admin, new Deployment.KeySplit(holderFiles, 2, shares), pki.clock);
        DataDir d = new DataDir(data);
        Deployment.certify(data, pass, issue(d.requests().resolve("server-signing.csr"), "signing.crt"),
                issue(d.requests().resolve("server-archive.csr"), "archive.crt"), pki.clock);
    }

    /** Makes one in {@code dir} (its data directory is {@code dir}/srv), key files under {@code pass}. */
    public static SplitDeployment create(Path dir, char[] pass) throws Exception {
        return new SplitDeployment(dir, pass);
    }

    /** Holder {@code i}'s share file as init wrote it. */
    public byte[] shareFile(int i) throws Exception {
        return Files.readAllBytes(shares.resolve(holders.get(i).certificate().commonName() + ".share"));
    }

    /** The CA's certificate (role server) for the request {@code csr}, written to {@code name} beside the deployment. */
    public Path issue(Path csr, String name) throws Exception {
        Path out = dir.resolve(name);
        pki.ca.issue(CertificationRequest.read(csr), "server", "Midang", Duration.ofDays(365)).writePem(out);
        return out;
    }

    /** Begins a rekey to {@code next} holders (k of them), with the CA's certificate for the next key installed. */
    public Rekey.Begun rekeyTo(List<Path> next, int k, Path sharesOut) throws Exception {
        Rekey.Begun begun = Rekey.begin(data, pass, new Deployment.KeySplit(next, k, sharesOut), pki.clock);
        Rekey.certify(data, issue(begun.request(), "next-archive.crt"), pki.clock);
        return begun;
    }
}
