package io.historian.examples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.HealthThresholds;
import io.historian.Historian;
import io.historian.modbus.ModbusSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics example scraped during a device outage, read with an independent parser of the
 * Prometheus text format (Hawkular's), not by matching strings.
 */
class MetricsServerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void scrape_duringAnOutage_showsTheDeviceBackingOffAndTheHealthReason() throws Exception {
        // A 24 s "minute": rio-2 stops listening 2 s in, for 20 s.
        try (SimulatedPlant plant = SimulatedPlant.start(Duration.ofSeconds(24), Duration.ofSeconds(20),
                Duration.ZERO, Duration.ofSeconds(1), 3)) {
            ModbusSource plc = plant.plcSource(Duration.ofMillis(100));
            ModbusSource rio = plant.rioSource(Duration.ofMillis(100));
            try (Historian h = Historian.builder().dataDirectory(dir).jmx(false).source(plc).source(rio)
                    .health(HealthThresholds.defaults().withDeviceUnreachable(Duration.ofMillis(500))).build();
                    MetricsServer server = MetricsServer.start(h, List.of(plc, rio),
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                await().atMost(WAIT).until(() -> value(scrape(server), "historian_modbus_polls_total",
                        "device", "plc-1", "result", "ok") > 0);
                assertEquals("UP", get(server, "/health").body().lines().findFirst().orElseThrow());

                await().atMost(WAIT).until(plant::rioOffline);
                await().atMost(WAIT).until(() -> {
                    Map<String, MetricFamily> m = scrape(server);
                    return value(m, "historian_modbus_state", "device", "rio-2", "state", "polling") == 0
                            && value(m, "historian_health_reason", "cause", "device_unreachable") == 1;
                });
                Map<String, MetricFamily> m = scrape(server);
                assertEquals(1.0, value(m, "historian_modbus_state", "device", "rio-2", "state", "backing_off")
                        + value(m, "historian_modbus_state", "device", "rio-2", "state", "connecting"),
                        "rio-2 is reconnecting");
                assertEquals(1.0, value(m, "historian_modbus_state", "device", "plc-1", "state", "polling"));
                assertEquals(1.0, value(m, "historian_health"), "DEGRADED");
                assertTrue(value(m, "historian_modbus_polls_total", "device", "rio-2", "result", "failed") > 0);
                assertTrue(value(m, "historian_ingest_samples_total", "stage", "journaled") > 0);
                assertTrue(value(m, "historian_journal_budget_bytes") > 0);

                HttpResponse<String> health = get(server, "/health");
                assertEquals(200, health.statusCode(), "DEGRADED still serves");
                List<String> lines = health.body().lines().toList();
                assertEquals("DEGRADED", lines.get(0));
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("DEVICE_UNREACHABLE: source rio-2")), lines::toString);

                assertEquals(404, get(server, "/other").statusCode());
                HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri(server, "/metrics"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(405, post.statusCode());
            }
        }
    }

    private HttpResponse<String> get(MetricsServer server, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(server, path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(MetricsServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /** The families of one scrape, by the names their samples carry. */
    private Map<String, MetricFamily> scrape(MetricsServer server) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri(server, "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        Map<String, MetricFamily> families = new HashMap<>();
        try (InputStream in = new ByteArrayInputStream(response.body())) {
            TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(in);
            MetricFamily family;
            while ((family = parser.parse()) != null) {
                for (Metric metric : family.getMetrics()) {
                    families.put(metric.getName(), family);
                }
            }
        }
        return families;
    }

    /** The value of the sample with this name and these labels; NaN when there is none. */
    private static double value(Map<String, MetricFamily> families, String name, String... labels) {
        MetricFamily family = families.get(name);
        if (family == null) {
            return Double.NaN;
        }
        for (Metric metric : family.getMetrics()) {
            boolean match = metric.getName().equals(name);
            for (int i = 0; i < labels.length && match; i += 2) {
                match = labels[i + 1].equals(metric.getLabels().get(labels[i]));
            }
            if (match) {
                if (metric instanceof Gauge g) {
                    return g.getValue();
                }
                if (metric instanceof Counter c) {
                    return c.getValue();
                }
            }
        }
        return Double.NaN;
    }
}
