package cn.midang.server.archive;

import cn.midang.keys.io.WriteBehind;
import cn.midang.server.config.Faults;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.apache.commons.io.output.ProxyOutputStream;

/**
 * Where a blob store stages what it is given: a file in a local folder ({@code tmp/}), published
 * by the store when the upload commits. A crash leaves only files here, which the next start
 * sweeps away; nothing half-written is ever published.
 */
final class LocalStaging {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;

    LocalStaging(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
    }

    /** Bytes free for this user on the file system uploads are staged in (and, for files, kept in). */
    long usableSpace() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    /** How a store makes a finished staged file durable and visible under {@code name}. */
    @FunctionalInterface
    interface Publisher {
        void publish(Path file, FileChannel channel, String name) throws IOException;
    }

    /** A new staged blob, published under a new random name or as {@code replaced}. */
    BlobStore.Staged stage(String replaced, Publisher publisher) throws IOException {
        Path file = Files.createTempFile(dir, "upload-", ".partial");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
        OutputStream written = new ProxyOutputStream(Faults.watched(Channels.newOutputStream(ch))) {
            @Override
            protected void handleIOException(IOException e) throws IOException {
                throw new StorageFailure("writing a staged blob", e);
            }
        };
        // Written on another thread and forced behind (issue 17): the receiving thread only decrypts and
        // checks, and the commit's force finds little left to write.
        OutputStream out = new WriteBehind(written, () -> {
            try {
                ch.force(false);
            } catch (IOException e) {
                throw new StorageFailure("forcing a staged blob", e);
            }
        }, WriteBehind.FORCE_EVERY);
        return new BlobStore.Staged() {
            private boolean done;

            @Override
            public OutputStream stream() {
                return out;
            }

            @Override
            public String commit() throws IOException {
                out.flush();
                String name = replaced != null ? replaced : newName();
                try {
                    publisher.publish(file, ch, name);
                } catch (StorageFailure e) {
                    throw e;
                } catch (IOException e) {
                    throw new StorageFailure("storing the blob", e);
                } finally {
                    abort(); // the staged file is gone either way: published (moved or copied) or failed
                }
                return name;
            }

            @Override
            public void abort() {
                if (done) {
                    return;
                }
                done = true;
                try {
                    out.close();
                } catch (IOException e) {
                    // closing a half-written temp file: nothing to save
                }
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // swept at next start
                }
            }
        };
    }

    private static String newName() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Removes what a crash left staged. Returns how many. */
    int sweep() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
                n++;
            }
        }
        return n;
    }
}
