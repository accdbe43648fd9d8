package cn.midang.keys;

import cn.midang.keys.internal.CryptoBackend;
import java.util.Optional;

/**
 * Which implementation does the bulk cryptography of this JVM — SM3 over content, SM4-GCM over
 * packages: libgcrypt through FFM when it is installed (Debian's {@code libgcrypt20}), else Bouncy
 * Castle. The system property {@code midang.crypto} ({@code native} or {@code bc}) chooses; both
 * make and read the same packages. Shown by {@code midang --version}, the server's start line and
 * {@code /metrics}.
 */
public final class CryptoEngine {

    private CryptoEngine() {}

    /** For people: "libgcrypt 1.10.1 (native)" or "Bouncy Castle (Java)". */
    public static String inUse() {
        return CryptoBackend.current().description();
    }

    /** True when libgcrypt does the bulk work. */
    public static boolean isNative() {
        return CryptoBackend.current().isNative();
    }

    /** Why libgcrypt is not used, when it is not (absent, too old, native access disabled, or not chosen). */
    public static Optional<String> whyNotNative() {
        if (isNative()) {
            return Optional.empty();
        }
        String why = CryptoBackend.nativeUnavailable();
        return Optional.of(why != null ? why : "Bouncy Castle was chosen (midang.crypto=bc)");
    }
}
