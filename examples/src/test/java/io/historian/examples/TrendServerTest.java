package io.historian.examples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trend server over plain HTTP: history, validation, the token, the live stream, the program. */
class TrendServerTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
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
        data = TrendData.write(dir.resolve("data"));
        server = TrendServer.start(data.historian, LOOPBACK, token);
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
    void badParameters_get400Or404_withAMessageNamingTheProblem() throws Exception {
        start(null);
        String range = "&from=" + data.fromMillis + "&to=" + data.toMillis;
        expect(400, "inverted range", "/api/history?tag=line1.temp&from=" + data.toMillis + "&to=" + data.fromMillis
                + "&width=100");
        expect(400, "inverted range", "/api/history?tag=line1.temp&from=5&to=5&width=100");
        expect(400, "[width=0]", "/api/history?tag=line1.temp" + range + "&width=0");
        expect(400, "[width=10000000]", "/api/history?tag=line1.temp" + range + "&width=10000000");
        expect(400, "[width=wide]", "/api/history?tag=line1.temp" + range + "&width=wide");
        expect(400, "'from' must be epoch milliseconds [from=yesterday]",
                "/api/history?tag=line1.temp&from=yesterday&to=5&width=100");
        expect(400, "missing parameter 'to'", "/api/history?tag=line1.temp&from=5&width=100");
        expect(400, "missing parameter 'tag'", "/api/history?from=1&to=5&width=100");
        expect(404, "unknown tag [tag=line2.temp]", "/api/history?tag=line2.temp" + range + "&width=100");
        expect(404, "unknown tag [tag=line1.*]", "/api/history?tag=line1.*" + range + "&width=100");
        expect(404, "unknown tag [tag=nope]", "/api/live?tag=nope");
        expect(404, "no such page [path=/admin]", "/admin");
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(server.uri().resolve("/api/tags"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals(0, server.historyRequests(), "no refused request counts as a query");
    }

    private void expect(int status, String message, String pathAndQuery) throws Exception {
        HttpResponse<String> r = get(pathAndQuery);
        assertEquals(status, r.statusCode(), pathAndQuery + " -> " + r.body());
        assertTrue(r.body().contains(message), pathAndQuery + " -> " + r.body());
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
    void withAToken_everyRequestMustCarryIt() throws Exception {
        start("s3cret-token");
        for (String path : new String[] {"/", "/uplot.js", "/api/tags", "/api/live?tag=line1.temp",
                "/api/history?tag=line1.temp&from=1&to=5&width=100"}) {
            HttpResponse<String> r = get(path);
            assertEquals(401, r.statusCode(), path);
            assertTrue(r.body().contains("token"), r.body());
        }
        assertEquals(401, get("/api/tags?token=s3cret-tokeN").statusCode());
        assertEquals(401, get("/api/tags", "Authorization", "Bearer wrong").statusCode());
        assertEquals(200, get("/api/tags?token=s3cret-token").statusCode());
        assertEquals(200, get("/api/tags", "Authorization", "Bearer s3cret-token").statusCode());
        HttpResponse<String> page = get("/?tag=line1.temp&token=s3cret-token");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<script src=\"uplot.js?token=s3cret-token\">")
                && page.body().contains("href=\"uplot.css?token=s3cret-token\"")
                && page.body().contains("<script src=\"trend.js?token=s3cret-token\">"), "the page's assets carry the token");
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
        assertTrue(blank.getMessage().contains("blank"), blank.getMessage());
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
            Pattern url = Pattern.compile("trend page: (http://127\\.0\\.0\\.1:\\d+/)\\?tag=reactor\\.temp");
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

    static String array(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\\[([^\\]]*)\\]").matcher(json);
        assertTrue(m.find(), json);
        return m.group(1);
    }

    static long[] longs(String csv) {
        return csv.isEmpty() ? new long[0] : Stream.of(csv.split(",")).mapToLong(Long::parseLong).toArray();
    }
}
