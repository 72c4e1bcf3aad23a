package io.historian.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.historian.Historian;
import io.historian.Quality;
import io.historian.Subscription;
import io.historian.TagDefinition;
import io.historian.query.PointCursor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trend page for one historian: an HTTP server (the JDK's {@code com.sun.net.httpserver}) that
 * serves a uPlot chart from the classpath (no network at run time), a live trend fed by a
 * subscription as server-sent events, and history that the page re-queries with LTTB sized to
 * the chart's width whenever the user zooms.
 *
 * <pre>{@code
 * try (TrendServer server = TrendServer.start(historian, new InetSocketAddress("127.0.0.1", 8080), null)) {
 *     System.out.println(server.uri() + "?tag=reactor.temp");
 *     ...
 * }
 * }</pre>
 *
 * <p>Run as a program it starts the simulated plant, a historian polling it with two hours of
 * history, and the page: {@code mvn -q -pl examples -am test-compile exec:exec
 * -Dexec.mainClass=io.historian.examples.TrendServer}, then open the printed address.
 *
 * <p><b>Endpoints</b> (GET only): {@code /} the page; {@code /api/tags}; {@code /api/history?tag=
 * &from=&to=&width=} (epoch milliseconds, {@code [from, to)}, width in chart pixels, 3 to
 * {@value #MAX_WIDTH}) answers {@code {"t":[ms...],"v":[value or null...]}} with a {@code null}
 * wherever the data has a gap or a sample is Bad, so the line breaks there;
 * {@code /api/live?tag=&from=} an event stream of {@code [[ms, value], ...]} batches, from the
 * journal at {@code from} if given. Bad parameters get 400, an unknown tag 404, each with a
 * one-line message.
 *
 * <p><b>Security:</b> binds to loopback unless told otherwise; any other address needs a token,
 * and {@link #start} refuses without one. With a token, every request must carry it, as
 * {@code Authorization: Bearer <token>} or {@code ?token=} (the page forwards its own).
 *
 * <p><b>Threads:</b> requests run on {@code trend-http-N} threads; each live stream holds one of
 * them and owns one subscription ({@code historian-subscription-N}) whose listener only appends
 * to the stream's buffer; the stream's thread writes the buffer out four times a second.
 * At most {@value #MAX_STREAMS} streams at once.
 *
 * <p><b>Lifecycle:</b> {@link #close()} stops the server and ends every stream and its
 * subscription; the historian stays open (the caller owns it).
 */
public final class TrendServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrendServer.class);
    /** The widest chart a history request may ask for, in points. */
    public static final int MAX_WIDTH = 10_000;
    /** The most live streams served at once. */
    public static final int MAX_STREAMS = 16;
    private static final int MAX_STREAM_BUFFER = 1 << 20;
    private static final String WEBJAR = "META-INF/resources/webjars/uplot/1.6.30/dist/";

    private final Historian historian;
    private final HttpServer server;
    private final ExecutorService executor;
    private final byte[] token;
    private final AtomicLong historyRequests = new AtomicLong();
    private final AtomicInteger streams = new AtomicInteger();
    private final Set<LiveStream> live = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private TrendServer(Historian historian, HttpServer server, ExecutorService executor, String token) {
        this.historian = historian;
        this.server = server;
        this.executor = executor;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Starts serving.
     *
     * @param historian the historian to chart; the caller keeps owning it
     * @param bind the address and port (0: any free port); a non-loopback address needs a token
     * @param token the token every request must carry, or null for none (loopback only)
     * @throws IllegalArgumentException if the address is not loopback and there is no token
     */
    public static TrendServer start(Historian historian, InetSocketAddress bind, String token) {
        if (historian == null) {
            throw new NullPointerException("historian");
        }
        if (token != null && token.isBlank()) {
            throw new IllegalArgumentException("token must not be blank; pass null for none");
        }
        if (bind.getAddress() == null || (!bind.getAddress().isLoopbackAddress() && token == null)) {
            throw new IllegalArgumentException("binding to a non-loopback address needs a token [bind=" + bind
                    + "]; pass --token, or bind to 127.0.0.1");
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(MAX_STREAMS + 8, r -> {
            Thread t = new Thread(r, "trend-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpServer server;
        try {
            server = HttpServer.create(bind, 64);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot bind trend server [bind=" + bind + "]", e);
        }
        TrendServer trend = new TrendServer(historian, server, executor, token);
        server.createContext("/", trend::handle);
        server.setExecutor(executor);
        server.start();
        return trend;
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The page's address, {@code http://host:port/}. */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/");
    }

    /** History queries answered so far (each zoom of the page is one). */
    public long historyRequests() {
        return historyRequests.get();
    }

    /** Live streams open now. */
    public int liveStreams() {
        return streams.get();
    }

    /** Stops the server and ends every live stream; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (LiveStream s : live) {
            s.end();
        }
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                route(ex);
            } catch (BadRequest e) {
                send(ex, e.status, "text/plain", e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("trend request failed [uri={}]", ex.getRequestURI(), e);
                send(ex, 500, "text/plain", "internal error: " + e);
            }
        }
    }

    private void route(HttpExchange ex) throws IOException {
        if (!"GET".equals(ex.getRequestMethod())) {
            ex.getResponseHeaders().set("Allow", "GET");
            send(ex, 405, "text/plain", "only GET is served [method=" + ex.getRequestMethod() + "]");
            return;
        }
        Map<String, String> q = query(ex.getRequestURI());
        if (!authorized(ex, q)) {
            send(ex, 401, "text/plain", "missing or wrong token: send 'Authorization: Bearer <token>' or ?token=");
            return;
        }
        String path = ex.getRequestURI().getPath();
        switch (path) {
            case "/", "/index.html" -> page(ex);
            case "/trend.js" -> resource(ex, "io/historian/examples/trend.js", "text/javascript; charset=utf-8");
            case "/uplot.js" -> resource(ex, WEBJAR + "uPlot.iife.min.js", "text/javascript; charset=utf-8");
            case "/uplot.css" -> resource(ex, WEBJAR + "uPlot.min.css", "text/css; charset=utf-8");
            case "/api/tags" -> tags(ex);
            case "/api/history" -> history(ex, q);
            case "/api/live" -> live(ex, q);
            default -> send(ex, 404, "text/plain", "no such page [path=" + path + "]");
        }
    }

    private boolean authorized(HttpExchange ex, Map<String, String> q) {
        if (token == null) {
            return true;
        }
        String given = q.get("token");
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header != null && header.startsWith("Bearer ")) {
            given = header.substring("Bearer ".length());
        }
        // Constant time, so the comparison does not leak how much of a guess was right.
        return given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The page; with a token, its script and style links carry it too, since a browser sends no
     * Authorization header for them.
     */
    private void page(HttpExchange ex) throws IOException {
        String html;
        try (InputStream in = TrendServer.class.getClassLoader().getResourceAsStream("io/historian/examples/trend.html")) {
            if (in == null) {
                send(ex, 500, "text/plain", "missing from the classpath: io/historian/examples/trend.html");
                return;
            }
            html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (token != null) {
            // URLEncoder's output (letters, digits, . - * _ + %) is safe inside an attribute.
            String t = "?token=" + URLEncoder.encode(new String(token, StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            for (String asset : new String[] {"uplot.css", "uplot.js", "trend.js"}) {
                html = html.replace("\"" + asset + "\"", "\"" + asset + t + "\"");
            }
        }
        send(ex, 200, "text/html; charset=utf-8", html);
    }

    private void resource(HttpExchange ex, String name, String type) throws IOException {
        try (InputStream in = TrendServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                send(ex, 500, "text/plain", "missing from the classpath: " + name);
                return;
            }
            byte[] body = in.readAllBytes();
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    private void tags(HttpExchange ex) throws IOException {
        StringBuilder sb = new StringBuilder("[");
        for (TagDefinition d : historian.tags()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append("{\"name\":");
            string(sb, d.name());
            sb.append(",\"unit\":");
            string(sb, d.unit());
            sb.append(",\"description\":");
            string(sb, d.description());
            sb.append('}');
        }
        send(ex, 200, "application/json", sb.append(']').toString());
    }

    private void history(HttpExchange ex, Map<String, String> q) throws IOException {
        String tag = knownTag(q);
        long from = millis(q, "from");
        long to = millis(q, "to");
        if (from >= to) {
            throw new BadRequest(400, "empty or inverted range: from must be before to [from=" + from + ", to=" + to + "]");
        }
        int width = intParam(q, "width");
        if (width < 3 || width > MAX_WIDTH) {
            throw new BadRequest(400, "width must be 3 to " + MAX_WIDTH + " points [width=" + width + "]");
        }
        StringBuilder t = new StringBuilder();
        StringBuilder v = new StringBuilder();
        int points = 0;
        long previous = Long.MIN_VALUE;
        try (PointCursor c = historian.query(tag).between(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to))
                .lttb(width)) {
            while (c.next()) {
                long ms = c.epochMillis();
                if (c.gapBefore() && previous != Long.MIN_VALUE) {
                    // A null between the two sides of a gap breaks the line there.
                    comma(t, v).append((previous + ms) / 2);
                    v.append("null");
                }
                comma(t, v).append(ms);
                number(v, c.quality().isBad() ? Double.NaN : c.value());
                previous = ms;
                points++;
            }
        }
        historyRequests.incrementAndGet();
        StringBuilder sb = new StringBuilder(t.length() + v.length() + 128);
        sb.append("{\"tag\":");
        string(sb, tag);
        sb.append(",\"from\":").append(from).append(",\"to\":").append(to).append(",\"width\":").append(width)
                .append(",\"points\":").append(points).append(",\"t\":[").append(t).append("],\"v\":[").append(v)
                .append("]}");
        send(ex, 200, "application/json", sb.toString());
    }

    private void live(HttpExchange ex, Map<String, String> q) throws IOException {
        String tag = knownTag(q);
        Instant from = q.containsKey("from") ? Instant.ofEpochMilli(millis(q, "from")) : null;
        if (streams.incrementAndGet() > MAX_STREAMS) {
            streams.decrementAndGet();
            throw new BadRequest(503, "too many live streams [max=" + MAX_STREAMS + "]");
        }
        try {
            LiveStream s = new LiveStream();
            live.add(s);
            try {
                s.run(ex, tag, from);
            } finally {
                live.remove(s);
            }
        } finally {
            streams.decrementAndGet();
        }
    }

    /**
     * One event stream. The subscription's listener appends to {@code buffer} under its lock and
     * never blocks on the network; this stream's HTTP thread swaps the buffer out and writes it
     * four times a second, so a slow client delays only itself. A client more than
     * {@value #MAX_STREAM_BUFFER} bytes behind is told so and cut off rather than buffered
     * without bound.
     */
    private final class LiveStream {
        private final Object lock = new Object();
        private StringBuilder buffer = new StringBuilder(4096);
        private StringBuilder spare = new StringBuilder(4096);
        private final CountDownLatch ended = new CountDownLatch(1);
        private boolean overflow;

        void run(HttpExchange ex, String tag, Instant from) throws IOException {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write(": live\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            try (Subscription sub = from == null
                    ? historian.subscribe(tag, this::onSample)
                    : historian.subscribeFrom(from, tag, this::onSample)) {
                long lastWrite = System.nanoTime();
                while (!ended.await(250, TimeUnit.MILLISECONDS)) {
                    StringBuilder batch;
                    boolean lagged;
                    synchronized (lock) {
                        batch = buffer;
                        buffer = spare;
                        spare = batch;
                        lagged = overflow;
                    }
                    if (lagged) {
                        out.write("event: lagged\ndata: the page fell too far behind; reload it\n\n"
                                .getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        return;
                    }
                    if (sub.isClosed()) {
                        String why = sub.failure().map(Throwable::getMessage).orElse("closed");
                        out.write(("event: ended\ndata: " + why.replace('\n', ' ') + "\n\n")
                                .getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        return;
                    }
                    if (batch.length() > 0) {
                        out.write(("data: [" + batch + "]\n\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        batch.setLength(0);
                        lastWrite = System.nanoTime();
                    } else if (System.nanoTime() - lastWrite > TimeUnit.SECONDS.toNanos(10)) {
                        // A comment now and then finds a closed page, which a silent stream never notices.
                        out.write(": ping\n\n".getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        lastWrite = System.nanoTime();
                    }
                }
            } catch (IOException e) {
                LOG.debug("live stream closed by the client [tag={}]", tag);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void onSample(String tag, long epochMillis, double value, Quality quality) {
            synchronized (lock) {
                if (overflow) {
                    return;
                }
                if (buffer.length() > MAX_STREAM_BUFFER) {
                    overflow = true;
                    return;
                }
                if (buffer.length() > 0) {
                    buffer.append(',');
                }
                buffer.append('[').append(epochMillis).append(',');
                number(buffer, quality.isBad() ? Double.NaN : value);
                buffer.append(']');
            }
        }

        void end() {
            ended.countDown();
        }
    }

    private String knownTag(Map<String, String> q) {
        String tag = q.get("tag");
        if (tag == null || tag.isEmpty()) {
            throw new BadRequest(400, "missing parameter 'tag'");
        }
        Optional<TagDefinition> d = tag.indexOf('*') >= 0 || tag.indexOf('?') >= 0 ? Optional.empty() : historian.tag(tag);
        if (d.isEmpty()) {
            throw new BadRequest(404, "unknown tag [tag=" + tag + "]");
        }
        return d.get().name();
    }

    private static long millis(Map<String, String> q, String name) {
        String s = q.get(name);
        if (s == null) {
            throw new BadRequest(400, "missing parameter '" + name + "' (epoch milliseconds)");
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "parameter '" + name + "' must be epoch milliseconds [" + name + "=" + s + "]");
        }
    }

    private static int intParam(Map<String, String> q, String name) {
        String s = q.get(name);
        if (s == null) {
            throw new BadRequest(400, "missing parameter '" + name + "'");
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "parameter '" + name + "' must be an integer [" + name + "=" + s + "]");
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new HashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.putIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new BadRequest(400, "malformed query string [query=" + raw + "]");
            }
        }
        return out;
    }

    private static StringBuilder comma(StringBuilder t, StringBuilder v) {
        if (t.length() > 0) {
            t.append(',');
            v.append(',');
        }
        return t;
    }

    private static void number(StringBuilder sb, double v) {
        if (Double.isFinite(v)) {
            sb.append(v);
        } else {
            sb.append("null");
        }
    }

    private static void string(StringBuilder sb, String s) {
        if (s == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '<' -> sb.append("\\u003c"); // never closes a script element
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type.contains("charset") ? type : type + "; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /**
     * Runs the simulated plant, a historian polling it (two hours of history first), and the page.
     * Options: {@code --data DIR} (default {@code trend-data}), {@code --bind ADDRESS} (default
     * 127.0.0.1), {@code --port N} (default 8080; 0 for any), {@code --token T} (required for a
     * non-loopback address), {@code --seconds N} (stop after N seconds; default: until Ctrl-C).
     */
    public static void main(String[] args) throws InterruptedException {
        Map<String, String> opts = options(args);
        Path dataDir = Path.of(opts.getOrDefault("data", "trend-data"));
        InetAddress address;
        try {
            address = InetAddress.getByName(opts.getOrDefault("bind", "127.0.0.1"));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot resolve --bind [bind=" + opts.get("bind") + "]", e);
        }
        int port = Integer.parseInt(opts.getOrDefault("port", "8080"));
        long seconds = Long.parseLong(opts.getOrDefault("seconds", "0"));
        String tokenOpt = opts.get("token");

        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closedDown = new CountDownLatch(1);
        // Ctrl-C: main closes the server, the historian and the plant before the JVM goes.
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                closedDown.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "trend-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (SimulatedPlant plant = SimulatedPlant.start(Duration.ofMinutes(1), Duration.ofSeconds(6),
                Duration.ofHours(2), Duration.ofSeconds(1), 7)) {
            Historian.Builder builder = Historian.builder().dataDirectory(dataDir)
                    .source(plant.plcSource(Duration.ofMillis(250))).source(plant.rioSource(Duration.ofMillis(250)));
            for (TagDefinition d : SimulatedPlant.tagDefinitions()) {
                builder.tag(d);
            }
            try (Historian historian = builder.build()) {
                long written = plant.backfill(historian);
                System.out.printf(Locale.ROOT, "history: %,d samples, the 2 h before %s on simulated time%n", written,
                        plant.startTime());
                try (TrendServer server = TrendServer.start(historian, new InetSocketAddress(address, port), tokenOpt)) {
                    String suffix = tokenOpt == null ? "" : "&token=<your token>";
                    System.out.println("trend page: " + server.uri() + "?tag=reactor.temp" + suffix);
                    System.out.println("tags: " + server.uri() + "api/tags; Ctrl-C stops");
                    if (seconds > 0) {
                        stop.await(seconds, TimeUnit.SECONDS);
                    } else {
                        stop.await();
                    }
                    System.out.printf(Locale.ROOT, "served %d history queries%n", server.historyRequests());
                }
            }
        } finally {
            closedDown.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running, and returns now that everything is closed.
            }
        }
    }

    private static Map<String, String> options(String[] args) {
        Set<String> known = Set.of("data", "bind", "port", "token", "seconds");
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || !known.contains(a.substring(2)) || i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value at argument " + (i + 1) + " [arg="
                        + a + "]; options: --data DIR --bind ADDRESS --port N --token T --seconds N");
            }
            out.put(a.substring(2), args[++i]);
        }
        return out;
    }
}
