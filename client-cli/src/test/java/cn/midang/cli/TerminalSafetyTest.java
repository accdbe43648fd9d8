package cn.midang.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a hostile server or co-user can put in front of the user: nothing that drives the terminal. */
class TerminalSafetyTest {

    @TempDir
    Path dir;

    @Test
    void everythingPrinted_showsControlAndDirectionCharactersInsteadOfObeyingThem() {
        StringWriter sink = new StringWriter();
        PrintWriter out = new PrintWriter(new TerminalSafeWriter(sink), true);
        out.println("标题\u001B]0;pwned\u0007 report\u202Etxt.exe\u009B2J");
        out.print('\u001B');
        out.write("a\rb\u2028c".toCharArray(), 0, 5);
        out.flush();
        assertThat(sink.toString()).isEqualTo("标题<U+001B>]0;pwned<U+0007> report<U+202E>txt.exe<U+009B>2J" + System.lineSeparator()
                + "<U+001B>a<U+000D>b<U+2028>c");
    }

    @Test
    void json_carriesTheSameCharactersAsEscapes_soScriptsGetTheExactValue() throws Exception {
        String hostile = "report\u202Etxt.exe\u007F\u0085\u001B";
        String json = Output.json(Map.of("file_name", hostile));
        assertThat(json).doesNotContain("\u202E").doesNotContain("\u007F").doesNotContain("\u0085").doesNotContain("\u001B")
                .contains("\\u202e");
        assertThat(new ObjectMapper().readTree(json).path("file_name").asText()).isEqualTo(hostile);
    }

    @Test
    void aServerThatDropsTheConnection_isReportedAsALostConnection_exit7() throws Exception {
        Path pass = dir.resolve("pass.txt");
        char[] passphrase = cn.midang.keys.testkit.TestPki.randomPassphrase();
        Files.writeString(pass, new String(passphrase) + "\n");
        Files.setPosixFilePermissions(pass, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        cn.midang.keys.testkit.TestPki.create(dir.resolve("ca")).person("张三", "unit", "unit-a")
                .saveWithIterations(dir.resolve("k.p12"), passphrase, 1000);
        try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread dropper = Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        s.getInputStream().read(); // the request started; the server dies
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            CliRunner.Run r = CliRunner.run("whoami", "--server", "http://127.0.0.1:" + server.getLocalPort() + "/", "--identity",
                    dir.resolve("k.p12").toString(), "--passphrase-file", pass.toString());
            assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.NETWORK);
            assertThat(r.err()).contains("connection to the server was lost").doesNotContain("unexpected error");
            server.close();
            dropper.join();
        }
    }
}
