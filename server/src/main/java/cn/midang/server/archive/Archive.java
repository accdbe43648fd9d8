package cn.midang.server.archive;

import cn.midang.keys.KeysException;
import cn.midang.keys.pki.Certificate;
import cn.midang.keys.pki.ChainValidator;
import cn.midang.keys.pki.Identity;
import cn.midang.keys.seal.Opened;
import cn.midang.keys.seal.Opener;
import cn.midang.keys.seal.PositionalCipher;
import cn.midang.keys.seal.RecordCipher;
import cn.midang.keys.seal.Rewrapper;
import cn.midang.keys.seal.Sealed;
import cn.midang.keys.seal.Sealer;
import cn.midang.server.deploy.Deployment;
import cn.midang.server.deploy.Rekey;
import cn.midang.server.deploy.SealedKeyFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.commons.io.input.BoundedInputStream;
import org.apache.commons.io.input.TeeInputStream;
import org.apache.commons.io.output.CloseShieldOutputStream;
import org.apache.commons.io.output.CountingOutputStream;

/**
 * The archive barrier (Vault's barrier is the model): the one holder of the archive's private key
 * and of the blob store. Everything the server does with stored packages goes through here —
 * accept a sealed upload, open a small object for the server's own reading, stream a document's
 * plaintext to the indexer, re-address a package to a reader, seal a document the server made,
 * sweep what a crash left — and nothing else in the server touches the archive key or the blobs
 * (an architecture test fails the build otherwise). The keys that protect the records and the
 * search index are kept sealed to the archive key, so they are opened here too.
 */
