package cn.midang.keys.internal;

import java.security.Provider;
import java.security.SecureRandom;
import org.bouncycastle.jcajce.util.BCJcaJceHelper;

/**
 * The one Bouncy Castle provider instance used by the module. It is passed explicitly to every
 * JCA call and never installed globally, so Midang does not change the JVM's provider list.
 */
public final class Bc {
    /**
     * Bouncy Castle's own shared instance, the one {@link BCJcaJceHelper} hands out: its PKCS#12 key
     * store and some forty other classes of Bouncy Castle build their helpers from it whatever
     * provider they are given, so a {@code new BouncyCastleProvider()} here made two per JVM (each
     * registers every algorithm: about 25 ms of every command that opens an identity).
     */
    public static final Provider PROVIDER = new BCJcaJceHelper().getProvider();
    /** Name of the SM2 signature over SM3 (with the default user ID 1234567812345678). */
    public static final String SM3_WITH_SM2 = "SM3withSM2";
    /** BC key store type whose files OpenSSL 3 reads without {@code -legacy}. */
    public static final String KEY_STORE_TYPE = "PKCS12-AES256-AES128";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Bc() {}

    public static SecureRandom random() {
        return RANDOM;
    }
}
