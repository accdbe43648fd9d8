package cn.midang.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.midang.cli.net.MidangClient;
import cn.midang.cli.net.Receipt;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with the ECDSA transport key, pinned by the client through the SM2-signed binding. */
class TlsIT {

    @TempDir
    static Path tmp;

    static DevServer dev;

    @BeforeAll
    static void start() throws Exception {
        dev = DevServer.start(tmp.resolve("data"), Map.of("MIDANG_LISTEN_TLS", "true"));
    }

    @AfterAll
    static void stop() throws Exception {
        dev.close();
    }

    @Test
    void submitAndGet_overHttps() throws Exception {
        assertThat(dev.uri().getScheme()).isEqualTo("https");
        Path f = tmp.resolve("report.txt");
        Files.writeString(f, "经 HTTPS 提交的报告");
        MidangClient c = dev.client("unit-a");
        Receipt r = c.submit(f, "demo", "report", null).receipt();
        Path back = tmp.resolve("back.txt");
        c.get(r.id(), back);
        assertThat(Files.readString(back)).isEqualTo("经 HTTPS 提交的报告");
    }

    @Test
    void defaultJdkTrust_refusesTheSelfSignedTransportCertificate() {
        HttpClient http = HttpClient.newHttpClient();
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(java.net.URI.create(dev.server.url("127.0.0.1") + "healthz")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }
}
