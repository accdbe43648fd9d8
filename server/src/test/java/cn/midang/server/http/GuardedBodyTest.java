package cn.midang.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GuardedBodyTest {

    final AtomicLong now = new AtomicLong(1_000_000_000L);

    GuardedBody body(int size, long max, long minRate) {
        return new GuardedBody(new ByteArrayInputStream(new byte[size]), max, minRate, now::get);
    }

    @Test
    void read_withinLimits_passesEverything() throws Exception {
        assertThat(body(100_000, 100_000, 16_384).readAllBytes()).hasSize(100_000);
    }

    @Test
    void read_pastMaxBytes_isBodyTooLarge() {
        assertThatThrownBy(() -> body(100_001, 100_000, 0).readAllBytes())
                .isInstanceOfSatisfying(BodyRefusedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BODY_TOO_LARGE));
    }

    @Test
    void read_slowAfterGrace_isTooSlow() throws Exception {
        GuardedBody b = body(1000, 1_000_000, 16_384);
        assertThat(b.read(new byte[10])).isEqualTo(10);
        now.addAndGet(GuardedBody.GRACE_NANOS + 1);
        assertThatThrownBy(() -> b.read(new byte[10]))
                .isInstanceOfSatisfying(BodyRefusedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_TOO_SLOW));
    }

    @Test
    void read_slowWithinGrace_isAllowed() throws Exception {
        GuardedBody b = body(1000, 1_000_000, 16_384);
        b.read(new byte[10]);
        now.addAndGet(GuardedBody.GRACE_NANOS - 1);
        assertThat(b.read(new byte[10])).isEqualTo(10);
    }

    @Test
    void read_fastEnoughAfterGrace_isAllowed() throws Exception {
        GuardedBody b = body(200_000, 1_000_000, 16_384);
        byte[] chunk = new byte[20_000];
        for (int i = 0; i < 10; i++) {
            now.addAndGet(1_000_000_000L); // 20 kB a second, for 10 s
            assertThat(b.read(chunk)).isEqualTo(20_000);
        }
    }
}
