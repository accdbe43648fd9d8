package cn.midang.keys.seal;

import cn.midang.keys.internal.CryptoBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The exhaustive tamper test again on the Bouncy Castle backend ({@link SealExhaustiveTest} runs on the JVM's). */
class SealExhaustiveBouncyCastleTest extends SealExhaustiveTest {

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
