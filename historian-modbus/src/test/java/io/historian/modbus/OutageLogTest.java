package io.historian.modbus;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Quality;
import io.historian.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An operator's log during an outage: one line when a device goes down, at most one per minute
 * (of the device's clock) while it stays down, one when it is back with the outage's length, and
 * nothing while it polls normally. Logged through slf4j-simple to standard error, captured here.
 */
class OutageLogTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void anOutage_logsItsStart_thenAtMostOncePerMinute_thenItsEnd_andSteadyPollingLogsNothing() throws Exception {
        TestServer server = TestServer.of("digitalpetri");
        server.holding(0, 42);
        FaultProxy proxy = new FaultProxy(server.port());
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (ModbusSource src = ModbusSource.tcp("127.0.0.1", proxy.port()).name("outage").clock(clock)
                .pollEvery(Duration.ofMillis(20)).timeout(Duration.ofMillis(200))
                .backoff(Duration.ofMillis(5), Duration.ofMillis(20)).holdingRegister(40001).tag("outage.v").build()) {
            CollectingSink sink = new CollectingSink();
            src.start(sink);
            await().atMost(WAIT).until(() -> sink.last("outage.v").map(s -> s.quality() == Quality.GOOD).orElse(false));
            long polls = src.stats().polls();
            await().atMost(WAIT).until(() -> src.stats().polls() >= polls + 20);
            assertEquals(List.of("polling"), kinds(err), "while polling normally");

            proxy.mode(FaultProxy.Mode.CUT);
            long failed = src.stats().failedPolls();
            await().atMost(WAIT).until(() -> src.stats().failedPolls() >= failed + 30);
            assertEquals(List.of("polling", "unreachable"), kinds(err), "30 failures within a minute");

            clock.advance(Duration.ofSeconds(61));
            long failedLater = src.stats().failedPolls();
            await().atMost(WAIT).until(() -> src.stats().failedPolls() >= failedLater + 30);
            assertEquals(List.of("polling", "unreachable", "still"), kinds(err), "30 more failures after a minute");

            proxy.mode(FaultProxy.Mode.PASS);
            await().atMost(WAIT).until(() -> kinds(err).contains("back"));
            long pollsAfter = src.stats().polls();
            await().atMost(WAIT).until(() -> src.stats().polls() >= pollsAfter + 20);
            assertEquals(List.of("polling", "unreachable", "still", "back"), kinds(err), "after the outage");
            String back = lines(err).stream().filter(l -> l.contains("is back after")).findFirst().orElseThrow();
            assertTrue(back.contains("is back after PT1M1S unreachable"), back);
        } finally {
            System.setErr(original);
            proxy.close();
            server.close();
        }
    }

    private static List<String> lines(ByteArrayOutputStream err) {
        return err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("modbus device outage ")).toList();
    }

    /** The kind of each line about the device, in order. */
    private static List<String> kinds(ByteArrayOutputStream err) {
        return lines(err).stream().map(l -> l.contains(" polling [") ? "polling"
                : l.contains(" is unreachable ") ? "unreachable"
                : l.contains(" still unreachable ") ? "still"
                : l.contains(" is back after ") ? "back" : "other: " + l).toList();
    }
}
