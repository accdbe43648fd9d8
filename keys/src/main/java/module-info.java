/**
 * Midang's cryptography and PKI. Exports only the operation packages; Bouncy Castle stays
 * inside.
 */
module cn.midang.keys {
    requires org.bouncycastle.provider;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.util;

    exports cn.midang.keys;
    exports cn.midang.keys.digest;
    exports cn.midang.keys.io;
    exports cn.midang.keys.pki;
    exports cn.midang.keys.sign;
    exports cn.midang.keys.seal;
    exports cn.midang.keys.tls;
    exports cn.midang.keys.audit;
    exports cn.midang.keys.tlog;
}
