package cn.midang.cli.net;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.testkit.TestPki;
import java.lang.ref.Reference;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A closed client leaves no thread behind. The HTTP client's selector thread waits in native code;
 * a JVM that exits while such a thread lives waits up to 0.3 s for it (HotSpot's exit), which every
 * short command paid before the command line closed its client.
 */
class ClientCloseTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES) // a close that did not work would leave join() waiting
    void close_endsTheSelectorThread() throws Exception {
        TestPki pki = TestPki.create(dir);
        Set<Thread> before = selectorThreads();
        MidangClient client = new MidangClient(URI.create("http://127.0.0.1:9/"),
                pki.person("unit-a clerk", "unit", "unit-a"), pki.clock);
        Set<Thread> mine = new HashSet<>(selectorThreads());
        mine.removeAll(before);
        assertThat(mine).hasSize(1);

        client.close();
        for (Thread t : mine) {
            t.join();
            assertThat(t.isAlive()).isFalse();
        }
        Reference.reachabilityFence(client); // the thread ended by close(), not because the client was collected
    }

    private static Set<Thread> selectorThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("HttpClient-") && t.getName().endsWith("-SelectorManager"))
                .collect(Collectors.toSet());
    }
}
