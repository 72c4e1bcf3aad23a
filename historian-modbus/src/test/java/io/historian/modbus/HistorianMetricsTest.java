package io.historian.modbus;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.DataSize;
import io.historian.FileSystemColdTier;
import io.historian.Health;
import io.historian.HealthThresholds;
import io.historian.Historian;
import io.historian.JournalFullException;
import io.historian.OverflowPolicy;
import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.SampleRejectedException;
import io.historian.Subscription;
import io.historian.TieringPolicy;
import io.historian.ValueAt;
import io.historian.internal.engine.Internals;
import io.historian.metrics.HistorianMetrics;
import io.historian.query.Aggregate;
import io.historian.query.AggregateCursor;
import io.historian.query.PointCursor;
import io.historian.query.SampleCursor;
import io.historian.simulation.FaultyColdTier;
import io.historian.testing.MutableClock;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every meter of {@link HistorianMetrics} and {@link ModbusMetrics}, read from a
 * {@link SimpleMeterRegistry} while a historian with two Modbus devices, formulas, a subscription
 * and a cold tier runs: each one moves when its cause happens, and not before.
 */
class HistorianMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void everyMeter_movesWhenItsCauseHappens(@TempDir Path dir) throws Exception {
        MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
        FaultyColdTier tier = new FaultyColdTier(FileSystemColdTier.of(dir.resolve("cold")));
        CountDownLatch release = new CountDownLatch(1);
        TestServer second = TestServer.of("digitalpetri");
        boolean secondClosed = false;
        try (TestServer server = TestServer.of("j2mod"); FaultProxy proxy = new FaultProxy(server.port())) {
            server.holding(0, 1000);
            second.holding(0, 7);
            ModbusSource plc = ModbusSource.tcp("127.0.0.1", proxy.port()).name("plc-1")
                    .pollEvery(Duration.ofMillis(50)).timeout(Duration.ofMillis(300))
                    .backoff(Duration.ofMillis(10), Duration.ofMillis(100))
                    .holdingRegister(40001).int16().tag("boiler.temp").build();
            ModbusSource other = ModbusSource.tcp("127.0.0.1", second.port()).name("plc-2")
                    .pollEvery(Duration.ofMillis(50)).timeout(Duration.ofMillis(300))
                    .backoff(Duration.ofMillis(10), Duration.ofMillis(100))
                    .holdingRegister(40001).int16().tag("pump.speed").build();
            try (Historian h = Historian.builder().dataDirectory(dir.resolve("data")).clock(clock).jmx(false)
                    .source(plc).source(other)
                    .formula("boiler.tempF", "boiler.temp * 9 / 5 + 32")
                    .formula("boiler.broken", "sqrt(0 - boiler.temp)")
                    .coldTier(tier).tiering(TieringPolicy.olderThan(Duration.ofDays(30)).checkEvery(Duration.ZERO))
                    .retention(Duration.ofDays(60)).retentionCheckInterval(Duration.ofDays(365))
                    .chunkMaxSamples(16).commitInterval(Duration.ofMillis(50))
                    .journalBudget(DataSize.ofMegabytes(16)).journalOverflow(OverflowPolicy.BLOCK)
                    .journalBlockTimeout(Duration.ofMillis(300)).subscriberLagLimit(DataSize.ofMegabytes(1))
                    .health(HealthThresholds.defaults().withStoreLag(Duration.ofMillis(100))
                            .withDeviceUnreachable(Duration.ofMillis(100)).withTieringFailures(1))
                    .build()) {
                new HistorianMetrics(h).bindTo(registry);
                new ModbusMetrics(List.of(plc, other)).bindTo(registry);
                assertEquals(expectedMeterNames(), names(), "every meter is registered");

                // Steady polling: ingest, formulas, store, and the device's good-poll figures.
                awaitMoves("historian.ingest.samples", "stage", "received");
                awaitMoves("historian.ingest.samples", "stage", "journaled");
                awaitMoves("historian.formula.evaluations");
                awaitMoves("historian.formula.failures");
                awaitMoves("historian.store.samples", "state", "applied");
                awaitMoves("historian.store.samples", "state", "committed");
                awaitMoves("historian.store.chunks.committed");
                awaitMoves("historian.store.commits");
                awaitMoves("historian.modbus.polls", "device", "plc-1", "result", "ok");
                awaitMoves("historian.modbus.requests", "device", "plc-1");
                awaitMoves("historian.modbus.last.good.poll", "device", "plc-1");
                assertEquals(1.0, read("historian.modbus.state", "device", "plc-1", "state", "polling"));
                assertEquals(0.0, read("historian.modbus.state", "device", "plc-1", "state", "backing_off"));
                assertEquals(0.0, read("historian.health"), () -> h.health().toString());
                awaitAbove("historian.disk.used", 0, "area", "journal");

                // A subscription whose listener waits: open, lagging.
                Subscription slow = h.subscribe("boiler.*", (tag, t, v, q) -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                await().atMost(WAIT).until(() -> read("historian.subscriptions.open") == 1.0);
                await().atMost(WAIT).until(() -> registry.find("historian.subscriptions.lag").gauge() != null
                        && registry.find("historian.subscriptions.lag").gauge().value() > 0);

                // Rejected and duplicate samples.
                double rejected = read("historian.ingest.rejected", "reason", "timestamp_out_of_range");
                assertThrows(SampleRejectedException.class,
                        () -> h.write("x", clock.instant().plus(Duration.ofDays(30)), 1.0));
                awaitAbove("historian.ingest.rejected", rejected, "reason", "timestamp_out_of_range");
                double dups = read("historian.ingest.duplicates");
                h.write("dup", clock.instant().minusSeconds(5), 1.0);
                h.write("dup", clock.instant().minusSeconds(5), 2.0);
                awaitAbove("historian.ingest.duplicates", dups);

                // Tiering: a run moves old data; queries then hit and miss the cold cache.
                h.write("old", clock.instant().minus(Duration.ofDays(40)), 1.0);
                h.tierNow();
                assertEquals(1.0, read("historian.tiering.runs"));
                assertTrue(read("historian.tiering.segments") >= 1);
                assertTrue(read("historian.tiering.bytes") > 0);
                assertTrue(read("historian.tiering.cutoff") > 0, "the cutoff is a timestamp in seconds");
                queryAll(h, "old", clock.instant().minus(Duration.ofDays(41)));
                assertEquals(1.0, read("historian.cold.cache.requests", "result", "miss"));
                queryAll(h, "old", clock.instant().minus(Duration.ofDays(41)));
                assertTrue(read("historian.cold.cache.requests", "result", "hit") >= 1);
                assertTrue(read("historian.disk.used", "area", "cold_cache") > 0);
                for (String mode : List.of("raw", "aggregate", "interpolated", "downsample", "latest", "value_at")) {
                    assertTrue(read("historian.queries", "mode", mode) >= 2, mode);
                }

                // A failing tier: the run fails, and health says so.
                h.write("old", clock.instant().minus(Duration.ofDays(29)), 2.0);
                clock.advance(Duration.ofDays(2));
                tier.failAfter(0);
                assertThrows(RuntimeException.class, h::tierNow);
                assertEquals(1.0, read("historian.tiering.failures"));
                awaitReason(h, Health.Cause.TIERING_FAILING);
                tier.heal();
                h.tierNow();
                await().atMost(WAIT).until(() -> !h.health().has(Health.Cause.TIERING_FAILING));

                // The store writer held back: lag in samples and in time, then a full journal that blocks
                // writers and ends the lagging subscription.
                Internals.pauseStoreWriter(h, true);
                awaitMoves("historian.store.lag.samples");
                await().atMost(WAIT).until(() -> read("historian.store.lag") > 0.1);
                awaitReason(h, Health.Cause.STORE_LAG);
                double full = read("historian.journal.full");
                fillJournal(h, clock.instant().minus(Duration.ofDays(1)));
                awaitAbove("historian.journal.full", full);
                assertTrue(read("historian.journal.blocked") >= 0.3, "one timed-out wait of 300 ms at least");
                awaitReason(h, Health.Cause.JOURNAL_FULL);
                await().atMost(WAIT).until(() -> read("historian.subscriptions.lagged.out") == 1.0);
                assertEquals(Subscription.State.FAILED, slow.state());
                awaitReason(h, Health.Cause.SUBSCRIPTION_LAGGED);
                await().atMost(WAIT).until(() -> read("historian.health.reason", "cause", "journal_full") == 1.0);
                await().atMost(WAIT).until(() -> read("historian.health.reason", "cause", "subscription_lagged") == 1.0);
                await().atMost(WAIT).until(() -> read("historian.health") == 1.0);
                release.countDown(); // the listener returns; the ended subscription's thread goes
                await().atMost(WAIT).until(() -> read("historian.subscriptions.open") == 0.0);
                assertNull(registry.find("historian.subscriptions.lag").gauge(), "an ended subscription's gauge goes");
                Internals.pauseStoreWriter(h, false);
                await().atMost(WAIT).until(() -> read("historian.store.lag") == 0.0);

                // Device faults: timeouts, exception responses, dropped connections, an unreachable device.
                double reconnects = read("historian.modbus.reconnects", "device", "plc-1");
                proxy.mode(FaultProxy.Mode.STALL);
                awaitMoves("historian.modbus.timeouts", "device", "plc-1");
                awaitMoves("historian.modbus.polls", "device", "plc-1", "result", "failed");
                proxy.exceptionCode = 2;
                proxy.mode(FaultProxy.Mode.EXCEPTION);
                awaitMoves("historian.modbus.exceptions", "device", "plc-1", "code", "02");
                proxy.mode(FaultProxy.Mode.PASS);
                awaitAbove("historian.modbus.reconnects", reconnects, "device", "plc-1");
                await().atMost(WAIT).until(() -> read("historian.modbus.state", "device", "plc-1", "state",
                        "polling") == 1.0);
                second.close();
                secondClosed = true;
                awaitMoves("historian.modbus.connect.failures", "device", "plc-2");
                await().atMost(WAIT).until(() -> read("historian.modbus.state", "device", "plc-2", "state",
                        "backing_off") == 1.0 || read("historian.modbus.state", "device", "plc-2", "state",
                        "connecting") == 1.0);
                awaitReason(h, Health.Cause.DEVICE_UNREACHABLE);
                await().atMost(WAIT).until(() -> read("historian.health.reason", "cause", "device_unreachable") == 1.0);

                // Retention: a clock 100 days on expires the local chunks and the cold segments.
                h.compact();
                awaitAbove("historian.disk.used", 0, "area", "store");
                other.close();
                plc.close();
                clock.advance(Duration.ofDays(100));
                double expiredBefore = read("historian.retention.expired", "kind", "chunk");
                assertEquals(0.0, expiredBefore);
                h.applyRetention();
                awaitAbove("historian.retention.expired", expiredBefore, "kind", "chunk");
                await().atMost(WAIT).until(() -> read("historian.retention.expired", "kind", "segment") == 2.0);

                assertEquals(0.0, read("historian.store.corrupt", "kind", "chunk"), "nothing corrupt here");
                assertEquals(0.0, read("historian.store.corrupt", "kind", "journal_entry"));
            } finally {
                release.countDown();
            }
        } finally {
            if (!secondClosed) {
                second.close();
            }
        }
        await().atMost(WAIT).until(() -> Double.isNaN(read("historian.store.pending")));
    }

