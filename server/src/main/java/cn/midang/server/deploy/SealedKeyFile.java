package cn.midang.server.deploy;

import cn.midang.keys.KeysException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A symmetric key of the server kept in a file only sealed (signed and encrypted) to the archive
 * key: opened at start-up, or made and stored atomically the first time.
 */
public final class SealedKeyFile {

    private SealedKeyFile() {}

    /** Opens sealed bytes. */
    @FunctionalInterface
    public interface Open<T> {
        T open(byte[] sealed) throws KeysException;
    }

    /** Seals a fresh key. */
    @FunctionalInterface
    public interface Seal<T> {
        byte[] seal(T key) throws KeysException;
    }

    /** The key in {@code file}, or {@code fresh}, sealed and stored there, when there is none. */
    public static <T> T loadOrCreate(Path file, Open<T> open, T fresh, Seal<T> seal) throws IOException, KeysException {
        if (Files.exists(file)) {
            return open.open(Files.readAllBytes(file));
        }
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, seal.seal(fresh));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return fresh;
    }
}
