package cn.midang.keys.seal;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.testkit.Processes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A 2 GiB stream seals and opens in a JVM limited to 256 MiB of heap. */
class LargeStreamIT {

    static final long TWO_GIB = 2L << 30;

    @TempDir
    Path dir;

    static String classPath() {
        Set<String> parts = new LinkedHashSet<>();
        for (Class<?> c : List.of(LargeStreamRoundTrip.class, Sealer.class,
                org.bouncycastle.jce.provider.BouncyCastleProvider.class,
                org.bouncycastle.cms.CMSSignedDataParser.class,
                org.bouncycastle.asn1.cms.CMSObjectIdentifiers.class)) {
            parts.add(Path.of(toUri(c)).toString());
        }
        return String.join(java.io.File.pathSeparator, parts);
    }

    private static java.net.URI toUri(Class<?> c) {
        try {
            return c.getProtectionDomain().getCodeSource().getLocation().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void sealAndOpen_twoGibibytes_fitIn256MiBHeap() {
        List<String> cmd = new ArrayList<>(List.of(Processes.javaExecutable(), "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", classPath(), LargeStreamRoundTrip.class.getName(), Long.toString(TWO_GIB)));
        Processes.Result r = Processes.run(dir, Map.of(), cmd, 900);
        System.out.println("LargeStreamIT: " + r.out().strip());
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("match=true");
    }
}
