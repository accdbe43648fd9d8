package cn.midang.keys.testkit;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Looks for text where only ciphertext may be: in bytes, or in every file under a folder. */
public final class PlaintextScan {

    private PlaintextScan() {}

    /** {@code text} in the encodings a Chinese office would use: UTF-8, UTF-16LE/BE, GBK. */
    public static List<byte[]> encodings(String text) {
        List<byte[]> out = new ArrayList<>();
        for (Charset cs : List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE,
                Charset.forName("GBK"))) {
            out.add(text.getBytes(cs));
        }
        return out;
    }

    /** The first index of {@code needle} in {@code hay}, or -1. */
    public static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The first file under {@code dir} holding any of {@code needles} (files that vanish meanwhile are skipped). */
    public static Optional<Path> firstFileContaining(Path dir, List<byte[]> needles) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] hay;
                try {
                    hay = Files.readAllBytes(f);
                } catch (NoSuchFileException e) {
                    continue;
                }
                for (byte[] n : needles) {
                    if (indexOf(hay, n) >= 0) {
                        return Optional.of(f);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
