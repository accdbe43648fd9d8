package cn.midang.server.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Set;

/**
 * Where stored packages live. Blobs are written once: staged, then committed under a new name,
 * or aborted. Implementations treat the medium as untrusted: what goes in is already sealed.
 * Two implementations, held to the same tests: {@link FileBlobStore} (local disk, the default) and
 * {@link S3BlobStore} (an S3-compatible object store, {@code blobs.url}).
 */
public interface BlobStore extends AutoCloseable {

    /**
     * The blob store {@code config} names: the object store of {@code blobs.url}, or files under
     * {@code localRoot}. Either way, uploads are staged in {@code localRoot/tmp}.
     */
    static BlobStore open(cn.midang.server.config.ServerConfig config, java.nio.file.Path localRoot) throws IOException {
        return config.blobs().isPresent() ? S3BlobStore.open(config.blobs().get(), localRoot) : new FileBlobStore(localRoot);
    }

    /** Starts writing a new blob. */
    Staged stage() throws IOException;

    /**
     * Starts writing the next version of committed blob {@code name}: committing replaces it
     * atomically (a reader sees the old content or the new, never a torn blob) and keeps its name.
     * Used only to re-address packages to a new archive key.
     */
    Staged replacing(String name) throws IOException;

    /**
     * Starts writing blob {@code name} as another store holds it (a migration between stores):
     * committing makes it visible under that name, replacing any earlier copy.
     */
    Staged importing(String name) throws IOException;

    /** Opens a committed blob for reading. */
    InputStream open(String name) throws IOException;

    /** Deletes a committed blob (used when the record that would point to it was not written). */
    void delete(String name) throws IOException;

    /**
     * When committed blob {@code name} was last written, by the store's clock (the start-up sweep
     * leaves young unreferenced blobs alone: another node's upload may be about to commit its record).
     */
    java.time.Instant modified(String name) throws IOException;

    /** Names of all committed blobs. */
    Set<String> names() throws IOException;

    /**
     * Bytes free on the local file system where uploads are staged (for files, also where they are
     * kept): the server refuses an upload that would leave less than its reserve.
     */
    long usableSpace() throws IOException;

    /** Removes staged blobs left by a crash (never committed). Returns how many. */
    int sweepStaged() throws IOException;

    /** Releases connections; files need nothing. */
    @Override
    default void close() {}

    /** A blob being written. Exactly one of {@link #commit()} or {@link #abort()} must follow. */
    interface Staged extends AutoCloseable {
        OutputStream stream();

        /** Makes the blob durable and visible under the returned name. */
        String commit() throws IOException;

        /** Discards what was written. Safe to call after commit (then it does nothing). */
        void abort();

        @Override
        default void close() {
            abort();
        }
    }
}
