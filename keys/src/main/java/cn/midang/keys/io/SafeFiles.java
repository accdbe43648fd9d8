package cn.midang.keys.io;

import cn.midang.keys.KeysException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * File reads with readable errors, and atomic writes: a file is written to a temporary name in
 * the same folder, forced to disk, then renamed over the target, so a reader never sees a
 * partly written file and a crash leaves the old file or the new one.
 */
public final class SafeFiles {
    /** Files we read whole (certificates, CRLs, key stores, signatures) are small. */
    private static final long MAX_SMALL_FILE = 16L * 1024 * 1024;

    private SafeFiles() {}

    public static byte[] read(Path file, String what) throws KeysException {
        try {
            long size = Files.size(file);
            if (size > MAX_SMALL_FILE) {
                throw new KeysException(KeysException.Reason.MALFORMED,
                        "the " + what + " file " + file + " is " + size + " bytes, too large to be a " + what);
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new KeysException(KeysException.Reason.IO, "the " + what + " file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new KeysException(KeysException.Reason.IO, "cannot read the " + what + " file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code data} to {@code target} atomically. With {@code secret}, the file is created
     * readable by its owner only.
     */
    public static void writeAtomically(Path target, byte[] data, boolean secret) throws KeysException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            if (secret) {
                trySetOwnerOnly(tmp);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                var buf = java.nio.ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            moveAtomically(tmp, target);
            tmp = null;
            forceDirectory(dir);
        } catch (IOException e) {
            throw new KeysException(KeysException.Reason.IO, "cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Refuses to overwrite: for files whose loss would be serious (a CA key, an identity). */
    public static void requireAbsent(Path target) throws KeysException {
        if (Files.exists(target)) {
            throw new KeysException(KeysException.Reason.IO,
                    target + " already exists; refusing to overwrite it (move it away first)");
        }
    }

    public static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes a rename in {@code dir} durable. Some file systems cannot open a folder: that is not an error. */
    public static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: not every platform allows fsync on a directory
        }
    }

    public static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // nothing more can be done; the caller is already failing
            }
        }
    }

    public static void trySetOwnerOnly(Path p) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            // non-POSIX file system: permissions are the platform's
        }
    }

}
