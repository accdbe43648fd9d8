package cn.midang.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;

/**
 * In a JVM not started for fault injection (every deployment, and this test's), the hooks are inert:
 * no injector can be installed, streams and connections are handed back unwrapped, and no operation fails.
 */
class FaultsTest {

    @Test
    void withoutTheFlag_noInjectorIsTaken_andNothingIsWrapped() throws Exception {
        assertThat(Boolean.getBoolean("midang.fault-injection")).as("this suite runs unarmed").isFalse();
        assertThatThrownBy(() -> Faults.inject(op -> {
            throw new IOException("must never be installed");
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("-Dmidang.fault-injection=true");
        for (Faults.Op op : Faults.Op.values()) {
            Faults.before(op); // inert: nothing throws
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(Faults.watched(out)).isSameAs(out);
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:faults-test")) {
            assertThat(Faults.watched(c)).isSameAs(c);
        }
    }
}
