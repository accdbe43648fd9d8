package cn.midang.keys.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.bouncycastle.jcajce.util.BCJcaJceHelper;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

class BcTest {

    /** Bouncy Castle's PKCS#12 key store takes its provider from BCJcaJceHelper: with ours the same, a JVM builds one, not two. */
    @Test
    void theProvider_isTheOneBouncyCastlesOwnClassesUse() {
        assertThat(Bc.PROVIDER).isInstanceOf(BouncyCastleProvider.class).isSameAs(new BCJcaJceHelper().getProvider());
    }
}
