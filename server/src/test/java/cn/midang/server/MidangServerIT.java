package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MidangServerIT {

    MidangServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        server = MidangServer.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthz_answersOkWithoutServerVersion() throws Exception {
        HttpResponse<String> r = get("/healthz");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok\n");
        assertThat(r.headers().firstValue("Server")).isEmpty();
    }

    @Test
    void unknownPath_isDeniedAs404WithStableCode() throws Exception {
        HttpResponse<String> r = get("/documents/1");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("\"code\":\"not_found\"").contains("message_zh");
    }
}
