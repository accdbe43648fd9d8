package cn.midang.bench;

import cn.midang.forms.KeyShare;
import cn.midang.keys.pki.Certificate;
import cn.midang.server.archive.Archive;
import cn.midang.server.deploy.DataDir;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.deploy.KeyShares;
import cn.midang.server.SplitDeployment;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static String first;

    /** The name of one stored package. */
    private static String firstBlob(DataDir d) throws java.io.IOException {
        if (first == null) {
            first = new cn.midang.server.archive.FileBlobStore(d.blobs()).names().iterator().next();
        }
        return first;
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 64 * 1024;
        Path dir = Files.createTempDirectory("rekey-bench");
        SplitDeployment split = SplitDeployment.create(dir, "bench".toCharArray());
        Path data = split.data;
        char[] pass = split.pass;
        DataDir d = new DataDir(data);
        Certificate signing = Certificate.read(d.signingCertificate());
        List<KeyShare.Share> shares = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            shares.add(KeyShare.open(split.shareFile(i), split.holders.get(i), signing));
        }
        byte[] secret = KeyShares.combine(shares);

        try (Deployment dep = Deployment.open(data, pass, split.pki.clock)) {
            dep.unseal(secret);
            Archive archive = Archive.of(dep, new cn.midang.server.archive.FileBlobStore(dep.dir().blobs()));
            archive.recordCipher(d.recordKey());
            archive.indexKey(d.indexKey());
            byte[] content = new byte[size];
            new Random(16).nextBytes(content);
            long t = System.nanoTime();
            for (int i = 0; i < count; i++) {
                archive.sealGenerated(dep.signingIdentity(), "report-" + i + ".bin", content);
            }
            System.out.printf(Locale.ROOT, "stored %,d packages of %,d bytes in %.1f s%n", count, size, (System.nanoTime() - t) / 1e9);
            // The crypto alone, for comparison: one package re-addressed in memory (one SM2 decryption, one encryption)
            java.io.ByteArrayOutputStream one = new java.io.ByteArrayOutputStream();
            archive.readdress(firstBlob(d), split.holders.get(0).certificate(), one);
            int n = 300;
            t = System.nanoTime();
            for (int i = 0; i < n; i++) {
                archive.readdress(firstBlob(d), split.holders.get(0).certificate(), java.io.OutputStream.nullOutputStream());
            }
            System.out.printf(Locale.ROOT, "re-addressing one package, read from disk, written nowhere: %.2f ms%n",
                    (System.nanoTime() - t) / 1e6 / n);
        }
        split.rekeyTo(split.holderFiles, 2, dir.resolve("new-shares"));
        try (Deployment dep = Deployment.open(data, pass, split.pki.clock)) {
            dep.unseal(secret);
            long t = System.nanoTime();
            Archive.of(dep, new cn.midang.server.archive.FileBlobStore(dep.dir().blobs())).rekey(dep, dep.rekeyPlan().orElseThrow(), (done, of) -> { });
            long ns = System.nanoTime() - t;
            System.out.printf(Locale.ROOT, "rekey of %,d packages of %,d bytes: %.2f s in all, %.2f ms per package, %.0f MB/s%n", count,
                    size, ns / 1e9, ns / 1e6 / count, (double) count * size / (ns / 1e9) / 1e6);
        }
    }
}
