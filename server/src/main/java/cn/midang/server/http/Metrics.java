package cn.midang.server.http;

import cn.midang.server.refusal.ErrorCode;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Operators' figures in Prometheus text format ({@code GET /metrics}): requests by action and
 * status, latency by action, request body bytes by action, refusals by error code. Labels are
 * route actions and error codes only: never a caller, a unit, a campaign or a file name.
 */
public final class Metrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder().name("midang_requests_total")
            .help("Requests by route action and HTTP status.").labelNames("action", "status").register(registry);
    private final Counter refusals = Counter.builder().name("midang_refusals_total")
            .help("Refused requests by error code.").labelNames("code").register(registry);
    private final Counter bytes = Counter.builder().name("midang_request_body_bytes_total")
            .help("Declared request body bytes by route action.").labelNames("action").register(registry);
    private final Histogram latency = Histogram.builder().name("midang_request_duration_seconds")
            .help("Time to handle a request, by route action.").labelNames("action")
            .classicOnly().classicUpperBounds(0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300).register(registry);

    {
        io.prometheus.metrics.core.metrics.Info.builder().name("midang_crypto_backend_info")
                .help("What does the bulk cryptography (SM3, SM4-GCM): libgcrypt (native) or Bouncy Castle.")
                .labelNames("backend", "native").register(registry)
                .addLabelValues(cn.midang.keys.CryptoEngine.inUse(), Boolean.toString(cn.midang.keys.CryptoEngine.isNative()));
    }

    void observe(String action, int status, double seconds, long bodyBytes) {
        requests.labelValues(action, Integer.toString(status)).inc();
        latency.labelValues(action).observe(seconds);
        if (bodyBytes > 0) {
            bytes.labelValues(action).inc(bodyBytes);
        }
    }

    void refused(ErrorCode code) {
        refusals.labelValues(code.code()).inc();
    }

    public String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    public void write(OutputStream out) throws IOException {
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
    }
}
