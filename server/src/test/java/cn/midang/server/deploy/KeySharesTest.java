package cn.midang.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.forms.KeyShare;
import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.testkit.TestPki;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archive key's secret, split 2 of 3 among three departments' approvers and rebuilt, and every way a share is refused. */
class KeySharesTest {

    @TempDir
    Path tmp;

    TestPki pki;
    Identity server;
    Identity archive;
    List<Identity> holders = new ArrayList<>();
    byte[] secret;
    List<byte[]> files;

    @BeforeEach
    void setUp() throws Exception {
        pki = TestPki.create(tmp);
        server = Identity.generate("Midang server signing", pki.clock); // as at init: no certificate from the CA yet
        archive = Identity.generate("Midang archive", pki.clock);
        for (String dept : List.of("市信息产业办", "市公安局", "市保密局")) {
            holders.add(pki.person("审批人-" + dept, "approver", dept));
        }
        secret = KeyShares.newSecret();
        files = KeyShares.split(secret, 2, holders.stream().map(Identity::certificate).toList(), archive.certificate(), server, pki.clock);
    }

    KeyShare.Share open(int i) throws KeysException {
        return KeyShare.open(files.get(i), holders.get(i), server.certificate());
    }

    @Test
    void anyTwoOfThree_rebuildTheSecret_oneDoesNot() throws Exception {
        assertThat(KeyShares.combine(List.of(open(0), open(1)))).isEqualTo(secret);
        assertThat(KeyShares.combine(List.of(open(2), open(0)))).isEqualTo(secret);
        assertThat(KeyShares.combine(List.of(open(1), open(2), open(0)))).isEqualTo(secret);
        assertThatThrownBy(() -> KeyShares.combine(List.of(open(1)))).hasMessageContaining("1 of 2 shares");
        assertThatThrownBy(() -> KeyShares.combine(List.of(open(1), open(1)))).hasMessageContaining("1 of 2 shares");
        assertThat(open(0).value()).as("a share is not the secret").isNotEqualTo(secret);
    }

    @Test
    void aShareOpens_onlyForItsHolder_andOnlyFromTheServersKey() throws Exception {
        assertThatThrownBy(() -> KeyShare.open(files.get(0), holders.get(1), server.certificate()))
                .isInstanceOf(KeysException.class).extracting(e -> ((KeysException) e).reason()).isEqualTo(KeysException.Reason.NOT_A_RECIPIENT);
        Identity impostor = Identity.generate("Midang server signing", pki.clock);
        List<byte[]> forged = KeyShares.split(KeyShares.newSecret(), 2, holders.stream().map(Identity::certificate).toList(),
                archive.certificate(), impostor, pki.clock);
        assertThatThrownBy(() -> KeyShare.open(forged.get(0), holders.get(0), server.certificate()))
                .hasMessageContaining("not signed by this server's key");
    }

    @Test
    void delivered_toThisStartsKey_byItsHolder_onlyThat() throws Exception {
        Identity start = Identity.generate("unseal", pki.clock);
        byte[] d = KeyShare.deliver(open(0), holders.get(0), start.certificate(), pki.clock);
        KeyShare.Delivered got = KeyShare.receive(d, start, pki.validator());
        assertThat(got.holder().fingerprint()).isEqualTo(holders.get(0).certificate().fingerprint());
        assertThat(got.share().value()).isEqualTo(open(0).value());
        // a delivery of an earlier start: sealed to another one-time key
        Identity earlier = Identity.generate("unseal", pki.clock);
        byte[] old = KeyShare.deliver(open(0), holders.get(0), earlier.certificate(), pki.clock);
        assertThatThrownBy(() -> KeyShare.receive(old, start, pki.validator())).isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(KeysException.Reason.NOT_A_RECIPIENT);
        // one changed byte
        byte[] tampered = d.clone();
        tampered[tampered.length - 40] ^= 1;
        assertThatThrownBy(() -> KeyShare.receive(tampered, start, pki.validator())).isInstanceOf(KeysException.class);
        // another holder delivering a share that is not theirs
        byte[] relayed = KeyShare.deliver(open(0), holders.get(1), start.certificate(), pki.clock);
        assertThatThrownBy(() -> KeyShare.receive(relayed, start, pki.validator())).hasMessageContaining("someone other than its holder");
        // a holder the CA did not certify
        TestPki other = TestPki.create(tmp.resolve("other"));
        Identity stranger = other.person("stranger", "approver", "市公安局");
        byte[] foreign = KeyShare.deliver(open(0), stranger, start.certificate(), pki.clock);
        assertThatThrownBy(() -> KeyShare.receive(foreign, start, pki.validator())).isInstanceOf(KeysException.class)
                .extracting(e -> ((KeysException) e).reason()).isEqualTo(KeysException.Reason.UNTRUSTED_ISSUER);
    }

    @Test
    void sharesOfAnotherSplit_orAChangedValue_doNotCombine() throws Exception {
        List<byte[]> again = KeyShares.split(KeyShares.newSecret(), 2, holders.stream().map(Identity::certificate).toList(),
                archive.certificate(), server, pki.clock);
        KeyShare.Share otherSplit = KeyShare.open(again.get(1), holders.get(1), server.certificate());
        assertThatThrownBy(() -> KeyShares.combine(List.of(open(0), otherSplit))).hasMessageContaining("not of one split");
        KeyShare.Share s = open(1);
        byte[] v = s.value();
        v[0] ^= 1;
        KeyShare.Share changed = new KeyShare.Share(s.archive(), s.holder(), s.index(), s.threshold(), s.holders(), v, s.check());
        assertThatThrownBy(() -> KeyShares.combine(List.of(open(0), changed))).hasMessageContaining("do not rebuild");
        Certificate anotherArchive = Identity.generate("x", pki.clock).certificate();
        assertThat(KeyShare.archiveId(anotherArchive)).isNotEqualTo(open(0).archive());
    }
}
