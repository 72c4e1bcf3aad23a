package io.historian.examples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trend server over plain HTTP: history, validation, the token, the Host check, the security
 * headers, slow and greedy clients, the live stream, the program.
 */
class TrendServerTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final String TOKEN = "s3cret-token-0123456789";
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private TrendData data;
    private TrendServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
        if (data != null) {
            data.historian.close();
        }
    }

    private TrendServer start(String token) {
        return start(token, TrendServer.Options.defaults());
    }

    private TrendServer start(String token, TrendServer.Options options) {
        data = TrendData.write(dir.resolve("data"));
        server = TrendServer.start(data.historian, LOOPBACK, token, options);
        return server;
    }

    private HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri().resolve(pathAndQuery)).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void history_isDownsampledToTheWidth_withANullAtTheGapAndAtBadSamples() throws Exception {
        start(null);
        HttpResponse<String> r = get("/api/history?tag=line1.temp&from=" + data.fromMillis + "&to=" + data.toMillis
                + "&width=300");
        assertEquals(200, r.statusCode(), r.body());
        long[] t = longs(array(r.body(), "t"));
        String[] v = array(r.body(), "v").split(",");
        assertEquals(t.length, v.length);
        // LTTB keeps at most 300 samples plus the two sides of each gap; the gap adds one null.
        assertTrue(t.length > 250 && t.length <= 310, "points: " + t.length);
        for (int i = 1; i < t.length; i++) {
            assertTrue(t[i] > t[i - 1], "time order at " + i);
        }
        long gapStart = data.fromMillis + 3_600_000;
        long gapEnd = data.fromMillis + 4_200_000;
        int nullInGap = 0;
        for (int i = 0; i < t.length; i++) {
            if (v[i].equals("null") && t[i] > gapStart && t[i] < gapEnd) {
                nullInGap++;
            }
            assertTrue(!(t[i] >= gapStart && t[i] < gapEnd) || v[i].equals("null"), "only the break inside the gap");
        }
        assertEquals(1, nullInGap, "one null breaks the line across the hole");
        assertTrue(r.body().contains("\"width\":300"), r.body());
        assertEquals(1, server.historyRequests());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    void history_aShortRange_returnsEverySample() throws Exception {
        start(null);
        long from = data.fromMillis + 600_000;
        HttpResponse<String> r = get("/api/history?tag=line1.temp&from=" + from + "&to=" + (from + 60_000) + "&width=500");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(60, longs(array(r.body(), "t")).length);
    }

    @Test
    void badParameters_get400Or404_withAFixedMessage_thatNeverEchoesTheRequest() throws Exception {
        start(null);
        String range = "&from=" + data.fromMillis + "&to=" + data.toMillis;
        expect(400, "inverted range", "/api/history?tag=line1.temp&from=" + data.toMillis + "&to=" + data.fromMillis
                + "&width=100", String.valueOf(data.toMillis));
        expect(400, "inverted range", "/api/history?tag=line1.temp&from=5&to=5&width=100", "=5");
        expect(400, "width must be 3 to 10000 points", "/api/history?tag=line1.temp" + range + "&width=0", "width=0");
        expect(400, "width must be 3 to 10000 points", "/api/history?tag=line1.temp" + range + "&width=10000000",
                "10000000");
        expect(400, "parameter 'width' must be an integer", "/api/history?tag=line1.temp" + range
                + "&width=%3Cscript%3Ewide", "script");
        expect(400, "parameter 'from' must be epoch milliseconds",
                "/api/history?tag=line1.temp&from=yesterday%3Cb%3E&to=5&width=100", "yesterday");
        expect(400, "missing parameter 'to'", "/api/history?tag=line1.temp&from=5&width=100", "=5");
        expect(400, "missing parameter 'tag'", "/api/history?from=1&to=5&width=100", "from=1");
        expect(404, "unknown tag", "/api/history?tag=line2.temp%3Cimg%3E" + range + "&width=100", "line2");
        expect(404, "unknown tag", "/api/history?tag=line1.*" + range + "&width=100", "line1");
        expect(404, "unknown tag", "/api/live?tag=nope", "nope");
        expect(404, "no such page", "/admin%3Cscript%3E", "admin");
        // java.net.http refuses to send a malformed escape; a raw socket does.
        String malformed = raw("GET /api/history?tag=%zz%3Cscript%3E HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                + "\r\n\r\n");
        assertTrue(malformed.startsWith("HTTP/1.1 400 ") && malformed.endsWith("\r\n\r\nmalformed query string\n"),
                malformed);
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(server.uri().resolve("/api/tags"))
                .POST(HttpRequest.BodyPublishers.ofString("x<script>")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET", post.headers().firstValue("Allow").orElse(""));
        assertFalse(post.body().contains("POST") || post.body().contains("script"), post.body());
        assertEquals(0, server.historyRequests(), "no refused request counts as a query");
    }

    private void expect(int status, String message, String pathAndQuery, String input) throws Exception {
        HttpResponse<String> r = get(pathAndQuery);
        assertEquals(status, r.statusCode(), pathAndQuery + " -> " + r.body());
        assertTrue(r.body().contains(message), pathAndQuery + " -> " + r.body());
        assertFalse(r.body().contains(input) || r.body().contains("<") || r.body().contains("["),
                "the answer repeats the request: " + pathAndQuery + " -> " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), pathAndQuery);
    }

    @Test
    void page_andChartLibrary_areServedFromTheClasspath() throws Exception {
        start(null);
        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<script src=\"uplot.js\">"), page.body());
        HttpResponse<String> lib = get("/uplot.js");
        assertEquals(200, lib.statusCode());
        assertTrue(lib.body().length() > 40_000 && lib.body().contains("uPlot"), "uPlot's bundle");
        assertEquals(200, get("/uplot.css").statusCode());
        assertEquals(200, get("/trend.js").statusCode());
        HttpResponse<String> tags = get("/api/tags");
        assertEquals("[{\"name\":\"line1.temp\",\"unit\":\"°C\",\"description\":\"line 1 temperature\"}]", tags.body());
    }

    @Test
    void withAToken_theApiNeedsItAsABearerHeader_andOnlyTheStreamTakesItInTheQuery() throws Exception {
        start(TOKEN);
        for (String path : new String[] {"/api/tags", "/api/live?tag=line1.temp", "/api/nothing",
                "/api/history?tag=line1.temp&from=1&to=5&width=100"}) {
            HttpResponse<String> r = get(path);
            assertEquals(401, r.statusCode(), path);
            assertTrue(r.body().contains("Authorization: Bearer"), r.body());
            assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(""), path);
        }
        assertEquals(401, get("/api/tags", "Authorization", "Bearer " + TOKEN.toUpperCase()).statusCode());
        assertEquals(401, get("/api/tags", "Authorization", "Bearer " + TOKEN.substring(1)).statusCode());
        assertEquals(401, get("/api/tags", "Authorization", "Basic " + TOKEN).statusCode());
        assertEquals(401, get("/api/tags?token=" + TOKEN).statusCode(), "the query counts for the stream only");
        assertEquals(200, get("/api/tags", "Authorization", "Bearer " + TOKEN).statusCode());
        assertEquals(200, get("/api/tags", "Authorization", "bearer " + TOKEN).statusCode());
        assertEquals(404, get("/api/nothing", "Authorization", "Bearer " + TOKEN).statusCode());
        HttpResponse<Stream<String>> stream = client.send(HttpRequest.newBuilder(server.uri()
                .resolve("/api/live?tag=line1.temp&token=" + TOKEN)).build(), HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = stream.body()) {
            assertEquals(200, stream.statusCode());
            assertEquals("text/event-stream", stream.headers().firstValue("Content-Type").orElse(""));
        }
        // The page and its scripts hold no data: a browser loads them without a header.
        HttpResponse<String> page = get("/?tag=line1.temp");
        assertEquals(200, page.statusCode());
        assertFalse(page.body().contains(TOKEN));
        for (String asset : new String[] {"/uplot.js", "/uplot.css", "/trend.js", "/trend.css"}) {
            assertEquals(200, get(asset).statusCode(), asset);
        }
    }

    @Test
    void weakTokens_areRefusedAtStart_withoutRepeatingThem() throws Exception {
        data = TrendData.write(dir.resolve("data"));
        for (String token : new String[] {"x", "  ", "s3cret-token", "fifteen-chars15", "sixteen chars 16",
                "sixteen-chars-16\n", "sixteen-chars-\u00e916"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TrendServer.start(data.historian, LOOPBACK, token), token);
            assertTrue(e.getMessage().contains("at least 16"), e.getMessage());
            assertFalse(e.getMessage().contains(token), e.getMessage());
        }
        try (TrendServer sixteen = TrendServer.start(data.historian, LOOPBACK, "sixteen-chars-16")) {
            assertTrue(sixteen.port() > 0);
        }
        String random = TrendServer.randomToken();
        assertTrue(random.length() >= 43 && random.matches("[A-Za-z0-9_-]+"), random);
        assertNotEquals(random, TrendServer.randomToken());
    }

    @Test
    void hostHeader_mustNameThisServer_soARebindingPageIsRefused() throws Exception {
        start(null, TrendServer.Options.defaults().allowHost("trend.plant.example"));
        int port = server.port();
        for (String host : new String[] {"127.0.0.1:" + port, "localhost:" + port, "LocalHost:" + port,
                "[::1]:" + port, "trend.plant.example:" + port}) {
            String r = raw("GET /api/tags HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            assertTrue(r.startsWith("HTTP/1.1 200 "), host + " -> " + r);
        }
        for (String host : new String[] {"attacker.example:" + port, "localhost.attacker.example:" + port,
                "127.0.0.1:" + (port == 65535 ? 1 : port + 1), "127.0.0.1", "localhost", "127.0.0.1:" + port + "x",
                "trend.plant.example:" + (port + 1), "127.0.0.2:" + port}) {
            String r = raw("GET /api/tags HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            assertTrue(r.startsWith("HTTP/1.1 421 "), host + " -> " + r);
            assertFalse(r.contains("line1.temp"), r);
            assertFalse(r.contains("attacker"), "no echo: " + r);
        }
        assertTrue(raw("GET /api/tags HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 421 "), "no Host at all");
        assertTrue(raw("GET /api/tags HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nHost: attacker.example:" + port
                + "\r\n\r\n").startsWith("HTTP/1.1 400 "), "two Hosts");
        assertTrue(raw("GET / HTTP/1.1\r\nHost: attacker.example:" + port + "\r\n\r\n").startsWith("HTTP/1.1 421 "),
                "the page too");
    }

    @Test
    void everyResponse_carriesNosniff_noFraming_andAPolicyThatFitsThePage() throws Exception {
        start(TOKEN);
        for (String path : new String[] {"/", "/trend.js", "/trend.css", "/uplot.js", "/api/tags", "/api/nothing",
                "/api/history?tag=line1.temp&from=x&to=5&width=100"}) {
            for (boolean withToken : new boolean[] {false, true}) {
                HttpResponse<String> r = withToken ? get(path, "Authorization", "Bearer " + TOKEN) : get(path);
                String where = path + (withToken ? " with the token" : "") + " -> " + r.statusCode();
                assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""), where);
                assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(""), where);
                String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
                for (String directive : new String[] {"default-src 'none'", "script-src 'self'", "style-src 'self'",
                        "connect-src 'self'", "frame-ancestors 'none'"}) {
                    assertTrue(csp.contains(directive), where + ": " + csp);
                }
                assertFalse(csp.contains("unsafe"), csp);
            }
        }
        // The policy allows no inline script or style, so the page must have none.
        String page = get("/").body();
        assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>|<style|\\sstyle=|\\son[a-z]+=",
                Pattern.CASE_INSENSITIVE).matcher(page).find(), page);
        assertTrue(page.contains("<link rel=\"stylesheet\" href=\"trend.css\">"), page);
    }

    @Test
    void slowClients_holdNoWorker_andAreClosedAfterTheHeaderTimeout() throws Exception {
        Duration headerTimeout = Duration.ofSeconds(5);
        start(TOKEN, TrendServer.Options.defaults().headerTimeout(headerTimeout));
        // 30 clients send a request line and stall; more than the 24 request threads there are.
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 30; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
                s.getOutputStream().write(("GET /api/tags HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                slow.add(s);
            }
            long t0 = System.nanoTime();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri().resolve("/api/tags"))
                    .header("Authorization", "Bearer " + TOKEN).timeout(headerTimeout).build(),
                    HttpResponse.BodyHandlers.ofString());
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(took.compareTo(headerTimeout.dividedBy(2)) < 0, "served long before the slow ones time out: "
                    + took);
            assertTrue(slow.stream().noneMatch(TrendServerTest::closedByServer), "still waiting for their headers");
            await().atMost(headerTimeout.plusSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> slow.stream().allMatch(TrendServerTest::closedByServer));
            Duration closedAfter = Duration.ofNanos(System.nanoTime() - t0);
            assertTrue(closedAfter.compareTo(headerTimeout.plusSeconds(5)) < 0, "closed after " + closedAfter);
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
        assertEquals(200, get("/api/tags", "Authorization", "Bearer " + TOKEN).statusCode());
    }

    @Test
    void oneClient_holdsAtMostItsShareOfConnections_andOthersAreStillServed() throws Exception {
        start(TOKEN, TrendServer.Options.defaults().headerTimeout(Duration.ofSeconds(60)));
        // A second loopback address (Linux routes all of 127/8 to lo) is a second client.
        InetAddress greedy = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
        int limit = TrendServer.MAX_CONNECTIONS_PER_CLIENT;
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < limit + 10; i++) {
                Socket s = new Socket();
                s.bind(new InetSocketAddress(greedy, 0));
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5_000);
                idle.add(s);
            }
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> idle.stream().filter(TrendServerTest::closedByServer).count() >= 10);
            assertEquals(10, idle.stream().filter(TrendServerTest::closedByServer).count(),
                    "all but " + limit + " closed at once");
            assertEquals(200, get("/api/tags", "Authorization", "Bearer " + TOKEN).statusCode(), "another client");
            assertEquals("", raw(greedy, "GET /api/tags HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                    + "\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n"), "the greedy client's next one is closed");
            // Closing one frees its slot.
            idle.stream().filter(s -> !closedByServer(s)).findFirst().orElseThrow().close();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> raw(greedy, "GET /api/tags HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                            + "\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n").startsWith("HTTP/1.1 200 "));
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void failures_areLogged_withoutTheTokenOrTheQuery() throws Exception {
        start(TOKEN);
        data.historian.close(); // every request that reaches the historian now fails
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // slf4j-simple writes to whatever System.err is at the time of each message.
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(500, get("/api/live?tag=line1.temp&from=123456&token=" + TOKEN).statusCode());
            assertEquals(500, get("/api/history?tag=line1.temp&from=1&to=5&width=100",
                    "Authorization", "Bearer " + TOKEN).statusCode());
            await().atMost(Duration.ofSeconds(10)).until(() -> err.toString(StandardCharsets.UTF_8)
                    .contains("path=/api/history"));
        } finally {
            System.setErr(original);
        }
        String log = err.toString(StandardCharsets.UTF_8);
        original.print(log);
        assertTrue(log.contains("trend request failed [method=GET, path=/api/live]"), log);
        assertFalse(log.contains(TOKEN), log);
        assertFalse(log.contains("token=") || log.contains("123456") || log.contains("tag=line1"), log);
    }

    @Test
    void start_onANonLoopbackAddressWithoutAToken_isRefused() throws Exception {
        data = TrendData.write(dir.resolve("data"));
        // A documentation address (TEST-NET-1): the check comes before any bind.
        InetSocketAddress elsewhere = new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1}), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrendServer.start(data.historian, elsewhere, null));
        assertTrue(e.getMessage().contains("needs a token") && e.getMessage().contains("192.0.2.1"), e.getMessage());
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
                () -> TrendServer.start(data.historian, elsewhere, "  "));
        assertTrue(blank.getMessage().contains("too weak"), blank.getMessage());
    }

    @Test
    void live_streamsSamplesWrittenAfterItOpened_andCloseEndsTheStream() throws Exception {
        start(null);
        HttpResponse<Stream<String>> r = client.send(HttpRequest.newBuilder(server.uri().resolve("/api/live?tag=line1.temp"))
                .build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(""));
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (Stream<String> s = r.body()) {
                s.forEach(lines::add);
            } catch (RuntimeException e) {
                readerFailure.set(e);
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.liveStreams() == 1);
        long t = data.toMillis + 5_000;
        // The subscription starts on the stream's thread: keep writing until one arrives.
        StringBuilder seen = new StringBuilder();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            data.historian.write(TrendData.TAG, java.time.Instant.ofEpochMilli(t), 42.5);
            String line;
            while ((line = lines.poll()) != null) {
                seen.append(line).append('\n');
            }
            return seen.indexOf("data: [[" + t + ",42.5]") >= 0;
        });
        server.close();
        assertEquals(0, server.liveStreams());
        reader.join(10_000);
        assertTrue(!reader.isAlive(), "the stream ends when the server closes");
    }

    @Test
    void main_startsThePlantHistorianAndPage_thenStops() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread main = new Thread(() -> {
            try {
                TrendServer.main(new String[] {"--data", dir.resolve("trend").toString(), "--port", "0", "--seconds", "8"});
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "trend-main");
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            main.start();
            Pattern url = Pattern.compile("trend page: (http://127\\.0\\.0\\.1:\\d+/)\\?tag=reactor\\.temp\n");
            await().atMost(Duration.ofSeconds(25)).until(() -> url.matcher(out.toString(StandardCharsets.UTF_8)).find()
                    || failure.get() != null);
            Matcher m = url.matcher(out.toString(StandardCharsets.UTF_8));
            assertTrue(m.find(), out.toString(StandardCharsets.UTF_8) + failure.get());
            URI base = URI.create(m.group(1));
            long now = System.currentTimeMillis();
            HttpResponse<String> h = client.send(HttpRequest.newBuilder(base.resolve("/api/history?tag=reactor.temp&from="
                    + (now - 7_200_000) + "&to=" + now + "&width=400")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, h.statusCode(), h.body());
            assertTrue(longs(array(h.body(), "t")).length > 300, "two hours of plant history, downsampled");
            main.join(30_000);
        } finally {
            System.setOut(original);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        original.print(text);
        assertTrue(!main.isAlive(), "main returns after --seconds");
        assertTrue(failure.get() == null, String.valueOf(failure.get()));
        assertTrue(text.contains("history: 201,600 samples"), text);
        assertTrue(text.contains("served 1 history queries"), text);
    }

    /** Sends raw bytes (so the Host header is ours to choose) and reads until the server closes. */
    private String raw(String request) throws IOException {
        return raw(InetAddress.getLoopbackAddress(), request);
    }

    private String raw(InetAddress from, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5_000);
            s.setSoTimeout(20_000);
            try {
                OutputStream out = s.getOutputStream();
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.net.SocketException reset) {
                return ""; // closed before it read the request
            }
        }
    }

    /** Whether the server closed it: end of stream (after any answer) or a reset; never blocks long. */
    private static boolean closedByServer(Socket s) {
        try {
            s.setSoTimeout(5);
            InputStream in = s.getInputStream();
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    static String array(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\\[([^\\]]*)\\]").matcher(json);
        assertTrue(m.find(), json);
        return m.group(1);
    }

    static long[] longs(String csv) {
        return csv.isEmpty() ? new long[0] : Stream.of(csv.split(",")).mapToLong(Long::parseLong).toArray();
    }
}
