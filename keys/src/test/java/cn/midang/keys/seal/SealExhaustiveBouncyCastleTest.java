package cn.midang.keys.seal;

import cn.midang.keys.testkit.OnBouncyCastle;
import org.junit.jupiter.api.extension.ExtendWith;

/** The exhaustive tamper test again on the Bouncy Castle backend ({@link SealExhaustiveTest} runs on the JVM's). */
@ExtendWith(OnBouncyCastle.class)
class SealExhaustiveBouncyCastleTest extends SealExhaustiveTest {}
