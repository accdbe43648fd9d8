package cn.midang.keys.seal;

import cn.midang.keys.internal.CryptoBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Every test of {@link SealTest} again on the Bouncy Castle backend (the reference, and the
 * fallback without libgcrypt); {@link SealTest} itself runs on the backend chosen for the JVM
 * (native where libgcrypt is installed, as in CI).
 */
class SealBouncyCastleTest extends SealTest {

    private AutoCloseable backend;

    @BeforeEach
    void bouncyCastle() {
        backend = CryptoBackend.use(CryptoBackend.BOUNCY_CASTLE);
    }

    @AfterEach
    void restore() throws Exception {
        backend.close();
    }
}
