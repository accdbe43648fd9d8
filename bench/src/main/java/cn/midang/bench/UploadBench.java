package cn.midang.bench;

import cn.midang.cli.net.MidangClient;
import cn.midang.keys.pki.Identity;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Upload throughput against a running server (started by {@code bench/run-upload.sh} in its own
 * JVM): each client uploads a package sealed once beforehand, so the figure is the server's
 * (authenticate, verify tag + signature + chain, store, fsync, receipt) plus the loopback
 * transfer, not the client's sealing. Prints one table row per (payload, clients).
 *
 * <p>Arguments: SERVER_URL DATA_DIR PASSPHRASE SIZES_MIB CLIENTS UPLOADS_PER_CLIENT
 */
public final class UploadBench {

    public static void main(String[] args) throws Exception {
        // Several servers (nodes of one deployment), comma-separated: the clients take turns.
        List<URI> servers = java.util.Arrays.stream(args[0].split(",")).map(URI::create).toList();
        URI server = servers.get(0);
        Path data = Path.of(args[1]);
        char[] pass = args[2].toCharArray();
        int[] sizes = parse(args[3]);
        int[] clients = parse(args[4]);
        int perClient = Integer.parseInt(args[5]);
        Identity unitA = Identity.load(data.resolve("identities/unit-a.p12"), pass);
        Path tmp = Files.createTempDirectory("midang-upload-bench");
        System.out.println("| payload | clients | uploads | seconds | MB/s (payload) | uploads/s |");
        System.out.println("|---|---|---|---|---|---|");
        for (int mib : sizes) {
            byte[] content = new byte[mib << 20];
            new Random(mib).nextBytes(content);
            Path file = tmp.resolve("payload-" + mib + ".bin");
            Files.write(file, content);
            content = null;
            MidangClient sealer = new MidangClient(server, unitA, Clock.systemUTC());
            // warm-up: one upload through each server
            for (URI each : servers) {
                MidangClient.SealedUpload warmUp = sealer.seal(file);
                new MidangClient(each, unitA, Clock.systemUTC()).upload(warmUp, "demo", "report", null);
                Files.delete(warmUp.file());
            }
            for (URI each : servers) {
                awaitExtractors(each, data, pass, tmp, unitA);
            }
            for (int c : clients) {
                // A package is sealed for one upload request (its nonce, D71): one per upload, sealed
                // before the clock starts, so what is measured is the server's rate, not the sealing.
                List<List<MidangClient.SealedUpload>> packages = new ArrayList<>();
                for (int i = 0; i < c; i++) {
                    List<MidangClient.SealedUpload> mine = new ArrayList<>();
                    for (int k = 0; k < perClient; k++) {
                        mine.add(sealer.seal(file));
                    }
                    packages.add(mine);
                }
                ExecutorService pool = Executors.newFixedThreadPool(c);
                List<Future<?>> done = new ArrayList<>();
                long start = System.nanoTime();
                for (int i = 0; i < c; i++) {
                    URI through = servers.get(i % servers.size());
                    List<MidangClient.SealedUpload> mine = packages.get(i);
                    done.add(pool.submit(() -> {
                        MidangClient client = new MidangClient(through, unitA, Clock.systemUTC());
                        for (MidangClient.SealedUpload sealed : mine) {
                            client.upload(sealed, "demo", "report", null);
                        }
                        return null;
                    }));
                }
                double seconds;
                try {
                    for (Future<?> f : done) {
                        f.get();
                    }
                    seconds = (System.nanoTime() - start) / 1e9;
                } finally {
                    pool.shutdown();
                    for (List<MidangClient.SealedUpload> mine : packages) {
                        for (MidangClient.SealedUpload sealed : mine) {
                            Files.deleteIfExists(sealed.file());
                        }
                    }
                }
                int uploads = c * perClient;
                System.out.printf("| %d MiB | %d | %d | %.1f | %.1f | %.2f |%n", mib, c, uploads, seconds,
                        uploads * (double) (mib << 20) / 1e6 / seconds, uploads / seconds);
            }
            Files.delete(file);
        }
    }

    /**
     * Waits until a small report uploaded now through {@code server} is searchable there: the server's text extractors (child
     * JVMs, started on first use and then kept for 10,000 documents) are running, as on a server
     * that has been up. Without this the first measured seconds also start them (a few seconds of
     * CPU for Tika) — a server's first minute, not its upload rate.
     */
    private static void awaitExtractors(URI server, Path data, char[] pass, Path tmp, Identity unit) throws Exception {
        String word = "预热" + System.nanoTime();
        Path report = tmp.resolve("warm-up.txt");
        Files.writeString(report, "上传基准测试的预热报告 " + word);
        MidangClient uploader = new MidangClient(server, unit, Clock.systemUTC());
        uploader.upload(uploader.seal(report), "demo", "report", null);
        MidangClient inspector = new MidangClient(server, Identity.load(data.resolve("identities/inspector-info.p12"), pass),
                Clock.systemUTC());
        while (inspector.search(word, "demo", null, null, null, 1, 0).path("total").asLong() < 1) {
            Thread.sleep(200); // waiting for the indexer, not racing it: the loop ends when the report is found
        }
        Files.delete(report);
    }

    private static int[] parse(String csv) {
        return java.util.Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
