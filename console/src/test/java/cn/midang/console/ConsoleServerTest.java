package cn.midang.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.cli.net.MidangClient;
import cn.midang.keys.testkit.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console stops itself after its idle time, counted on its clock from the last request it admitted. */
class ConsoleServerTest {

    @TempDir
    Path dir;

    static String get(int port, String path, String cookie) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + (cookie == null ? "" : "Cookie: " + cookie + "\r\n")
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            try (InputStream in = s.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    @Test
    void itStopsAfterItsIdleTime_andOnlyAnAdmittedRequestKeepsItRunning() throws Exception {
        TestPki pki = TestPki.create(dir);
        // No server behind it: these requests never reach a page that would ask one.
        MidangClient client = new MidangClient(URI.create("https://127.0.0.1:9"), pki.person("unit-a", "unit", "unit-a"), pki.clock);
        Duration idle = Duration.ofMinutes(60);
        try (ConsoleServer console = ConsoleServer.start(new Pages(client, pki.clock), 0, pki.clock)) {
            int port = console.port();
            pki.clock.advance(Duration.ofMinutes(59));
            assertThat(console.stopIfIdle(idle)).isFalse();

            String answer = get(port, "/?token=" + console.url().substring(console.url().indexOf("token=") + 6), null);
            assertThat(answer).startsWith("HTTP/1.1 303");
            String cookie = answer.lines().filter(l -> l.startsWith("Set-Cookie: ")).findFirst().orElseThrow().substring(12).split(";")[0];
            pki.clock.advance(Duration.ofMinutes(59));
            assertThat(console.stopIfIdle(idle)).as("the token's exchange was a request").isFalse();

            assertThat(get(port, "/static/console.css", cookie)).startsWith("HTTP/1.1 200");
            pki.clock.advance(Duration.ofMinutes(59));
            assertThat(console.stopIfIdle(idle)).as("a request in the session").isFalse();

            // Someone without the session tries the port: refused, and it does not keep the console running.
            assertThat(get(port, "/", null)).startsWith("HTTP/1.1 403");
            pki.clock.advance(Duration.ofMinutes(1));
            assertThat(console.stopIfIdle(idle)).isTrue();
            assertThatThrownBy(() -> get(port, "/", cookie)).isInstanceOf(ConnectException.class);
        }
    }
}