    /** Every meter name both binders register for this historian (a cold tier, a subscription open). */
    private static Set<String> expectedMeterNames() {
        return new TreeSet<>(List.of(
                "historian.ingest.samples", "historian.ingest.rejected", "historian.ingest.duplicates",
                "historian.formula.evaluations", "historian.formula.failures",
                "historian.store.samples", "historian.store.pending", "historian.store.lag.samples",
                "historian.store.lag", "historian.store.commits", "historian.store.chunks.committed",
                "historian.store.corrupt", "historian.retention.expired",
                "historian.journal.used", "historian.journal.budget", "historian.journal.full",
                "historian.journal.blocked", "historian.queries", "historian.disk.used",
                "historian.subscriptions.open", "historian.subscriptions.lagged.out",
                "historian.tiering.runs", "historian.tiering.failures", "historian.tiering.segments",
                "historian.tiering.bytes", "historian.tiering.cutoff", "historian.cold.cache.requests",
                "historian.health", "historian.health.reason",
                "historian.modbus.state", "historian.modbus.polls", "historian.modbus.requests",
                "historian.modbus.timeouts", "historian.modbus.exceptions", "historian.modbus.reconnects",
                "historian.modbus.connect.failures", "historian.modbus.last.good.poll"));
    }

    private Set<String> names() {
        Set<String> names = new TreeSet<>();
        registry.getMeters().forEach(m -> names.add(m.getId().getName()));
        return names;
    }

