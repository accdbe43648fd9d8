package cn.midang.server.archive;

import cn.midang.keys.digest.Sm3;
import cn.midang.server.config.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Moves every blob of a deployment's file store into an object store under the same names (the
 * records keep pointing at them), each read back from the target and compared, SM3 for SM3, with
 * what was read from the source. A blob already there with the same content is left as it is, so
 * a copy that stopped is resumed by running it again.
 */
public final class BlobCopy {

    /** What was copied: blobs and bytes. */
    public record Result(long blobs, long bytes) {}

    /** Progress: {@code done} of {@code of} blobs. */
    @FunctionalInterface
    public interface Progress {
        void blobs(long done, long of);
    }

    private BlobCopy() {}

    /** Copies the blobs under {@code localRoot} (the data directory's blobs/) into {@code to}, and verifies them. */
    public static Result toObjectStore(Path localRoot, ServerConfig.ObjectStore to, Progress progress) throws IOException {
        try (BlobStore from = new FileBlobStore(localRoot); BlobStore target = S3BlobStore.open(to, localRoot)) {
            return copy(from, target, progress);
        }
    }

    /**
     * Checks that {@code store} can be used (the bucket exists, the keys may use it), as the server
     * will at start; throws naming the bucket when not.
     */
    public static void check(ServerConfig.ObjectStore store) throws IOException {
        Path scratch = java.nio.file.Files.createTempDirectory("midang-blobs-check");
        try (BlobStore s = S3BlobStore.open(store, scratch)) {
            s.names();
        } finally {
            org.apache.commons.io.file.PathUtils.deleteDirectory(scratch);
        }
    }

    /**
     * Copies the blobs {@code names} of the file store under {@code localRoot} into plain files
     * {@code folder/NAME} (a backup), each forced to disk. Blobs are never changed in place (a
     * rekey replaces one whole), so a running server may go on writing others meanwhile.
     */
    public static Result toFolder(Path localRoot, java.util.Collection<String> names, Path folder, Progress progress)
            throws IOException {
        java.nio.file.Files.createDirectories(folder);
        long bytes = 0;
        long done = 0;
        try (BlobStore from = new FileBlobStore(localRoot)) {
            for (String name : names.stream().sorted().toList()) {
                Path target = folder.resolve(name);
                try (InputStream in = from.open(name);
                        java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(target,
                                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
                    bytes += out.transferFrom(java.nio.channels.Channels.newChannel(in), 0, Long.MAX_VALUE);
                    out.force(true);
                }
                progress.blobs(++done, names.size());
            }
        }
        return new Result(names.size(), bytes);
    }

    /** Imports the plain files {@code folder/NAME} of a backup into the file store under {@code localRoot}, under the same names. */
    public static Result fromFolder(Path folder, java.util.Collection<String> names, Path localRoot, Progress progress)
            throws IOException {
        long bytes = 0;
        long done = 0;
        byte[] buffer = new byte[1 << 16];
        try (BlobStore to = new FileBlobStore(localRoot)) {
            for (String name : names.stream().sorted().toList()) {
                try (InputStream in = java.nio.file.Files.newInputStream(folder.resolve(name)); BlobStore.Staged staged = to.importing(name)) {
                    OutputStream out = staged.stream();
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        out.write(buffer, 0, n);
                        bytes += n;
                    }
                    staged.commit();
                }
                progress.blobs(++done, names.size());
            }
        }
        return new Result(names.size(), bytes);
    }

    static Result copy(BlobStore from, BlobStore to, Progress progress) throws IOException {
        List<String> names = from.names().stream().sorted().toList();
        java.util.Set<String> there = to.names();
        long bytes = 0;
        long done = 0;
        byte[] buffer = new byte[1 << 16];
        for (String name : names) {
            byte[] source;
            if (there.contains(name) && Arrays.equals(sm3(from, name), sm3(to, name))) {
                source = null; // copied by an earlier run
            } else {
                try (InputStream in = from.open(name); Sm3.DigestingInputStream digesting = Sm3.digesting(in);
                        BlobStore.Staged staged = to.importing(name)) {
                    OutputStream out = staged.stream();
                    int n;
                    while ((n = digesting.read(buffer)) > 0) {
                        out.write(buffer, 0, n);
                        bytes += n;
                    }
                    staged.commit();
                    source = digesting.digest();
                }
                if (!Arrays.equals(source, sm3(to, name))) {
                    throw new IOException("blob " + name + " reads back differently from the object store than it was written");
                }
            }
            progress.blobs(++done, names.size());
        }
        return new Result(names.size(), bytes);
    }

    private static byte[] sm3(BlobStore store, String name) throws IOException {
        try (InputStream in = store.open(name)) {
            return Sm3.digest(in);
        }
    }
}
