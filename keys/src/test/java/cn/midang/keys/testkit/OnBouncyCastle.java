package cn.midang.keys.testkit;

import cn.midang.keys.internal.CryptoBackend;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs each test of the class on the Bouncy Castle backend (the reference, and the fallback
 * without libgcrypt), whatever backend the JVM chose: {@code @ExtendWith(OnBouncyCastle.class)} on
 * a subclass runs a whole suite again in Java.
 */
public final class OnBouncyCastle implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(OnBouncyCastle.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("backend", CryptoBackend.use(CryptoBackend.BOUNCY_CASTLE));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        context.getStore(NS).get("backend", AutoCloseable.class).close();
    }
}
