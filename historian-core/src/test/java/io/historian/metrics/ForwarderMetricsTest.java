package io.historian.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.ForwarderStatus;
import io.historian.Historian;
import io.historian.HistorianStats;
import io.historian.SampleBatch;
import io.historian.testing.RecordingForwarder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each forwarder's figures in {@code stats()} and as meters, moving with what the target does. */
class ForwarderMetricsTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void forwarderMeters_followOutageRetriesAndDeadLetters(@TempDir Path dir) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RecordingForwarder target = new RecordingForwarder("rec");
        RecordingForwarder quiet = new RecordingForwarder("other");
        target.down(true);
        target.refuse(g -> g.tag().equals("b") && g.t() % 10_000 == 0);
        try (Historian h = Historian.builder().dataDirectory(dir).jmx(false).forwarder(target).forwarder(quiet)
                .build()) {
            new HistorianMetrics(h).bindTo(registry);
            assertEquals(2, h.stats().forwarders().size());
            assertEquals("rec", h.stats().forwarders().get(0).name());
            assertEquals("other", h.stats().forwarders().get(1).name());

            for (int s = 0; s < 100; s++) {
                SampleBatch b = new SampleBatch();
                b.add("a", T0.plusSeconds(s), s);
                b.add("b", T0.plusSeconds(s), -s);
                h.write(b);
            }
            await().atMost(WAIT).until(() -> counter(registry, "rec", "historian.forwarder.samples", "retried") > 0);
            assertTrue(gauge(registry, "rec", "historian.forwarder.lag.samples") > 0);
            assertTrue(gauge(registry, "rec", "historian.forwarder.lag") > 0, "the oldest waiting sample ages");
            await().atMost(WAIT).until(() -> gauge(registry, "rec", "historian.forwarder.state")
                    == ForwarderStatus.State.BACKING_OFF.ordinal());

            target.down(false);
            // Samples of b at whole 10 s are refused: 10 of 200.
            await().atMost(WAIT).until(() -> counter(registry, "rec", "historian.forwarder.samples", "sent") == 190
                    && counter(registry, "rec", "historian.forwarder.samples", "dead_lettered") == 10);
            await().atMost(WAIT).until(() -> gauge(registry, "rec", "historian.forwarder.lag.samples") == 0);
            assertEquals(10, gauge(registry, "rec", "historian.forwarder.dead.letters"));
            assertEquals(190 * 20, registry.get("historian.forwarder.bytes").tag("forwarder", "rec").functionCounter()
                    .count(), "bytes as the target counts them");
            assertEquals(0, gauge(registry, "rec", "historian.forwarder.lag"));
            assertEquals(ForwarderStatus.State.FORWARDING.ordinal(), gauge(registry, "rec", "historian.forwarder.state"));
            await().atMost(WAIT).until(() -> counter(registry, "other", "historian.forwarder.samples", "sent") == 200);
            assertEquals(0, counter(registry, "other", "historian.forwarder.samples", "retried"));

            // The meters and stats() tell the same story as status().
            await().atMost(WAIT).until(() -> h.stats().forwarders().get(0).equals(h.forwarder("rec").status()));
            HistorianStats stats = h.stats();
            ForwarderStatus rec = stats.forwarders().get(0);
            assertEquals(rec.sentSamples(), (long) counter(registry, "rec", "historian.forwarder.samples", "sent"));
            assertEquals(rec.deadLetteredSamples(), 10);
            assertEquals(rec.restarts(), (long) registry.get("historian.forwarder.restarts").tag("forwarder", "rec")
                    .functionCounter().count());

            h.forwarder("rec").purgeDeadLetters();
            await().atMost(WAIT).until(() -> gauge(registry, "rec", "historian.forwarder.dead.letters") == 0);
        }
        // NaN once closed (after the shared snapshot of at most 200 ms expires).
        await().atMost(WAIT).until(() -> Double.isNaN(gauge(registry, "rec", "historian.forwarder.lag.samples")));
    }

    private static double counter(MeterRegistry r, String forwarder, String name, String outcome) {
        return r.get(name).tag("forwarder", forwarder).tag("outcome", outcome).functionCounter().count();
    }

    private static double gauge(MeterRegistry r, String forwarder, String name) {
        return r.get(name).tag("forwarder", forwarder).gauge().value();
    }
}