public final class Archive implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Archive.class);

    /** Where the chain validator comes from (it changes when the CRL is renewed). */
    @FunctionalInterface
    public interface Trust {
        ChainValidator validator() throws KeysException;
    }

    private final Identity key;
    private final BlobStore blobs;
    private final Trust trust;
    private final Clock clock;

    public Archive(Identity key, BlobStore blobs, Trust trust, Clock clock) {
        this.key = Objects.requireNonNull(key);
        this.blobs = Objects.requireNonNull(blobs);
        this.trust = Objects.requireNonNull(trust);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * The archive of a deployment: its archive key and the blob store {@code config} names (files
     * under the data folder, or an object store), reached now: an object store's bucket that cannot
     * be used stops here, naming it. Close it to release the store's connections.
     */
    public static Archive of(Deployment d, cn.midang.server.config.ServerConfig config) throws IOException {
        return of(d, BlobStore.open(config, d.dir().blobs()));
    }

    /** The archive of a deployment over {@code blobs}. */
    public static Archive of(Deployment d, BlobStore blobs) {
        return new Archive(d.archiveIdentity(), blobs, d::validator, d.clock());
    }

    /** Releases the blob store's connections. */
    @Override
    public void close() {
        blobs.close();
    }

    /** The archive's certificate, to which every package is sealed. */
    public Certificate certificate() {
        return key.certificate();
    }

    /**
     * A sealed upload being received: the body is written to a staged blob while the archive key
     * opens it to check the tag, the signer's signature and certificate; no plaintext is kept.
     * {@link #commit()} makes it durable; closing without commit leaves nothing.
     */
    public final class Upload implements AutoCloseable {
        private final BlobStore.Staged staged;
        private final BoundedInputStream counting;
        private Opened opened;

        private Upload(BlobStore.Staged staged, BoundedInputStream counting) {
            this.staged = staged;
            this.counting = counting;
        }

        /** What the package says of itself, authenticated. */
        public Opened opened() {
            return opened;
        }

        /** The size of the body as received. */
        public long bodyBytes() {
            return counting.getCount();
        }

        /** Forces the blob to disk and names it. */
        public String commit() throws IOException {
            return staged.commit();
        }

        @Override
        public void close() {
            staged.abort();
        }
    }

    /**
     * Receives {@code body}, a package sealed to the archive: a {@link KeysException} says why it is
     * not acceptable (nothing is kept); an {@link IOException} that the body could not be read.
     */
    public Upload accept(InputStream body) throws KeysException, IOException {
        BlobStore.Staged staged = blobs.stage();
        Upload u = new Upload(staged, BoundedInputStream.builder().setInputStream(body).get());
        try (InputStream tee = new TeeInputStream(u.counting, staged.stream())) {
            u.opened = Opener.forRecipient(key, trust.validator()).check(tee);
            return u;
        } catch (KeysException | IOException | RuntimeException e) {
            staged.abort();
            throw e;
        }
    }

    /** Bytes free where uploads are staged and (for files) kept: {@link BlobStore#usableSpace}. */
    public long usableSpace() throws IOException {
        return blobs.usableSpace();
    }

    /** A document the server made, sealed to the archive and stored under {@code blobName}. */
    public record Stored(String blobName, Sealed sealed, long packageBytes) {}

    /** Seals {@code content} to the archive, signed by {@code signer} (the server), and stores it durably. */
    public Stored sealGenerated(Identity signer, String fileName, byte[] content) throws IOException, KeysException {
        try (BlobStore.Staged staged = blobs.stage()) {
            Sealed sealed;
            long packageBytes;
            // The staged stream stays open: committing it forces it to disk.
            try (CountingOutputStream counting = new CountingOutputStream(CloseShieldOutputStream.wrap(staged.stream()))) {
                sealed = Sealer.signedBy(signer).to(key.certificate()).describedAs(fileName).clock(clock).build()
                        .seal(new ByteArrayInputStream(content), counting);
                counting.flush();
                packageBytes = counting.getByteCount();
            }
            return new Stored(staged.commit(), sealed, packageBytes);
        }
    }

    /**
     * The content of stored package {@code blobName}, authenticated, for the server's own reading
     * (report forms, the summary's JSON); refused above {@code maxBytes}.
     */
    public byte[] content(String blobName, int maxBytes) throws IOException, KeysException {
        try (InputStream in = blobs.open(blobName)) {
            return Opener.forRecipient(key, trust.validator()).openToMemory(in, maxBytes);
        }
    }

    /**
     * Streams the plaintext of stored package {@code blobName} into {@code plaintext} (the text
     * extractor) <em>before</em> it is authenticated, as the name says: the package is authentic
     * only if this returns; the reader must discard what it got when it throws.
     */
    public Opened streamUnverified(String blobName, OutputStream plaintext) throws IOException, KeysException {
        try (InputStream in = blobs.open(blobName)) {
            return Opener.forRecipient(key, trust.validator()).streamUnverified(in, plaintext);
        }
    }

    /** Writes stored package {@code blobName} re-addressed to {@code reader}: the content is neither decrypted nor re-encrypted. */
    public void readdress(String blobName, Certificate reader, OutputStream out) throws IOException, KeysException {
        try (InputStream in = blobs.open(blobName)) {
            Rewrapper.holding(key).rewrap(in, List.of(reader), out);
        }
    }

    /** Deletes a blob no record points to (a record that could not be written). */
    public void discard(String blobName) throws IOException {
        blobs.delete(blobName);
    }

    /**
     * Start-up sweep: staged blobs, and committed blobs outside {@code referenced} (a crash between
     * storing and recording) last written before {@code writtenBefore}. {@code referenced} must be
     * read before this is called: a blob another node commits meanwhile is younger than the bound.
     * {@code Instant.MAX}: every unreferenced blob (no other server can be uploading).
     */
    public int sweep(Set<String> referenced, java.time.Instant writtenBefore) throws IOException {
        int removed = blobs.sweepStaged();
        for (String name : blobs.names()) {
            if (!referenced.contains(name)) {
                java.time.Instant written = java.time.Instant.MIN;
                if (!writtenBefore.equals(java.time.Instant.MAX)) {
                    try {
                        written = blobs.modified(name);
                    } catch (java.nio.file.NoSuchFileException gone) {
                        continue;
                    }
                }
                if (written.isBefore(writtenBefore)) {
                    blobs.delete(name);
                    removed++;
                } else {
                    LOG.info("unrecorded stored package {} is younger than the sweep's grace; left for a later start", name);
                }
            }
        }
        return removed;
    }

    /** How far a rekey's re-addressing has come: packages done (re-addressed or found so) of all. */
    @FunctionalInterface
    public interface Progress {
        void packages(int done, int of);
    }

    /**
     * Moves the archive to the next key of a ready rekey ({@link Rekey}): opens the next key with
     * this archive's key, re-addresses every stored package to it (each replaced atomically; the
     * content, its tag and its author's signature are copied byte for byte), re-seals the record and
     * index keys to it, and has the deployment switch to it. Resumes where an interrupted run stopped:
     * a package already addressed to the next key is left as it is.
     */
    public void rekey(Deployment d, Rekey.Plan plan, Progress progress) throws IOException, KeysException, java.sql.SQLException {
        Rekey.Next next = Rekey.open(d.dir(), key, d.signingIdentity().certificate());
        try {
            Certificate to = next.key().certificate();
            Rekey.readdressing(d.dir(), plan);
            List<String> names = blobs.names().stream().sorted().toList();
            // A few packages at a time: each one's cost is mostly waiting for its replacement to reach the disk.
            java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(READDRESSING_THREADS);
            try {
                java.util.concurrent.CompletionService<Void> work = new java.util.concurrent.ExecutorCompletionService<>(pool);
                for (String name : names) {
                    work.submit(() -> {
                        readdressTo(name, to);
                        synchronized (progress) {
                            progress.packages(done.incrementAndGet(), names.size());
                        }
                        return null;
                    });
                }
                for (int i = 0; i < names.size(); i++) {
                    try {
                        work.take().get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        switch (e.getCause()) {
                            case IOException io -> throw io;
                            case KeysException k -> throw k;
                            case RuntimeException r -> throw r;
                            default -> throw new IOException(e.getCause());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("re-addressing interrupted", e);
                    }
                }
            } finally {
                // On a failure, what has not started does not start, and nothing is still writing when this returns.
                pool.shutdownNow();
                awaitQuietly(pool);
            }
            resealKey(d.dir().recordKey(), next.key(), b -> RecordCipher.openKey(b, key, trust.validator()).sealKey(next.key(), clock));
            resealKey(d.dir().indexKey(), next.key(), b -> PositionalCipher.openKey(b, key, trust.validator()).sealKey(next.key(), clock));
            d.rekeyed(plan, next);
        } finally {
            java.util.Arrays.fill(next.secret(), (byte) 0);
        }
    }

    private static void awaitQuietly(java.util.concurrent.ExecutorService pool) {
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many packages a rekey re-addresses at once. */
    private static final int READDRESSING_THREADS = 4;

    /** One stored package re-addressed from the archive key to {@code to}, replaced atomically; left as it is when it already is. */
    private void readdressTo(String name, Certificate to) throws IOException, KeysException {
        boolean old;
        try (InputStream in = blobs.open(name)) {
            old = Rewrapper.addressedTo(in, key.certificate());
        }
        if (old) {
            try (BlobStore.Staged staged = blobs.replacing(name); InputStream in = blobs.open(name)) {
                Rewrapper.holding(key).rewrap(in, List.of(to), staged.stream());
                staged.commit();
            }
            return;
        }
        try (InputStream in = blobs.open(name)) {
            if (!Rewrapper.addressedTo(in, to)) {
                throw new KeysException(KeysException.Reason.NOT_A_RECIPIENT, "stored package " + name
                        + " is addressed neither to the archive key nor to the next one");
            }
        }
    }

    /** A key file sealed to the archive key, sealed again to {@code next} (left as it is when it already is). */
    private static void resealKey(Path file, Identity next, SealedKeyFile.Open<byte[]> reseal) throws IOException, KeysException {
        if (!java.nio.file.Files.exists(file)) {
            return; // made at the first start that needs it, sealed to the key of that start
        }
        byte[] sealed = java.nio.file.Files.readAllBytes(file);
        if (Rewrapper.addressedTo(new ByteArrayInputStream(sealed), next.certificate())) {
            return;
        }
        cn.midang.keys.io.SafeFiles.writeAtomically(file, reseal.open(sealed), true);
    }

    /** The record key kept sealed to the archive in {@code file}, made at the first start. */
    public RecordCipher recordCipher(Path file) throws IOException, KeysException {
        return SealedKeyFile.loadOrCreate(file, sealed -> RecordCipher.openKey(sealed, key, trust.validator()), RecordCipher.generate(),
                k -> k.sealKey(key, clock));
    }

    /** The search index's key kept sealed to the archive in {@code file}, made when there is none. */
    public PositionalCipher indexKey(Path file) throws IOException, KeysException {
        return SealedKeyFile.loadOrCreate(file, sealed -> PositionalCipher.openKey(sealed, key, trust.validator()),
                PositionalCipher.generate(), k -> k.sealKey(key, clock));
    }
}
