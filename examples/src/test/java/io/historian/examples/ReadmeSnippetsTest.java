package io.historian.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.FilterStats;
import io.historian.Health;
import io.historian.Historian;
import io.historian.HistorianStats;
import io.historian.Recovery;
import io.historian.Sample;
import io.historian.SampleBatch;
import io.historian.Subscription;
import io.historian.TagDefinition;
import io.historian.TieringPolicy;
import io.historian.ValueAt;
import io.historian.VerifyReport;
import io.historian.metrics.HistorianMetrics;
import io.historian.modbus.ModbusMetrics;
import io.historian.modbus.ModbusSource;
import io.historian.modbus.WordOrder;
import io.historian.query.Aggregate;
import io.historian.query.AggregateCursor;
import io.historian.query.PointCursor;
import io.historian.query.SampleCursor;
import io.historian.tiering.S3ColdTier;
import io.historian.tiering.S3Credentials;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java snippets of the README, as they stand there (only a data directory under the test's
 * temporary directory instead of {@code Path.of("plant-data")}): each compiles here with the
 * imports the README shows, and those that need no device or object store also run. Change
 * one, change the other.
 */
class ReadmeSnippetsTest {
    @TempDir
    Path dir;

    @Test
    void firstLines() {
        try (Historian historian = Historian.builder().dataDirectory(dir.resolve("plant-data")).jmx(false).build()) {
            Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
            historian.write("boiler.temp", t0, 81.4);               // one sample, journaled
            historian.write(new SampleBatch()                       // one journal entry, all or nothing
                    .add("boiler.temp", t0.plusSeconds(10), 81.6)
                    .add("boiler.pressure", t0.plusSeconds(10), 12.1));
            historian.flush();                                      // durable against power loss
            try (SampleCursor c = historian.query("boiler.temp").between(t0, t0.plus(Duration.ofHours(1))).raw()) {
                while (c.next()) {                                  // streams, in time order
                    System.out.println(c.timestamp() + " " + c.value() + " " + c.quality());
                }
            }
            Optional<Sample> latest = historian.latest("boiler.temp");
            Optional<Sample> at = historian.valueAt("boiler.temp", t0.plusSeconds(5), ValueAt.INTERPOLATED);

            assertEquals(81.6, latest.orElseThrow().value());
            assertEquals(81.5, at.orElseThrow().value(), 1e-9);
        }
    }

    @Test
    void damagedDataDirectories_salvageThenVerify() {
        Path plantData = dir.resolve("plant-data");
        try (Historian historian = Historian.builder().dataDirectory(plantData).jmx(false).build()) {
            historian.write("boiler.temp", Instant.parse("2026-01-01T00:00:00Z"), 81.4);
        }
        Historian historian = Historian.builder().dataDirectory(plantData).jmx(false)
                .recovery(Recovery.SALVAGE)        // damaged segments set aside as *.damaged, a lost store rebuilt from the journal
                .build();
        HistorianStats s = historian.stats();      // unrecoveredEntries(), unrecoveredSamples(), recovery(): what was lost, also logged
        historian.close();
        VerifyReport report = Historian.builder().dataDirectory(plantData).verify();

        assertEquals(0, s.unrecoveredSamples());
        assertTrue(report.healthy(), report.toString());
    }

    @Test
    void queries_aggregateAndPointCursors() {
        Instant from = Instant.parse("2026-01-01T00:00:00Z");
        Instant to = from.plus(Duration.ofHours(6));
        List<String> rows = new ArrayList<>();
        int points = 0;
        boolean gap = false;
        try (Historian historian = Historian.builder().dataDirectory(dir.resolve("plant-data")).jmx(false).build()) {
            SampleBatch batch = new SampleBatch();
            for (int k = 0; k < 6 * 360; k++) {
                if (k < 2 * 360 || k >= 3 * 360) {                  // the third hour is missing: a gap
                    batch.add("boiler.temp", from.plusSeconds(10L * k), 80 + Math.sin(k / 50.0));
                }
            }
            historian.write(batch);

            // The README's snippet, from here:
            try (AggregateCursor c = historian.query("boiler.temp").between(from, to)
                    .aggregate(Duration.ofHours(1), Aggregate.TIME_WEIGHTED_MEAN, Aggregate.MIN, Aggregate.MAX)) {
                while (c.next()) {
                    System.out.println(c.intervalStart() + " mean " + c.value(0) + " min " + c.value(Aggregate.MIN)
                            + " max " + c.value(2) + " " + c.quality(1));   // an hour without samples: min NaN, Bad_NoData
                    rows.add(c.intervalStart() + " " + c.value(Aggregate.MIN) + " " + c.quality(1));
                }
            }
            try (PointCursor c = historian.query("boiler.temp").between(from, to).lttb(2000)) {   // a chart of 2,000 points
                while (c.next()) {
                    if (c.gapBefore()) {
                        System.out.println("(gap)");                    // do not join this point to the previous one
                        gap |= points > 0;
                    }
                    System.out.println(c.tag() + " " + c.timestamp() + " " + c.value() + " " + c.quality());
                    points++;
                }
            }
            // ... to here.
        }
        assertEquals(6, rows.size(), rows.toString());
        assertTrue(rows.get(2).endsWith("NaN Bad_NoData"), rows.toString());
        assertFalse(rows.get(0).endsWith("Bad_NoData"), rows.toString());
        assertTrue(points > 1000 && points <= 2000, "points: " + points);
        assertTrue(gap, "the missing hour is a gap");
    }

