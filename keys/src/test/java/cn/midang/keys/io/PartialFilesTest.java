package cn.midang.keys.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.keys.KeysException;
import cn.midang.keys.testkit.Processes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A decrypted document being written must not outlive the program that writes it: Ctrl-C
 * (SIGINT) or SIGTERM removes the partial file, and one left by a process killed outright is
 * removed by the next write to the same name. Files are never created in a folder that does not
 * exist, and {@link SafeFiles#writeNew} never replaces one.
 */
class PartialFilesTest {

    @TempDir
    Path dir;

    /** The child: creates a partial file for the target in args[0], says where, and waits to be stopped. */
    public static void main(String[] args) throws Exception {
        Path partial = SafeFiles.createPartial(Path.of(args[0]), ".partial");
        Files.writeString(partial, "解密后的内容 decrypted content");
        System.out.println(partial);
        System.out.flush();
        System.in.read(); // until the test stops it
    }

    Process child(Path target) throws Exception {
        return new ProcessBuilder(Processes.javaExecutable(), "-cp", System.getProperty("java.class.path"),
                PartialFilesTest.class.getName(), target.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    static Path announced(Process p) throws Exception {
        return Path.of(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine());
    }

    @Test
    void ctrlC_andSigterm_removeThePartialFile() throws Exception {
        for (String signal : List.of("INT", "TERM")) {
            Path target = dir.resolve("报告-" + signal + ".docx");
            Process p = child(target);
            Path partial = announced(p);
            assertThat(partial).exists().hasParent(dir);
            // The shell's own kill: as Ctrl-C (INT) and a service stop (TERM) deliver them.
            assertThat(Processes.run(dir, java.util.Map.of(), List.of("bash", "-c", "kill -" + signal + " " + p.pid())).exit()).isZero();
            p.waitFor(); // INT and TERM end a JVM after its shutdown hooks, however busy the machine
            assertThat(partial).as(signal).doesNotExist();
            assertThat(target).doesNotExist();
        }
    }

    @Test
    void aPartialFileOfAKilledProcess_isRemovedByTheNextWrite() throws Exception {
        Path target = dir.resolve("报告.docx");
        Process p = child(target);
        Path partial = announced(p);
        p.destroyForcibly().waitFor(); // SIGKILL: no hook runs
        assertThat(partial).exists();
        Path another = SafeFiles.createPartial(target, ".partial");
        assertThat(partial).doesNotExist();
        assertThat(another).exists();
        SafeFiles.deleteQuietly(another);
        SafeFiles.released(another);
    }

    @Test
    void nothingIsWrittenIntoAFolderThatDoesNotExist_andWriteNewNeverReplaces() throws Exception {
        Path missing = dir.resolve("no-such-folder").resolve("x.receipt");
        assertThatThrownBy(() -> SafeFiles.writeNew(missing, new byte[] {1})).isInstanceOf(KeysException.class);
        assertThat(dir.resolve("no-such-folder")).doesNotExist();
        Path receipt = dir.resolve("a.receipt");
        SafeFiles.writeNew(receipt, "first".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> SafeFiles.writeNew(receipt, "second".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.getMessage()).contains("already exists"));
        assertThat(Files.readString(receipt)).isEqualTo("first");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(f -> f.getFileName().toString())).containsExactly("a.receipt");
        }
    }
}
