package cn.midang.keys.seal;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.internal.CryptoBackend;
import cn.midang.keys.testkit.OnBouncyCastle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every test of {@link PositionalCipherTest} again on the Bouncy Castle backend; {@link
 * PositionalCipherTest} itself runs on the backend chosen for the JVM (native where libgcrypt is
 * installed, as in CI).
 */
@ExtendWith(OnBouncyCastle.class)
class PositionalCipherBouncyCastleTest extends PositionalCipherTest {

    @Test
    void runsOnBouncyCastle() {
        assertThat(CryptoBackend.current()).isSameAs(CryptoBackend.BOUNCY_CASTLE);
    }
}
