package io.historian.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Health;
import io.historian.HealthThresholds;
import io.historian.Historian;
import io.historian.query.SampleCursor;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Query timers with percentiles when asked; health and its thresholds as values. */
class HistorianMetricsPercentilesTest {
    @Test
    void withQueryPercentiles_recordsEachQuery_inATimerPerMode(@TempDir Path dir) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        try (Historian h = Historian.builder().dataDirectory(dir).jmx(false).build()) {
            new HistorianMetrics(h).withQueryPercentiles(0.5, 0.99).bindTo(registry);
            h.write("t", t0, 1.0);
            for (int i = 0; i < 5; i++) {
                try (SampleCursor c = h.query("t").between(t0, t0.plusSeconds(1)).raw()) {
                    assertTrue(c.next());
                }
            }
            h.latest("t");
            Timer raw = registry.get("historian.queries").tag("mode", "raw").timer();
            assertEquals(5, raw.count());
            assertEquals(1, registry.get("historian.queries").tag("mode", "latest").timer().count());
            assertEquals(0, registry.get("historian.queries").tag("mode", "aggregate").timer().count());
            ValueAtPercentile[] p = raw.takeSnapshot().percentileValues();
            assertEquals(List.of(0.5, 0.99), List.of(p[0].percentile(), p[1].percentile()));
            assertEquals(0.0, registry.get("historian.health").gauge().value(), "UP");
            assertThrows(IllegalArgumentException.class, () -> new HistorianMetrics(h).withQueryPercentiles(1.0));
        }
    }

    @Test
    void health_isTheWorstOfItsReasons_andThresholdsRefuseNonsense() {
        assertEquals(Health.State.UP, Health.of(List.of()).state());
        Health h = Health.of(List.of(
                new Health.Reason(Health.Cause.STORE_LAG, Health.State.DEGRADED, "lag"),
                new Health.Reason(Health.Cause.STORE_WRITER_FAILED, Health.State.DOWN, "failed")));
        assertEquals(Health.State.DOWN, h.state());
        assertTrue(h.has(Health.Cause.STORE_LAG));
        HealthThresholds d = HealthThresholds.defaults();
        assertEquals(0.8, d.journalUsage());
        assertEquals(Duration.ofMinutes(1), d.storeLag());
        assertEquals(Duration.ofSeconds(5), d.withStoreLag(Duration.ofSeconds(5)).storeLag());
        assertThrows(IllegalArgumentException.class, () -> d.withJournalUsage(0));
        assertThrows(IllegalArgumentException.class, () -> d.withJournalUsage(1.5));
        assertThrows(IllegalArgumentException.class, () -> d.withDeviceUnreachable(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> d.withTieringFailures(0));
        assertThrows(NullPointerException.class, () -> d.withLaggedSubscription(null));
    }
}
