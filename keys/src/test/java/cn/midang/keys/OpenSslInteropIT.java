package cn.midang.keys;

import static org.assertj.core.api.Assertions.assertThat;

import cn.midang.keys.digest.Sm3;
import cn.midang.keys.internal.Sm2KeyTransport;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.keys.testkit.Processes;
import cn.midang.keys.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenSSL 3, which no one here wrote, checks what the library makes, at the library level.
 * (The same checks through the {@code midang} command are in client-cli's OpenSslCommandsIT.)
 */
class OpenSslInteropIT {

    @TempDir
    Path dir;

    TestPki pki;
    Identity alice;
    Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        pki = TestPki.create(dir);
        alice = pki.person("alice", "unit", "unit-a");
        alice.save(dir.resolve("alice.p12"), pki.passphrase);
        env = Map.of("MIDANG_PASSPHRASE", new String(pki.passphrase));
        // The private key leaves the PKCS#12 file only here, inside a temporary test folder.
        Processes.ok(dir, env, "openssl", "pkcs12", "-in", "alice.p12", "-passin", "env:MIDANG_PASSPHRASE",
                "-nocerts", "-nodes", "-out", "alice.key");
        Files.writeString(dir.resolve("alice.crt"), alice.certificate().toPem());
        Processes.ok(dir, env, "openssl", "x509", "-in", "alice.crt", "-pubkey", "-noout", "-out", "alice.pub");
    }

    @Test
    void identityWithFewIterations_opensHere_andWithOpenssl_andNotWithAnotherPassphrase() throws Exception {
        alice.saveWithIterations(dir.resolve("alice-dev.p12"), pki.passphrase, 10_000);
        Identity back = Identity.load(dir.resolve("alice-dev.p12"), pki.passphrase);
        assertThat(back.certificate().fingerprint()).isEqualTo(alice.certificate().fingerprint());
        assertThat(back.ca()).isPresent();
        byte[] data = "demo".getBytes(StandardCharsets.UTF_8);
        RawSignatures.verify(alice.certificate(), RawSignatures.sign(back, data), data);
        var info = Processes.ok(dir, env, "openssl", "pkcs12", "-in", "alice-dev.p12", "-passin", "env:MIDANG_PASSPHRASE",
                "-info", "-nokeys");
        assertThat(info.all()).contains("Iteration 10000").contains("AES-256-CBC").doesNotContain("Iteration 600000");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Identity.load(dir.resolve("alice-dev.p12"), "wrong".toCharArray()))
                .isInstanceOf(cn.midang.keys.KeysException.class);
    }

    @Test
    void sm2KeyBlob_opensWithOpensslPkeyutlDecrypt() throws Exception {
        byte[] key = HexFormat.of().parseHex("0123456789abcdeffedcba9876543210");
        Files.write(dir.resolve("blob.der"), Sm2KeyTransport.encrypt(alice.certificate(), key));
        Processes.ok(dir, env, "openssl", "pkeyutl", "-decrypt", "-inkey", "alice.key", "-in", "blob.der", "-out", "key.bin");
        assertThat(Files.readAllBytes(dir.resolve("key.bin"))).isEqualTo(key);
    }

    @Test
    void rawSignature_opensslVerifiesIt_andRefusesTamperedFile() throws Exception {
        byte[] data = "检查报告".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("data.bin"), data);
        Files.write(dir.resolve("data.sig"), RawSignatures.sign(alice, data));
        var good = Processes.ok(dir, env, "openssl", "dgst", "-sm3", "-verify", "alice.pub",
                "-sigopt", "distid:1234567812345678", "-signature", "data.sig", "data.bin");
        assertThat(good.out()).contains("Verified OK");
        Files.write(dir.resolve("data.bin"), "检查报告!".getBytes(StandardCharsets.UTF_8));
        var bad = Processes.run(dir, env, java.util.List.of("openssl", "dgst", "-sm3", "-verify", "alice.pub",
                "-sigopt", "distid:1234567812345678", "-signature", "data.sig", "data.bin"));
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.out()).contains("Verification failure");
    }

    /** The documented commands of docs/CRYPTO.md for a checkpoint and a witness's cosignature of it. */
    @Test
    void logCheckpointAndCosignature_opensslVerifiesThem() throws Exception {
        var log = new cn.midang.keys.tlog.NoteKey("midang.test/log", alice.certificate(), cn.midang.keys.tlog.NoteKey.Kind.LOG);
        Identity bob = pki.person("bob", "approver", "公安局");
        Files.writeString(dir.resolve("bob.crt"), bob.certificate().toPem());
        Processes.ok(dir, env, "openssl", "x509", "-in", "bob.crt", "-pubkey", "-noout", "-out", "bob.pub");
        var witness = new cn.midang.keys.tlog.NoteKey("midang.test/witness/gaj", bob.certificate(),
                cn.midang.keys.tlog.NoteKey.Kind.COSIGNER);
        var head = new cn.midang.keys.tlog.TreeHead("midang.test/log", 42, Sm3.digest(new byte[] {1}));
        var cp = cn.midang.keys.tlog.LogCheckpoint.sign(head, log, RawSignatures.newSigner(alice));
        var co = witness.cosign(RawSignatures.newSigner(bob), cp.note().text(), java.time.Instant.parse("2026-11-30T06:00:00Z"));
        Files.writeString(dir.resolve("checkpoint"), cp.cosignedBy(witness, co).note().format());
        String script = """
                set -e
                sed '/^$/q' checkpoint | sed '$d' > text
                grep '^— midang.test/log ' checkpoint | cut -d' ' -f3 | base64 -d | tail -c +5 > log.sig
                openssl dgst -sm3 -verify alice.pub -sigopt distid:1234567812345678 -signature log.sig text
                grep '^— midang.test/witness/gaj ' checkpoint | cut -d' ' -f3 | base64 -d > co.bin
                t=$(head -c 12 co.bin | tail -c 8 | od -An -tx1 | tr -d ' \n')
                { printf 'cosignature/v1\ntime %d\n' "$((16#$t))"; cat text; } > cosigned
                tail -c +13 co.bin > co.sig
                openssl dgst -sm3 -verify bob.pub -sigopt distid:1234567812345678 -signature co.sig cosigned
                """;
        var r = Processes.ok(dir, env, "bash", "-c", script);
        assertThat(r.out().split("Verified OK", -1)).hasSize(3);
        Files.writeString(dir.resolve("checkpoint"), Files.readString(dir.resolve("checkpoint")).replace("\n42\n", "\n43\n"));
        assertThat(Processes.run(dir, env, java.util.List.of("bash", "-c", script)).exit()).isNotZero();
    }

    @Test
    void opensslSignature_verifiesWithLibrary() throws Exception {
        Files.writeString(dir.resolve("m.txt"), "signed by openssl");
        Processes.ok(dir, env, "openssl", "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey", "alice.key",
                "-in", "m.txt", "-out", "m.sig", "-pkeyopt", "distid:1234567812345678");
        RawSignatures.verify(alice.certificate(), Files.readAllBytes(dir.resolve("m.sig")),
                Files.readAllBytes(dir.resolve("m.txt")));
    }

    @Test
    void sm3_matchesOpensslDgst() throws Exception {
        byte[] data = new byte[100_000];
        new java.util.Random(3).nextBytes(data);
        Files.write(dir.resolve("r.bin"), data);
        var r = Processes.ok(dir, env, "openssl", "dgst", "-sm3", "-r", "r.bin");
        assertThat(r.out()).startsWith(Sm3.hex(data));
    }
}