    /** Raw, aggregate, interpolated, chart, latest and value-at reads of one tag. */
    private static void queryAll(Historian h, String tag, Instant from) throws Exception {
        Instant to = from.plus(Duration.ofDays(10));
        try (SampleCursor c = h.query(tag).between(from, to).raw()) {
            while (c.next()) {
                assertEquals(Quality.GOOD, c.sample().quality());
            }
        }
        try (AggregateCursor c = h.query(tag).between(from, to).aggregate(Duration.ofDays(1), Aggregate.MAX)) {
            while (c.next()) {
                // drained
            }
        }
        try (PointCursor c = h.query(tag).between(from, to).interpolated(Duration.ofDays(1))) {
            while (c.next()) {
                // drained
            }
        }
        try (PointCursor c = h.query(tag).between(from, to).lttb(10)) {
            while (c.next()) {
                // drained
            }
        }
        assertTrue(h.latest(tag).isPresent());
        assertNotNull(h.valueAt(tag, to, ValueAt.PREVIOUS));
    }

    /** Writes until the journal refuses: with the store writer held back nothing is released. */
    private static void fillJournal(Historian h, Instant from) {
        int n = 500_000;
        SampleBatch batch = new SampleBatch(n);
        long t = from.toEpochMilli();
        for (int round = 0; round < 200; round++) {
            batch.clear();
            for (int i = 0; i < n; i++) {
                batch.add("fill", t++, (i * 7919) % 10007 / 100.0, Quality.GOOD);
            }
            try {
                h.write(batch);
            } catch (JournalFullException e) {
                return;
            }
        }
        throw new AssertionError("the journal never filled");
    }

    private void awaitReason(Historian h, Health.Cause cause) {
        await().atMost(WAIT).until(() -> h.health().has(cause));
    }

    private void awaitMoves(String name, String... tags) {
        double before = read(name, tags);
        awaitAbove(name, before, tags);
    }

    private void awaitAbove(String name, double before, String... tags) {
        DoubleSupplier now = () -> read(name, tags);
        await().atMost(WAIT).until(() -> now.getAsDouble() > before);
    }

    /** A meter's figure: a counter's count, a gauge's value, a timer's count, a time gauge in seconds. */
    private double read(String name, String... tags) {
        Meter m = registry.find(name).tags(tags).meter();
        assertNotNull(m, () -> "no meter " + name + " " + List.of(tags));
        if (m instanceof TimeGauge g) {
            return g.value(TimeUnit.SECONDS);
        }
        if (m instanceof Gauge g) {
            return g.value();
        }
        if (m instanceof FunctionCounter c) {
            return c.count();
        }
        if (m instanceof FunctionTimer t) {
            return t.count();
        }
        throw new AssertionError("unexpected meter type " + m);
    }
}
