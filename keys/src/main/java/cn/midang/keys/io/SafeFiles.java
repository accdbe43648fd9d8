package cn.midang.keys.io;

import cn.midang.keys.KeysException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
            tmp = createPartial(target, ".tmp"); // removed if the program is stopped meanwhile
            if (secret) {
                trySetOwnerOnly(tmp);
            }
            writeForced(tmp, data);
            moveAtomically(tmp, target);
            released(tmp);
            tmp = null;
            forceDirectory(dir);
        } catch (IOException e) {
            throw new KeysException(KeysException.Reason.IO, "cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
            released(tmp);
        }
    }

    /**
     * Writes {@code data} to {@code target}, which must not exist: written and forced under a
     * temporary name, then linked to its name in one step that fails if a file of that name
     * appeared meanwhile (nothing is ever overwritten: a receipt, a notice, a summary's file). The
     * folder must exist.
     */
    public static void writeNew(Path target, byte[] data) throws KeysException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = createPartial(target, ".tmp");
            writeForced(tmp, data);
            linkNew(tmp, target);
            forceDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new KeysException(KeysException.Reason.IO, target + " already exists; refusing to overwrite it", e);
        } catch (IOException e) {
            throw new KeysException(KeysException.Reason.IO, "cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
            released(tmp);
        }
    }

    /**
     * Gives {@code from}'s content the name {@code to}, failing with {@link java.nio.file.FileAlreadyExistsException}
     * if {@code to} exists (a hard link is atomic; where links are not possible, a move that checks first).
     */
    public static void linkNew(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (e instanceof FileAlreadyExistsException exists) {
                throw exists;
            }
            Files.move(from, to); // no REPLACE_EXISTING: refuses an existing target
        }
    }

    /** Temporary files being written now: removed by a shutdown hook if the program is stopped (Ctrl-C, SIGTERM). */
    private static final Set<Path> PARTIALS = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> PARTIALS.forEach(SafeFiles::deleteQuietly), "midang-partial-files"));
    }

    /**
     * A new temporary file beside {@code target} ({@code .NAME.PID.RANDOM SUFFIX}), readable by its
     * owner only, that is deleted if the program is stopped before {@link #released} — a decrypted
     * document must not outlive an interrupted download. Partial files of {@code target} left by a
     * process that no longer runs (killed with -9, power lost) are removed first.
     */
    public static Path createPartial(Path target, String suffix) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new NoSuchFileException(String.valueOf(dir), null, "the folder does not exist");
        }
        String prefix = "." + target.getFileName() + ".";
        sweepPartials(dir, prefix, suffix);
        // createTempFile makes it readable by its owner only (0600 on POSIX).
        Path tmp = Files.createTempFile(dir, prefix + ProcessHandle.current().pid() + ".", suffix);
        PARTIALS.add(tmp);
        return tmp;
    }

    /** The partial file is renamed or deleted: no longer the shutdown hook's to remove. */
    public static void released(Path tmp) {
        if (tmp != null) {
            PARTIALS.remove(tmp);
        }
    }

    private static void sweepPartials(Path dir, String prefix, String suffix) {
        try (var list = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(suffix);
        })) {
            for (Path p : list) {
                String rest = p.getFileName().toString().substring(prefix.length());
                int dot = rest.indexOf('.');
                try {
                    long pid = Long.parseLong(rest.substring(0, Math.max(dot, 0)));
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        continue; // another run is writing it now
                    }
                } catch (NumberFormatException e) {
                    // an older version's partial file: its process is long gone
                }
                deleteQuietly(p);
            }
        } catch (IOException e) {
            // the sweep is best effort; the write itself reports real problems
        }
    }

    /** Writes {@code data} into the (new, empty) file {@code tmp} and forces it to disk. */
    private static void writeForced(Path tmp, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            var buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
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
