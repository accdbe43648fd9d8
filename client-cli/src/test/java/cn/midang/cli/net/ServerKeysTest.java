package cn.midang.cli.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.TestPki;
import java.math.BigInteger;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerKeysTest {

    @TempDir
    Path home;

    @Test
    void aServerKey_isIssuedByTheCaWithTheServerRole_notMerelyByTheCa() throws Exception {
        TestPki pki = TestPki.create(home.resolve("pki"));
        Identity server = pki.person("Midang server signing", "server", "Midang");
        Identity unit = pki.person("unit-a", "unit", "unit-a");
        assertThat(ServerKeys.requireServer(server.certificate(), pki.validator())).isEqualTo(server.certificate());
        assertThatThrownBy(() -> ServerKeys.requireServer(unit.certificate(), pki.validator()))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.WRONG_KEY_USAGE));
        Identity foreign = TestPki.create(home.resolve("other")).person("Midang server signing", "server", "Midang");
        assertThatThrownBy(() -> ServerKeys.requireServer(foreign.certificate(), pki.validator())).isInstanceOf(KeysException.class);

        assertThat(ServerKeys.pinned(home, server.certificate())).isFalse();
        ServerKeys.remember(home, server.certificate(), "http://127.0.0.1:8443/");
        ServerKeys.remember(home, server.certificate(), "http://127.0.0.1:8443/");
        assertThat(ServerKeys.pinned(home, server.certificate())).isTrue();
        assertThat(ServerKeys.pinned(home, unit.certificate())).isFalse();
    }

    @Test
    void anOlderRevocationListThanOneSeenBefore_isRefused() throws Exception {
        TestPki pki = TestPki.create(home.resolve("pki"));
        TestPki other = TestPki.create(home.resolve("other"));
        ServerKeys.requireNotOlder(home, pki.ca.certificate(), BigInteger.valueOf(5));
        ServerKeys.requireNotOlder(home, pki.ca.certificate(), BigInteger.valueOf(5));
        ServerKeys.requireNotOlder(home, other.ca.certificate(), BigInteger.ONE); // another CA has its own count
        assertThatThrownBy(() -> ServerKeys.requireNotOlder(home, pki.ca.certificate(), BigInteger.valueOf(4)))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.reason()).isEqualTo(KeysException.Reason.CRL_INVALID));
        ServerKeys.requireNotOlder(home, pki.ca.certificate(), BigInteger.valueOf(6));
        assertThatThrownBy(() -> ServerKeys.requireNotOlder(home, pki.ca.certificate(), BigInteger.valueOf(5)))
                .isInstanceOf(KeysException.class);
    }
}
