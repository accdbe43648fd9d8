package cn.midang.bench;

import cn.midang.keys.digest.Sm3;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.Opener;
import cn.midang.keys.seal.Rewrapper;
import cn.midang.keys.seal.Sealer;
import cn.midang.keys.sign.RawSignatures;
import cn.midang.keys.testkit.TestPki;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Throughput of the {@code keys} operations on this machine. Bulk benchmarks process
 * {@link #PAYLOAD} bytes per operation (MB/s = ops/s × 16.78); signature benchmarks sign or
 * verify a 256-byte message (the size of a receipt). Run with {@code bench/run-crypto.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CryptoBench {

    /** 16 MiB per bulk operation. */
    public static final int PAYLOAD = 16 << 20;

    byte[] content;
    byte[] message;
    byte[] sealedPackage;
    byte[] signature;
    Identity unit;
    Identity archive;
    Identity reader;
    ChainValidator trust;
    Sealer sealer;
    Opener opener;
    RawSignatures.Signer reusedSigner;

    @Setup
    public void setUp() throws Exception {
        if ("native".equals(System.getProperty("midang.crypto")) && !cn.midang.keys.CryptoEngine.isNative()) {
            throw new IllegalStateException("asked for the native backend, running " + cn.midang.keys.CryptoEngine.inUse());
        }
        TestPki pki = TestPki.create(Files.createTempDirectory("midang-bench"));
        unit = pki.person("unit-a", "unit", "unit-a");
        archive = pki.person("archive", "server", "Midang");
        reader = pki.person("reader", "inspector", "市保密局");
        trust = pki.validator();
        content = new byte[PAYLOAD];
        new Random(1).nextBytes(content);
        message = new byte[256];
        new Random(2).nextBytes(message);
        sealer = Sealer.signedBy(unit).to(archive.certificate()).clock(pki.clock).build();
        opener = Opener.forRecipient(archive, trust);
        ByteArrayOutputStream out = new ByteArrayOutputStream(PAYLOAD + 8192);
        sealer.seal(new ByteArrayInputStream(content), out);
        sealedPackage = out.toByteArray();
        reusedSigner = RawSignatures.newSigner(unit);
        signature = RawSignatures.sign(unit, message);
    }

    @Benchmark
    public Object seal16MiB() throws Exception {
        return sealer.seal(new ByteArrayInputStream(content), OutputStream.nullOutputStream());
    }

    @Benchmark
    public Object open16MiB() throws Exception {
        return opener.streamUnverified(new ByteArrayInputStream(sealedPackage), OutputStream.nullOutputStream());
    }

    @Benchmark
    public void rewrap16MiB() throws Exception {
        Rewrapper.holding(archive).rewrap(new ByteArrayInputStream(sealedPackage), List.of(reader.certificate()),
                OutputStream.nullOutputStream());
    }

    @Benchmark
    public byte[] sm3_16MiB() {
        return Sm3.digest(content);
    }

    @Benchmark
    public byte[] sm2SignReusedSigner() throws Exception {
        return reusedSigner.sign(message);
    }

    @Benchmark
    public byte[] sm2SignFresh() throws Exception {
        return RawSignatures.sign(unit, message);
    }

    @Benchmark
    public void sm2Verify() throws Exception {
        RawSignatures.verify(unit.certificate(), signature, message);
    }
}