    @Test
    void compressionAndSubscription() throws Exception {
        Historian historian = Historian.builder().dataDirectory(dir.resolve("plant-data")).jmx(false)
            .tag(TagDefinition.of("pump.speed").deadband(0.5).swingingDoor(1.0, Duration.ofMinutes(10)))
            .build();
        try (historian) {
            Instant t0 = Instant.now().minus(Duration.ofMinutes(30));
            for (int k = 0; k < 600; k++) {
                historian.write("pump.speed", t0.plusSeconds(k), 1450 + (k % 3) * 0.1);
            }
            historian.flush();
            FilterStats s = historian.compression("pump.speed").orElseThrow();   // ratio, max reconstruction error
            System.out.println(s);

            historian.write("line1.flow", Instant.now(), 3.5);
            try (Subscription sub = historian.subscribeFrom(Instant.now().minus(Duration.ofHours(1)), "line1.*",
                    (tag, epochMillis, value, quality) -> System.out.println(tag + " " + epochMillis + " " + value + " " + quality))) {
                // ... samples arrive on the subscription's own thread until it is closed
            }
        }
    }

    @Test
    void metricsAndHealth() {
        ModbusSource plc = ModbusSource.tcp("127.0.0.1", 502).name("plc-7").holdingRegister(40001).tag("boiler.temp")
                .build();                                           // not started: no device here
        List<String> lines = new ArrayList<>();
        try (Historian historian = Historian.builder().dataDirectory(dir.resolve("plant-data")).jmx(false).build()) {
            historian.write("boiler.temp", Instant.parse("2026-01-01T00:00:00Z"), 81.4);

            // The README's snippet, from here:
            MeterRegistry registry = new SimpleMeterRegistry();      // or Spring's, or a PrometheusMeterRegistry
            new HistorianMetrics(historian).bindTo(registry);         // io.historian.metrics
            new ModbusMetrics(List.of(plc)).bindTo(registry);         // per device: state, polls, timeouts, ...

            Health health = historian.health();                       // UP, DEGRADED or DOWN, with reasons
            if (health.state() != Health.State.UP) {
                health.reasons().forEach(r -> System.out.println(r.cause() + ": " + r.detail()));
            }
            // ... to here.
            health.reasons().forEach(r -> lines.add(r.cause().name()));
            assertEquals(Health.State.UP, health.state());
            assertEquals(1.0, registry.get("historian.ingest.samples").tag("stage", "journaled").functionCounter()
                    .count());
            assertEquals(1.0, registry.get("historian.modbus.state").tag("device", "plc-7").tag("state", "new")
                    .gauge().value());
        }
        assertEquals(List.of(), lines);
    }

    /** Compiled, not run: it would poll a device and an object store that are not here. */
    @SuppressWarnings("unused")
    static void compileOnly(String accessKey, String secretKey, Instant fiveYearsAgo, Instant now) {
        ModbusSource plc = ModbusSource.tcp("127.0.0.1", 502).name("plc-7").unitId(1)
                .pollEvery(Duration.ofMillis(500)).timeout(Duration.ofSeconds(1))
                .holdingRegister(40001).float32(WordOrder.CDAB).tag("boiler.temp").scale(0.1)
                .build();
        try (Historian h = Historian.builder().dataDirectory(Path.of("plant-data")).source(plc).build()) {
            h.flush();
        }

        Historian.builder()
            .formula("tank.total", "tank1.level + tank2.level")
            .formula("boiler.efficiency", "if(fuel.flow > 0.1, steam.flow * 2.26 / (fuel.flow * 50.0), 0)")
            .formula("pump.ok", "`line-1/pump 2.speed` > 1400 && !`line-1/pump 2.fault`")
            .build();

        Historian historian = Historian.builder()
            .coldTier(S3ColdTier.builder().endpoint("https://minio.plant.local:9000").bucket("historian")
                    .prefix("site-a/").credentials(S3Credentials.of(accessKey, secretKey)).build())
            .tiering(TieringPolicy.olderThan(Duration.ofDays(30)).checkEvery(Duration.ofHours(1)))
            .build();
        try (SampleCursor c = historian.query("boiler.temp").between(fiveYearsAgo, now).raw()) {   // hot and cold, merged
            while (c.next()) { /* ... */ }
        }
        historian.tierNow();                                                 // run the job on demand
    }
}
