package cn.midang.keys.seal;

import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * Seals {@code N} bytes and opens them again through a pipe, with no disk and no buffering of
 * the whole, to show memory does not grow with the payload. Run in a child JVM with a small
 * heap by {@link LargeStreamIT}; prints one line of figures and exits 0 only when the opened
 * content's size and SM3 match what was sealed.
 */
public final class LargeStreamRoundTrip {

    public static void main(String[] args) throws Exception {
        long size = Long.parseLong(args[0]);
        Path dir = Files.createTempDirectory("midang-large");
        TestPki pki = TestPki.create(dir);
        Identity unit = pki.person("unit-a", "unit", "unit-a");
        Identity archive = pki.person("archive", "server", "Midang");
        Sealer sealer = Sealer.signedBy(unit).to(archive.certificate()).clock(pki.clock).build();
        Opener opener = Opener.forRecipient(archive, pki.validator());

        PipedInputStream pipeIn = new PipedInputStream(1 << 20);
        PipedOutputStream pipeOut = new PipedOutputStream(pipeIn);
        long[] peak = {0};
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            Runtime rt = Runtime.getRuntime();
            while (!Thread.currentThread().isInterrupted()) {
                peak[0] = Math.max(peak[0], rt.totalMemory() - rt.freeMemory());
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long start = System.nanoTime();
        CompletableFuture<Sealed> sealing = CompletableFuture.supplyAsync(() -> {
            try (pipeOut) {
                return sealer.seal(new Generated(size), pipeOut);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Opened opened = opener.streamUnverified(pipeIn, java.io.OutputStream.nullOutputStream());
        Sealed sealed = sealing.get();
        double seconds = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        boolean same = opened.contentSize() == size && sealed.contentSize() == size
                && Arrays.equals(opened.contentSm3(), sealed.contentSm3());
        System.out.printf("size=%d seconds=%.1f MBps=%.1f heapMax=%dMiB sampledPeakHeapUsed=%dMiB match=%s%n", size, seconds,
                size / 1e6 / seconds, Runtime.getRuntime().maxMemory() >> 20, peak[0] >> 20, same);
        System.exit(same ? 0 : 3);
    }

    /** A deterministic, incompressible-enough stream of {@code size} bytes, made on the fly. */
    static final class Generated extends InputStream {
        private final byte[] block = new byte[1 << 20];
        private final long size;
        private long pos;

        Generated(long size) {
            this.size = size;
            new Random(42).nextBytes(block);
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - pos);
            int done = 0;
            while (done < n) {
                int at = (int) ((pos + done) % block.length);
                int chunk = Math.min(n - done, block.length - at);
                System.arraycopy(block, at, b, off + done, chunk);
                done += chunk;
            }
            // Make each MiB differ from the last.
            b[off] ^= (byte) (pos >>> 20);
            pos += n;
            return n;
        }
    }

}
