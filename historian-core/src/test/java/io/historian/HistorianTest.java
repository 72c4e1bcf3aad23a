package io.historian;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.query.SampleCursor;
import io.historian.testing.MutableClock;
import io.historian.testing.Reads;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistorianTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    MutableClock clock = new MutableClock(T0.plus(Duration.ofDays(1)));

    Historian.Builder builder() {
        return Historian.builder().dataDirectory(dir).clock(clock).jmx(false);
    }

    static Instant t(long seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void write_single_isReadableAsSoonAsWriteReturns() {
        try (Historian h = builder().build()) {
            h.write("boiler.temp", t(0), 81.4);
            List<Sample> all = Reads.all(h, "boiler.temp");
            assertEquals(List.of(Sample.of("boiler.temp", t(0), 81.4)), all);
            assertEquals(Optional.of(Sample.of("boiler.temp", t(0), 81.4)), h.latest("boiler.temp"));
        }
    }

    @Test
    void raw_isHalfOpenAndInTimeOrder_acrossCommittedAndOpenChunks() {
        try (Historian h = builder().chunkMaxSamples(16).build()) {
            SampleBatch batch = new SampleBatch();
            for (int i = 0; i < 100; i++) {
                batch.add("a", t(i), i * 0.5, Quality.GOOD);
            }
            h.write(batch);
            List<Sample> r = h.query("a").between(t(10), t(50)).toList();
            assertEquals(40, r.size());
            assertEquals(t(10), r.get(0).timestamp());
            assertEquals(t(49), r.get(39).timestamp());
            for (int i = 0; i < r.size(); i++) {
                assertEquals((10 + i) * 0.5, r.get(i).value());
            }
            assertEquals(0, h.query("a").between(t(10), t(10)).toList().size(), "empty range reads nothing");
        }
    }

    @Test
    void raw_withBounds_addsTheSamplesJustOutside() {
        try (Historian h = builder().build()) {
            for (int i = 0; i < 10; i += 2) {
                h.write("a", t(i), i);
            }
            List<Sample> r = h.query("a").between(t(3), t(6)).withBounds().toList();
            assertEquals(List.of(t(2), t(4), t(6)), r.stream().map(Sample::timestamp).toList());
        }
    }

    @Test
    void outOfOrder_isAcceptedAndStoredInOrder_evenBehindCommittedChunks() {
        try (Historian h = builder().chunkMaxSamples(16).build()) {
            for (int i = 100; i < 200; i++) {
                h.write("a", t(i), i);
            }
        }
        try (Historian h = builder().chunkMaxSamples(16).build()) {
            h.write("a", t(150).plusMillis(500), -1);   // inside a committed chunk
            h.write("a", t(5), -2);                      // before every chunk
            h.write("a", t(300), 300);                   // new
            h.write("a", t(250), 250);                   // a gap after the committed chunks
            assertInOrder(Reads.all(h, "a"), 104);
        }
        try (Historian h = builder().chunkMaxSamples(16).build()) {
            List<Sample> all = Reads.all(h, "a");
            assertInOrder(all, 104);
            assertEquals(-2, all.get(0).value());
            assertEquals(Optional.of(Sample.of("a", t(150).plusMillis(500), -1)),
                    h.valueAt("a", t(150).plusMillis(500), ValueAt.PREVIOUS));
        }
    }

    private static void assertInOrder(List<Sample> all, int expectedSize) {
        assertEquals(expectedSize, all.size());
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).timestamp().isBefore(all.get(i).timestamp()), "order at " + i);
        }
    }

    @Test
    void duplicate_lastWriteWinsByDefault_acrossReopen() {
        try (Historian h = builder().chunkMaxSamples(16).build()) {
            for (int i = 0; i < 40; i++) {
                h.write("a", t(i), i);
            }
        }
        try (Historian h = builder().chunkMaxSamples(16).build()) {
            h.write("a", t(3), 33, Quality.BAD_SENSOR_FAILURE);
            h.write("a", t(39), 99);
            List<Sample> all = Reads.all(h, "a");
            assertEquals(40, all.size());
            assertEquals(new Sample("a", t(3), 33, Quality.BAD_SENSOR_FAILURE), all.get(3));
            assertEquals(99, all.get(39).value());
        }
    }

    @Test
    void duplicate_keepFirst_keepsTheEarlierValue() {
        try (Historian h = builder().duplicates(DuplicatePolicy.KEEP_FIRST).build()) {
            h.write("a", t(1), 1);
            h.write("a", t(1), 2);
            assertEquals(List.of(Sample.of("a", t(1), 1)), Reads.all(h, "a"));
            assertEquals(1, h.stats().duplicateSamples());
        }
    }

    @Test
    void duplicate_reject_refusesTheWholeBatchAndKeepsWhatWasAccepted() {
        try (Historian h = builder().duplicates(DuplicatePolicy.REJECT).build()) {
            h.write("a", t(1), 1);
            SampleBatch batch = new SampleBatch().add("a", t(2), 2).add("a", t(1), 5);
            SampleRejectedException e = assertThrows(SampleRejectedException.class, () -> h.write(batch));
            assertEquals(RejectReason.DUPLICATE, e.reason());
            assertEquals(1, e.index());
            assertTrue(e.getMessage().contains("tag=a"), e.getMessage());
            SampleBatch twice = new SampleBatch().add("a", t(7), 2).add("a", t(7), 5);
            assertEquals(RejectReason.DUPLICATE, assertThrows(SampleRejectedException.class, () -> h.write(twice)).reason());
            assertEquals(List.of(Sample.of("a", t(1), 1)), Reads.all(h, "a"));
            HistorianStats s = h.stats();
            assertEquals(5, s.receivedSamples());
            assertEquals(4, s.rejectedSamples());
            assertEquals(1, s.journaledSamples());
        }
    }

    @Test
    void unknownTag_onRead_throwsTagNotFound_knownTagWithoutData_isEmpty() {
        try (Historian h = builder().tag(TagDefinition.of("known")).build()) {
            assertThrows(TagNotFoundException.class, () -> h.query("nope").raw());
            assertThrows(TagNotFoundException.class, () -> h.latest("nope"));
            assertThrows(TagNotFoundException.class, () -> h.valueAt("nope", t(0), ValueAt.PREVIOUS));
            assertEquals(List.of(), Reads.all(h, "known"));
            assertEquals(Optional.empty(), h.latest("known"));
        }
    }

    @Test
    void strictMode_rejectsUnknownTags_acceptsRegisteredOnes() {
        try (Historian h = builder().strictTags(true).tag(TagDefinition.of("ok").unit("bar")).build()) {
            h.write("ok", t(0), 1);
            SampleRejectedException e = assertThrows(SampleRejectedException.class, () -> h.write("other", t(0), 1));
            assertEquals(RejectReason.UNKNOWN_TAG, e.reason());
            assertEquals("bar", h.tag("ok").orElseThrow().unit());
            assertEquals(Optional.empty(), h.tag("other"));
        }
    }

    @Test
    void tagMetadata_persistsAcrossReopen() {
        TagDefinition def = TagDefinition.of("plant/line-1/boiler.temp").unit("°C").description("outlet")
                .interpolation(Interpolation.STEPPED).rejectNonFinite(true);
        try (Historian h = builder().tag(def).build()) {
            h.write("auto.registered", t(0), 1);
        }
        try (Historian h = builder().build()) {
            assertEquals(def, h.tag(def.name()).orElseThrow());
            assertEquals(List.of(def.name(), "auto.registered"), h.tags().stream().map(TagDefinition::name).toList());
        }
    }

    @Test
    void nonFinite_isStoredBitExactly_unlessTheTagRejectsIt() {
        long nanPayload = 0x7FF0_0000_0000_0BADL;
        double[] odd = {Double.NaN, Double.longBitsToDouble(nanPayload), -0.0, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE};
        try (Historian h = builder().tag(TagDefinition.of("strict").rejectNonFinite(true)).build()) {
            for (int i = 0; i < odd.length; i++) {
                h.write("odd", t(i), odd[i]);
            }
            SampleRejectedException e = assertThrows(SampleRejectedException.class,
                    () -> h.write("strict", t(0), Double.NaN));
            assertEquals(RejectReason.NON_FINITE_VALUE, e.reason());
        }
        try (Historian h = builder().build()) {
            List<Sample> all = Reads.all(h, "odd");
            long[] expected = new long[odd.length];
            long[] actual = new long[odd.length];
            for (int i = 0; i < odd.length; i++) {
                expected[i] = Double.doubleToRawLongBits(odd[i]);
                actual[i] = Double.doubleToRawLongBits(all.get(i).value());
            }
            assertArrayEquals(expected, actual);
        }
    }

    @Test
    void timestampOutsideWindow_rejectsTheBatch_andCountsEverySample() {
        try (Historian h = builder().earliestTimestamp(T0).futureTolerance(Duration.ofHours(1)).build()) {
            SampleBatch batch = new SampleBatch().add("a", t(0), 1).add("a", T0.minusMillis(1), 2);
            SampleRejectedException e = assertThrows(SampleRejectedException.class, () -> h.write(batch));
            assertEquals(RejectReason.TIMESTAMP_OUT_OF_RANGE, e.reason());
            assertEquals(1, e.index());
            Instant tooLate = clock.instant().plus(Duration.ofHours(2));
            assertThrows(SampleRejectedException.class, () -> h.write("a", tooLate, 1));
            assertEquals(List.of(), h.tags(), "a refused batch registers nothing");
            HistorianStats s = h.stats();
            assertEquals(3, s.rejectedSamples());
            assertEquals(2, s.rejected(RejectReason.TIMESTAMP_OUT_OF_RANGE));
            assertEquals(1, s.rejected(RejectReason.BATCH_REJECTED));
            assertEquals(0, s.journaledSamples());
        }
    }

    @Test
    void invalidNames_areRejectedWithTheReason() {
        try (Historian h = builder().build()) {
            for (String bad : new String[] {"", "a..b", "../etc", "tab\there", "line*", "q?", " lead", "x".repeat(257)}) {
                SampleRejectedException e = assertThrows(SampleRejectedException.class, () -> h.write(bad, t(0), 1), bad);
                assertEquals(RejectReason.INVALID_TAG_NAME, e.reason());
            }
            h.write("plant/line-1/pump.speed", t(0), 1);
            h.write("Kessel.Temperatur.°C", t(0), 1);
        }
        assertThrows(IllegalArgumentException.class, () -> TagDefinition.of("a..b"));
    }

    @Test
    void nulls_throwNpeNamingTheParameter() {
        try (Historian h = builder().build()) {
            assertEquals("tag", assertThrows(NullPointerException.class, () -> h.write(null, t(0), 1)).getMessage());
            assertEquals("timestamp",
                    assertThrows(NullPointerException.class, () -> h.write("a", (Instant) null, 1)).getMessage());
            assertEquals("quality",
                    assertThrows(NullPointerException.class, () -> h.write("a", t(0), 1, null)).getMessage());
            assertThrows(NullPointerException.class, () -> h.write((SampleBatch) null));
            assertThrows(NullPointerException.class, () -> new SampleBatch().add(null, t(0), 1));
            assertThrows(NullPointerException.class, () -> Historian.builder().dataDirectory(null));
        }
    }

    @Test
    void batchLargerThanTheMaximum_isRejected() {
        try (Historian h = builder().maxBatchSize(10).build()) {
            SampleBatch batch = new SampleBatch();
            for (int i = 0; i < 11; i++) {
                batch.add("a", t(i), i);
            }
            assertEquals(RejectReason.BATCH_TOO_LARGE,
                    assertThrows(SampleRejectedException.class, () -> h.write(batch)).reason());
        }
    }

    @Test
    void afterClose_writesAndReadsThrowIllegalState_andCloseIsIdempotent() {
        Historian h = builder().build();
        h.write("a", t(0), 1);
        h.close();
        h.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.write("a", t(1), 1));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> h.latest("a"));
    }

    @Test
    void secondHistorian_onTheSameDirectory_isRefused() {
        try (Historian h = builder().build()) {
            HistorianException e = assertThrows(HistorianException.class, () -> builder().build());
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        try (Historian again = builder().build()) {
            assertEquals(0, again.tags().size());
        }
    }

    @Test
    void unwritableDataDirectory_isAClearError() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        HistorianException e = assertThrows(HistorianException.class,
                () -> Historian.builder().dataDirectory(file.resolve("sub")).jmx(false).build());
        assertTrue(e.getMessage().contains("data directory"), e.getMessage());
    }

    @Test
    void valueAt_previousNextAndInterpolated() {
        try (Historian h = builder().tag(TagDefinition.of("step").interpolation(Interpolation.STEPPED)).build()) {
            h.write("lin", t(0), 10, Quality.GOOD);
            h.write("lin", t(10), 20, Quality.UNCERTAIN_SENSOR_NOT_ACCURATE);
            h.write("step", t(0), 10);
            h.write("step", t(10), 20);
            Instant mid = t(4);
            assertEquals(10, h.valueAt("lin", mid, ValueAt.PREVIOUS).orElseThrow().value());
            assertEquals(20, h.valueAt("lin", mid, ValueAt.NEXT).orElseThrow().value());
            Sample lin = h.valueAt("lin", mid, ValueAt.INTERPOLATED).orElseThrow();
            assertEquals(14.0, lin.value(), 1e-12);
            assertEquals(mid, lin.timestamp());
            assertEquals(Quality.UNCERTAIN_SENSOR_NOT_ACCURATE, lin.quality());
            assertEquals(10, h.valueAt("step", mid, ValueAt.INTERPOLATED).orElseThrow().value());
            assertEquals(Optional.empty(), h.valueAt("lin", t(-1), ValueAt.INTERPOLATED));
            assertEquals(Optional.empty(), h.valueAt("lin", t(11), ValueAt.NEXT));
            Sample after = h.valueAt("lin", t(20), ValueAt.INTERPOLATED).orElseThrow();
            assertEquals(20, after.value());
            assertTrue(after.quality().isUncertain());
            assertEquals(20, h.valueAt("lin", t(10), ValueAt.INTERPOLATED).orElseThrow().value());
        }
    }

    @Test
    void corruptChunk_onRead_throwsNamingTagAndChunk_neverWrongNumbers() throws Exception {
        try (Historian h = builder().chunkMaxSamples(16).build()) {
            for (int i = 0; i < 32; i++) {
                h.write("boiler.temp", t(i), i);
            }
        }
        try (var store = new io.historian.internal.store.RocksChunkStore(dir.resolve("store"))) {
            byte[] chunk = store.readChunk(0, t(16).toEpochMilli());
            chunk[chunk.length - 1] ^= 0x40;
            try (org.rocksdb.WriteBatch wb = new org.rocksdb.WriteBatch()) {
                store.putChunk(wb, 0, t(16).toEpochMilli(), chunk);
                store.write(wb, true);
            }
        }
        try (Historian h = builder().chunkMaxSamples(16).build()) {
            assertEquals(16, h.query("boiler.temp").between(t(0), t(16)).toList().size());
            HistorianException e = assertThrows(HistorianException.class, () -> Reads.all(h, "boiler.temp"));
            assertTrue(e.getMessage().contains("tag=boiler.temp"), e.getMessage());
            assertTrue(e.getMessage().contains("chunkStart=" + t(16)), e.getMessage());
            assertEquals(1, h.stats().corruptChunks());
        }
    }

    @Test
    void retention_deletesWhollyOldChunks_andKeepsTheRest() {
        try (Historian h = builder().chunkMaxSamples(16).retention(Duration.ofHours(1)).build()) {
            Instant start = clock.instant();
            for (int i = 0; i < 64; i++) {
                h.write("a", start.plusSeconds(i), i);
            }
            clock.advance(Duration.ofMinutes(150));
            for (int i = 0; i < 20; i++) {
                h.write("a", start.plus(Duration.ofMinutes(150)).plusSeconds(i), 100 + i);
            }
            assertEquals(84, Reads.all(h, "a").size());
            SampleRejectedException behind = assertThrows(SampleRejectedException.class,
                    () -> h.write("a", start.plusSeconds(100), 1));
            assertEquals(RejectReason.BEHIND_RETENTION, behind.reason());
            long deleted = h.applyRetention();
            assertEquals(4, deleted);
            List<Sample> left = Reads.all(h, "a");
            assertEquals(20, left.size());
            assertEquals(100, left.get(0).value());
        }
    }

    @Test
    void stats_countEndToEnd_andJmxServesThem() throws Exception {
        try (Historian h = Historian.builder().dataDirectory(dir).clock(clock).build()) {
            SampleBatch batch = new SampleBatch();
            for (int i = 0; i < 1000; i++) {
                batch.add("t" + (i % 10), t(i), i, Quality.GOOD);
            }
            h.write(batch);
            assertThrows(SampleRejectedException.class, () -> h.write("bad..name", t(0), 1));
            HistorianStats s = h.stats();
            assertEquals(1001, s.receivedSamples());
            assertEquals(1000, s.journaledSamples());
            assertEquals(1, s.rejected(RejectReason.INVALID_TAG_NAME));
            assertEquals(10, s.tags());
            assertEquals(new TagStats("t3", 100, 0, 100), h.stats("t3"));
            ObjectName name = new ObjectName("io.historian:type=Historian,directory="
                    + ObjectName.quote(dir.toAbsolutePath().normalize().toString()));
            assertEquals(1000L, ManagementFactory.getPlatformMBeanServer().getAttribute(name, "JournaledSamples"));
            h.flush();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> h.stats().storedSamples() + h.stats().pendingSamples() == 1000);
        }
    }

    @Test
    void cursor_streamsAndCanBeClosedEarly() {
        try (Historian h = builder().chunkMaxSamples(16).build()) {
            SampleBatch batch = new SampleBatch();
            for (int i = 0; i < 1000; i++) {
                batch.add("a", t(i), i, Quality.GOOD);
            }
            h.write(batch);
            List<Double> firstThree = new ArrayList<>();
            try (SampleCursor c = h.query("a").between(t(0), t(1000)).raw()) {
                while (firstThree.size() < 3 && c.next()) {
                    firstThree.add(c.value());
                }
            }
            assertEquals(List.of(0.0, 1.0, 2.0), firstThree);
            SampleCursor c = h.query("a").raw();
            c.close();
            assertThrows(IllegalStateException.class, c::next);
            try (SampleCursor empty = h.query("a").between(t(2000), t(3000)).raw()) {
                assertFalse(empty.next());
            }
            SampleCursor leftOpen = h.query("a").raw();
            assertTrue(leftOpen.next());
            h.close();
            assertThrows(IllegalStateException.class, leftOpen::next);
        }
    }

    /** A source that writes one sample per request from its own thread, and records its lifecycle. */
    static final class CountingSource implements io.historian.spi.SampleSource {
        final java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
        final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        private Thread thread;
        private volatile boolean running = true;

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public void start(io.historian.spi.SampleSink sink) {
            events.add("start");
            thread = new Thread(() -> {
                for (int i = 0; running && i < 500; i++) {
                    sink.write("src.value", t(i).toEpochMilli(), i, Quality.GOOD);
                    written.incrementAndGet();
                }
            }, "test-source");
            thread.start();
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            events.add("close");
        }
    }

    @Test
    void source_isStartedAfterOpen_andClosedBeforeTheHistorian_keepingItsLastSamples() {
        CountingSource source = new CountingSource();
        try (Historian h = builder().source(source).build()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> source.written.get() == 500);
            assertEquals(500, Reads.all(h, "src.value").size());
        }
        assertEquals(List.of("start", "close"), source.events);
        assertThrows(IllegalArgumentException.class,
                () -> Historian.builder().source(new CountingSource()).source(new CountingSource()));
    }
}
