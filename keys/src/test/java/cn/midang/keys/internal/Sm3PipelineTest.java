package cn.midang.keys.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@link Sm3Pipeline} over Bouncy Castle's SM3 (the native one is checked the same way in
 * {@link CryptoBackendTest}): the same digest for every size and cut around its buffers, the
 * first buffer hashed on the writer's thread and the rest (through WriteBehind) on the pool's, and a failure there
 * reported to the writer.
 */
class Sm3PipelineTest {

    private static final int B = Sm3Pipeline.BUFFER;

    /** Bouncy Castle's SM3, noting which thread hashed each piece. */
    private static final class Noting implements CryptoBackend.Sm3 {
        final CryptoBackend.Sm3 bc = CryptoBackend.BOUNCY_CASTLE.sm3();
        final List<String> threads = new CopyOnWriteArrayList<>();
        int failAt = -1;

        @Override
        public void update(byte[] b, int off, int len) {
            if (threads.size() == failAt) {
                throw new IllegalStateException("libgcrypt md_write failed");
            }
            threads.add(Thread.currentThread().getName());
            bc.update(b, off, len);
        }

        @Override
        public byte[] digest() {
            return bc.digest();
        }
    }

    private static byte[] reference(byte[] data) {
        CryptoBackend.Sm3 d = CryptoBackend.BOUNCY_CASTLE.sm3();
        d.update(data, 0, data.length);
        return d.digest();
    }

    @Test
    void everySizeAroundTheBuffers_inAnyPieces_givesTheDigestOfTheWhole() {
        Random r = new Random(17);
        int[] sizes = {0, 1, B - 1, B, B + 1, 2 * B, 3 * B - 1, 3 * B, 3 * B + 1, 4 * B, 7 * B + 5, 10 * B};
        for (int size : sizes) {
            byte[] data = new byte[size];
            r.nextBytes(data);
            for (int cut : new int[] {1, 4096, B - 1, B, B + 1, 3 * B + 7, Integer.MAX_VALUE}) {
                Sm3Pipeline p = new Sm3Pipeline(CryptoBackend.BOUNCY_CASTLE.sm3());
                for (int off = 0; off < size; ) {
                    int n = (int) Math.min(size - off, cut == 1 ? 1 + r.nextInt(3 * B) : cut);
                    p.update(data, off, n);
                    off += n;
                }
                assertThat(p.digest()).as("%d bytes in pieces of %d", size, cut).isEqualTo(reference(data));
            }
        }
    }

    @Test
    void theFirstBufferIsHashedHere_theRestOnThePool() {
        Noting inner = new Noting();
        Sm3Pipeline p = new Sm3Pipeline(inner);
        byte[] data = new byte[5 * B + 3];
        new Random(3).nextBytes(data);
        for (int off = 0; off < data.length; off += 1000) {
            p.update(data, off, Math.min(1000, data.length - off));
        }
        assertThat(p.digest()).isEqualTo(reference(data));
        String me = Thread.currentThread().getName();
        assertThat(inner.threads.subList(0, B / 1000)).containsOnly(me);
        assertThat(inner.threads.subList(B / 1000, inner.threads.size())).as("the rest, the partial buffer at digest() too")
                .hasSize(5).allMatch(t -> t.startsWith("midang-behind-"));
    }

    @Test
    void aFailureOnThePool_reachesTheWriter() {
        Noting inner = new Noting();
        inner.failAt = 2; // the first piece here, the first buffer on the pool, then this
        Sm3Pipeline p = new Sm3Pipeline(inner);
        byte[] data = new byte[8 * B];
        assertThatThrownBy(() -> {
            p.update(data, 0, B);
            p.update(data, B, data.length - B);
            p.digest();
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("md_write failed");
    }
}
