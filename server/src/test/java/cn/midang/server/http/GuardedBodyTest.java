package cn.midang.server.http;

import cn.midang.server.refusal.ErrorCode;
import cn.midang.server.refusal.BodyRefusedException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The body guard, on a clock the test moves: "waiting for the client" is time inside the source's read. */
class GuardedBodyTest {

    final AtomicLong now = new AtomicLong(1_000_000_000L);

    /** A client sending {@code bytesPerSecond}, at most {@code bytesPerRead} per read; each read waits for its bytes. */
    InputStream client(int size, int bytesPerRead, long bytesPerSecond) {
        return new ByteArrayInputStream(new byte[size]) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                int n = super.read(b, off, Math.min(len, bytesPerRead));
                now.addAndGet(Math.max(n, 1) * 1_000_000_000L / bytesPerSecond);
                return n;
            }
        };
    }

    GuardedBody guard(InputStream in, long max, long minRate) {
        return new GuardedBody(in, max, minRate, now::get);
    }

    @Test
    void read_withinLimits_passesEverything() throws Exception {
        assertThat(guard(client(100_000, 65_536, 1_000_000), 100_000, 16_384).readAllBytes()).hasSize(100_000);
    }

    @Test
    void read_pastMaxBytes_isBodyTooLarge() {
        assertThatThrownBy(() -> guard(client(100_001, 65_536, 1_000_000_000), 100_000, 0).readAllBytes())
                .isInstanceOfSatisfying(BodyRefusedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BODY_TOO_LARGE));
    }

    @Test
    void trickle_afterGrace_isTooSlow() {
        // 5 bytes every 200 ms: a slowloris
        GuardedBody b = guard(client(10_000, 5, 25), 1_000_000, 16_384);
        assertThatThrownBy(b::readAllBytes)
                .isInstanceOfSatisfying(BodyRefusedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_TOO_SLOW));
    }

    @Test
    void trickle_withinGrace_isAllowed() throws Exception {
        GuardedBody b = guard(client(100, 5, 25), 1_000_000, 16_384); // 20 reads = 4 s of waiting
        assertThat(b.readAllBytes()).hasSize(100);
    }

    @Test
    void busyServer_promptClient_isAllowed() throws Exception {
        // The client delivers at once; the server takes 10 s of its own between reads (CPU contention).
        GuardedBody b = guard(client(200_000, 20_000, 1_000_000_000), 1_000_000, 16_384);
        byte[] chunk = new byte[20_000];
        for (int i = 0; i < 10; i++) {
            now.addAndGet(1_000_000_000L); // server-side time, outside read
            assertThat(b.read(chunk)).isEqualTo(20_000);
        }
    }

    @Test
    void slowButSteadyClient_aboveTheRate_isAllowed() throws Exception {
        // 20 kB a second over 10 s of waiting
        assertThat(guard(client(200_000, 20_000, 20_000), 1_000_000, 16_384).readAllBytes()).hasSize(200_000);
    }
}
