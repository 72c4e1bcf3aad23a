package io.historian.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.historian.Health;
import io.historian.HealthThresholds;
import io.historian.Historian;
import io.historian.TagDefinition;
import io.historian.metrics.HistorianMetrics;
import io.historian.modbus.ModbusMetrics;
import io.historian.modbus.ModbusSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The simulated plant watched as an operator would: the historian's and the devices' meters on a
 * Prometheus endpoint, and the historian's health for a load balancer or a pager.
 *
 * <pre>
 * mvn -q -pl examples -am test-compile exec:exec -Dexec.mainClass=io.historian.examples.MetricsServer
 * curl -s http://127.0.0.1:9464/metrics | grep historian_modbus_state
 * curl -si http://127.0.0.1:9464/health
 * </pre>
 *
 * <p>{@code GET /metrics} answers Micrometer's Prometheus registry scrape (text format 0.0.4);
 * {@code GET /health} answers {@code 200} while the historian is UP or DEGRADED and {@code 503}
 * when it is DOWN, with the state on the first line and one {@code CAUSE: detail} line per
 * reason. The plant's {@code rio-2} drops out every minute for six seconds: watch
 * {@code historian_modbus_state{device="rio-2",state="backing_off"}} and
 * {@code historian_health_reason{cause="device_unreachable"}} go to 1 and back.
 *
 * <p><b>Threads:</b> the JDK HTTP server answers on one thread of its own ({@code metrics-http});
 * each request reads the meters, which read the historian's counters.
 * <p><b>Lifecycle:</b> {@link #close()} stops the HTTP server; the historian and the sources stay
 * with their owner.
 */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final PrometheusMeterRegistry registry;

    private MetricsServer(HttpServer server, ExecutorService executor, PrometheusMeterRegistry registry) {
        this.server = server;
        this.executor = executor;
        this.registry = registry;
    }

    /**
     * Binds the historian's and the devices' meters to a new Prometheus registry and serves it.
     *
     * @param historian the historian to watch
     * @param devices its Modbus sources
     * @param address where to listen; port 0 for any free one
     * @return the running server
     */
    public static MetricsServer start(Historian historian, List<ModbusSource> devices, InetSocketAddress address) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new HistorianMetrics(historian).bindTo(registry);
        new ModbusMetrics(devices).bindTo(registry);
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen [address=" + address + "]", e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", exchange -> answer(exchange, 200,
                "text/plain; version=0.0.4; charset=utf-8", registry::scrape));
        server.createContext("/health", exchange -> {
            Health health = historian.health();
            StringBuilder body = new StringBuilder(health.state().name()).append('\n');
            for (Health.Reason r : health.reasons()) {
                body.append(r.cause()).append(": ").append(r.detail()).append('\n');
            }
            answer(exchange, health.state() == Health.State.DOWN ? 503 : 200, "text/plain; charset=utf-8",
                    body::toString);
        });
        server.start();
        return new MetricsServer(server, executor, registry);
    }

    /** {@return the port the server listens on} */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@return the registry the meters are bound to} */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    private static void answer(HttpExchange exchange, int status, String type,
            java.util.function.Supplier<String> body) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!path.equals("/metrics") && !path.equals("/health")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Stops answering and releases the port. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        registry.close();
    }

    /**
     * Runs the plant, a historian polling it and the endpoint.
     *
     * <p>Arguments, both optional: the port (default 9464, the Prometheus exporters' usual) and
     * how many seconds to run (default 0: until Ctrl-C). Data goes to {@code metrics-data}.
     *
     * @param args the port, then the seconds
     * @throws InterruptedException if interrupted while running
     */
    public static void main(String[] args) throws InterruptedException {
        Path dataDir = Path.of("metrics-data");
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9464;
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 0;
        try (SimulatedPlant plant = SimulatedPlant.start(Duration.ofMinutes(1), Duration.ofSeconds(6), Duration.ZERO,
                Duration.ofSeconds(1), 7)) {
            ModbusSource plc = plant.plcSource(Duration.ofMillis(250));
            ModbusSource rio = plant.rioSource(Duration.ofMillis(250));
            Historian.Builder builder = Historian.builder().dataDirectory(dataDir).source(plc).source(rio)
                    .health(HealthThresholds.defaults().withDeviceUnreachable(Duration.ofSeconds(3)));
            for (TagDefinition d : SimulatedPlant.tagDefinitions()) {
                builder.tag(d);
            }
            try (Historian historian = builder.build();
                    MetricsServer server = start(historian, List.of(plc, rio),
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                System.out.println("metrics on http://127.0.0.1:" + server.port() + "/metrics, health on /health");
                CountDownLatch forever = new CountDownLatch(1);
                if (seconds > 0) {
                    forever.await(seconds, TimeUnit.SECONDS);
                } else {
                    forever.await();
                }
            }
        }
    }
}
