package cn.midang.server.archive;

import cn.midang.server.config.Faults;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Blobs as files: staged in {@code tmp/}, then forced to disk, renamed to
 * {@code ab/<32 hex>} and the folder forced, so a crash leaves either the whole blob under its
 * name or a file in {@code tmp/} that the next start sweeps away.
 */
public final class FileBlobStore implements BlobStore {

    private static final Pattern NAME = Pattern.compile("[0-9a-f]{32}");

    private final Path root;
    private final LocalStaging staging;

    public FileBlobStore(Path root) throws IOException {
        this.root = root;
        this.staging = new LocalStaging(root.resolve("tmp"));
    }

    private Path pathOf(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a blob name");
        }
        return root.resolve(name.substring(0, 2)).resolve(name);
    }

    @Override
    public Staged stage() throws IOException {
        return staged(null);
    }

    @Override
    public Staged replacing(String name) throws IOException {
        if (!Files.exists(pathOf(name))) {
            throw new java.nio.file.NoSuchFileException(name, null, "no such blob to replace");
        }
        return staged(name);
    }

    @Override
    public Staged importing(String name) throws IOException {
        pathOf(name); // a blob name, or refused
        return staged(name);
    }

    /** A staged blob committed under a new random name, or under {@code replaced} (replacing it if it exists). */
    private Staged staged(String replaced) throws IOException {
        return staging.stage(replaced, (file, channel, name) -> {
            Faults.before(Faults.Op.FSYNC);
            channel.force(true);
            Path target = pathOf(name);
            boolean newShard = !Files.isDirectory(target.getParent());
            Files.createDirectories(target.getParent());
            Faults.before(Faults.Op.RENAME);
            try {
                // On POSIX, rename replaces an existing target atomically.
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                if (replaced == null) {
                    Files.move(file, target);
                } else {
                    Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            try {
                forceDirectory(target.getParent());
                if (newShard) {
                    forceDirectory(root); // the new shard folder's own entry
                }
            } catch (IOException e) {
                // Named but perhaps not durably: a new blob is taken back, so the caller's failure leaves nothing.
                if (replaced == null) {
                    Files.deleteIfExists(target);
                }
                throw e;
            }
        });
    }

    @Override
    public InputStream open(String name) throws IOException {
        return Files.newInputStream(pathOf(name));
    }

    @Override
    public void delete(String name) throws IOException {
        Files.deleteIfExists(pathOf(name));
    }

    @Override
    public java.time.Instant modified(String name) throws IOException {
        return Files.getLastModifiedTime(pathOf(name)).toInstant();
    }

    @Override
    public Set<String> names() throws IOException {
        Set<String> names = new HashSet<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, p -> p.getFileName().toString().matches("[0-9a-f]{2}"))) {
            for (Path d : dirs) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
                    for (Path f : files) {
                        String n = f.getFileName().toString();
                        if (NAME.matcher(n).matches()) {
                            names.add(n);
                        }
                    }
                }
            }
        }
        return names;
    }

    @Override
    public long usableSpace() throws IOException {
        return staging.usableSpace();
    }

    @Override
    public int sweepStaged() throws IOException {
        return staging.sweep();
    }

    /**
     * Forces a folder's entries to disk. A file system that cannot fsync a folder at all (EINVAL) is
     * passed over; any other failure is the disk's, and is thrown: a rename not known to be durable
     * must not be acknowledged (PostgreSQL's "fsyncgate" lesson).
     */
    private static void forceDirectory(Path dir) throws IOException {
        Faults.before(Faults.Op.DIRECTORY_FSYNC);
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("Invalid argument")) {
                throw e;
            }
        }
    }
}
