package io.historian.examples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The trend page in real headless Chromium: it loads under its Content-Security-Policy (with a
 * token: taken from the fragment, sent as a header), the chart holds the downsampled history
 * with the gap broken, a live sample arrives over the event stream, a zoom sends a new
 * downsampled query for exactly the zoomed range, and a screenshot lands in {@code target/}.
 *
 * <p>On a machine without Chromium the tests are skipped with the reason, so that the README's
 * test command works on a fresh machine; where {@code HISTORIAN_REQUIRE_BROWSER} is set (as
 * {@code .ci/run} sets it after installing Chromium) a missing browser fails them instead.
 */
class TrendPageBrowserTest {
    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

    @TempDir
    Path dir;

    @BeforeEach
    void needsChromium() {
        boolean present = CHROMIUM.canExecute() && CHROMEDRIVER.canExecute();
        String why = "the browser test needs Chromium and its driver at " + CHROMIUM + " and " + CHROMEDRIVER
                + "; install them with: apt-get install -y chromium chromium-driver";
        if (!present && System.getenv("HISTORIAN_REQUIRE_BROWSER") != null) {
            fail(why + " (HISTORIAN_REQUIRE_BROWSER is set, so the browser test may not be skipped)");
        }
        if (!present) {
            System.err.println("TrendPageBrowserTest skipped: " + why);
        }
        assumeTrue(present, why);
    }

    private ChromeDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,800", "--user-data-dir=" + dir.resolve("chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @Test
    void trendPage_withAToken_sendsItAsAHeader_andLoadsUnderItsContentSecurityPolicy() {
        TrendData data = TrendData.write(dir.resolve("data"));
        ChromeDriver driver = null;
        // Characters that need encoding in the fragment and in the stream's query.
        String token = "Str0ng&tok/en+%=#1?";
        try (TrendServer server = TrendServer.start(data.historian,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), token)) {
            driver = chromium();
            JavascriptExecutor js = driver;
            driver.get(server.uri() + "?tag=line1.temp#token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
            // History needs the Authorization header (the server takes the query only on the stream).
            await().atMost(Duration.ofSeconds(30)).until(() -> number(js,
                    "return window.trend && window.trendState.historyRequests >= 1 ? window.trend.data[0].length : 0") > 0);
            assertEquals(null, js.executeScript("return window.trendState.error"));
            await().atMost(Duration.ofSeconds(20)).until(() -> server.liveStreams() == 1);
            // The page's own stylesheet applies under style-src 'self' (it was inline before).
            assertEquals("12px", js.executeScript("return getComputedStyle(document.body).marginTop"));
            List<String> violations = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .map(LogEntry::getMessage).filter(m -> m.contains("Content Security Policy")).toList();
            assertEquals(List.of(), violations, "the policy blocks nothing the page needs");
        } finally {
            if (driver != null) {
                driver.quit();
            }
            data.historian.close();
        }
    }

    @Test
    void trendPage_drawsHistory_followsLive_andRequeriesOnZoom() throws Exception {
        TrendData data = TrendData.write(dir.resolve("data"));
        ChromeDriver driver = null;
        try (TrendServer server = TrendServer.start(data.historian,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null)) {
            driver = chromium();
            JavascriptExecutor js = driver;
            // A three-hour live window shows all two hours of history.
            driver.get(server.uri() + "?tag=line1.temp&window=" + Duration.ofHours(3).toMillis());

            await().atMost(Duration.ofSeconds(30)).until(() -> number(js,
                    "return window.trend && window.trendState.historyRequests >= 1 ? window.trend.data[0].length : 0") > 0);
            long points = number(js, "return window.trend.data[0].length");
            long width = number(js, "return window.trendState.lastQuery.width");
            assertTrue(width >= 300 && width <= 1280, "the query is sized to the chart: " + width);
            assertTrue(points > width / 2 && points <= width + 10, "history downsampled to the width: " + points
                    + " points for " + width);
            assertEquals(Boolean.TRUE, js.executeScript("return window.trend.data[1].some(v => v === null)"),
                    "the gap and the Bad samples break the line");
            assertEquals(null, js.executeScript("return window.trendState.error"));

            // Live: a sample written now reaches the chart over the event stream.
            long liveAt = data.toMillis + 2_000;
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
                data.historian.write(TrendData.TAG, Instant.ofEpochMilli(liveAt), 99.5);
                return number(js, "const x = window.trend.data[0]; return Math.round(x[x.length - 1] * 1000)") == liveAt;
            });
            assertEquals(99.5, ((Number) js.executeScript(
                    "const y = window.trend.data[1]; return y[y.length - 1]")).doubleValue());

            // Zoom to one hour: a new query for exactly that range, downsampled again.
            long before = server.historyRequests();
            long zoomFrom = data.fromMillis + Duration.ofMinutes(30).toMillis();
            long zoomTo = zoomFrom + Duration.ofHours(1).toMillis();
            js.executeScript("window.trend.setScale('x', {min: arguments[0] / 1000, max: arguments[1] / 1000})",
                    zoomFrom, zoomTo);
            await().atMost(Duration.ofSeconds(20)).until(() -> server.historyRequests() > before
                    && number(js, "return window.trendState.lastQuery.from") == zoomFrom);
            assertEquals(before + 1, server.historyRequests(), "one zoom, one query");
            assertEquals("history", js.executeScript("return window.trendState.mode"));
            assertEquals(zoomTo, number(js, "return window.trendState.lastQuery.to"));
            @SuppressWarnings("unchecked")
            List<Number> xs = (List<Number>) js.executeScript("return window.trend.data[0]");
            assertTrue(xs.size() > width / 2 && xs.size() <= width + 10, "zoomed range downsampled: " + xs.size());
            for (Number x : xs) {
                long ms = Math.round(x.doubleValue() * 1000);
                assertTrue(ms >= zoomFrom && ms < zoomTo, "point outside the zoom: " + ms);
            }
            // The chart shows exactly the zoomed range.
            assertEquals(zoomFrom, number(js, "return Math.round(window.trend.scales.x.min * 1000)"));

            Path shot = Path.of("target", "trend-page.png");
            Files.createDirectories(shot.getParent());
            File png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Files.copy(png.toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
            assertTrue(Files.size(shot) > 10_000, "screenshot " + shot.toAbsolutePath());
        } finally {
            if (driver != null) {
                driver.quit();
            }
            data.historian.close();
        }
    }

    private static long number(JavascriptExecutor js, String script) {
        Object v = js.executeScript(script);
        return v instanceof Number n ? Math.round(n.doubleValue()) : Long.MIN_VALUE;
    }
}
