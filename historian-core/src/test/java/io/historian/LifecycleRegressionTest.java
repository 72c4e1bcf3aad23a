package io.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import io.historian.internal.engine.Internals;
import io.historian.internal.store.RocksChunkStore;
import io.historian.testing.MutableClock;
import io.historian.testing.Reads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

/**
 * One test per way an acknowledged sample used to get lost where data changes place: tiering,
 * retention, large batches, a failed store writer. Each goes through the public API (and, where
 * a race must be made certain, holds the store writer back through the test seam).
 */
class LifecycleRegressionTest {
    private static final Instant NOW = Instant.parse("2026-11-20T15:30:00Z");
    private static final long DAY = 86_400_000L;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(NOW);

    private Historian.Builder tiered(TieringPolicy policy) {
        return Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).clock(clock)
                .coldTier(FileSystemColdTier.of(dir.resolve("tier")))
                .tiering(policy.checkEvery(Duration.ZERO));
    }

    private static long midnightDaysAgo(int days) {
        return NOW.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(days)).toEpochMilli();
    }

    private static void writeSeconds(Historian h, String tag, long from, int count) {
        SampleBatch batch = new SampleBatch();
        for (int i = 0; i < count; i++) {
            batch.add(tag, from + i * 1000L, i, Quality.GOOD);
            if (batch.size() == 1000) {
                h.write(batch);
                batch.clear();
            }
        }
        if (batch.size() > 0) {
            h.write(batch);
        }
    }

    private static int countBetween(Historian h, String tag, long from, long to) {
        return h.query(tag).between(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to)).toList().size();
    }

    /** Case 1: the first run left the open chunk local; the second run overwrote the day's segment with it. */
    @Test
    void aSecondTieringRun_keepsTheWholeDay() {
        long start = midnightDaysAgo(40);
        TieringPolicy policy = TieringPolicy.olderThan(Duration.ofDays(30));
        try (Historian h = tiered(policy).build()) {
            writeSeconds(h, "t", start, 10_000);
            TieringReport first = h.tierNow();
            assertEquals(10_000, first.samples(), "the open chunk behind the cutoff is sealed and exported too");
        }
        try (Historian h = tiered(policy).build()) {
            h.tierNow();
            assertEquals(10_000, countBetween(h, "t", start, start + DAY));
            List<Sample> all = Reads.all(h, "t");
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i, all.get(i).value(), "sample " + i);
            }
        }
    }

    /** Case 2 (certain): samples journaled, not yet applied, when the cutoff rises are applied and exported, not dropped. */
    @Test
    void samplesJournaledBeforeTheCutoffRose_areExported_notDropped() {
        long start = midnightDaysAgo(40);
        try (Historian h = tiered(TieringPolicy.olderThan(Duration.ofDays(30))).build()) {
            Internals.pauseStoreWriter(h, true);
            writeSeconds(h, "t", start, 5_000);
            TieringReport report = h.tierNow();
            Internals.pauseStoreWriter(h, false);
            assertEquals(5_000, report.samples(), report.toString());
            assertEquals(5_000, countBetween(h, "t", start, start + DAY));
            assertEquals(0, h.stats().duplicateSamples());
        }
        try (Historian h = tiered(TieringPolicy.olderThan(Duration.ofDays(30))).build()) {
            assertEquals(5_000, countBetween(h, "t", start, start + DAY), "and after a reopen");
        }
    }

    /** Case 2 (as users met it): a writer backfilling 40-day-old data while tierNow() runs loses nothing it was told was written. */
    @Test
    void aBackfillRacingTierNow_losesNothingAcknowledged() throws Exception {
        // The first run moves the cutoff past the first day of the backfill while it is written.
        long start = midnightDaysAgo(31);
        List<long[]> acknowledged = new ArrayList<>();
        try (Historian h = tiered(TieringPolicy.olderThan(Duration.ofDays(30))).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                SampleBatch batch = new SampleBatch();
                for (int b = 0; !stop.get() && b < 400; b++) {
                    batch.clear();
                    long from = start + b * 250_000L;
                    for (int i = 0; i < 250; i++) {
                        batch.add("backfill", from + i * 1000L, b + i / 1000.0, Quality.GOOD);
                    }
                    try {
                        h.write(batch);
                        synchronized (acknowledged) {
                            acknowledged.add(new long[] {from, b});
                        }
                    } catch (SampleRejectedException e) {
                        assertEquals(RejectReason.BEHIND_TIERING_CUTOFF, e.reason());
                    }
                }
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                synchronized (acknowledged) {
                    return acknowledged.size() >= 20 || writer.isDone();
                }
            });
            for (int round = 0; round < 8 && !writer.isDone(); round++) {
                clock.advance(Duration.ofHours(3));
                h.tierNow();
            }
            stop.set(true);
            writer.get(2, TimeUnit.MINUTES);
            check(h, acknowledged);
        }
        try (Historian h = tiered(TieringPolicy.olderThan(Duration.ofDays(30))).build()) {
            check(h, acknowledged);
        }
    }

    private static void check(Historian h, List<long[]> acknowledged) {
        List<Sample> all = Reads.all(h, "backfill");
        assertEquals(acknowledged.size() * 250, all.size(), "every acknowledged sample, once");
        int k = 0;
        for (long[] a : acknowledged) {
            for (int i = 0; i < 250; i++) {
                Sample s = all.get(k++);
                assertEquals(a[0] + i * 1000L, s.timestamp().toEpochMilli());
                assertEquals(a[1] + i / 1000.0, s.value());
            }
        }
    }

    /** Case 3: a batch above the old 65,536-sample entry limit is refused whole by a full journal. */
    @Test
    void aLargeBatch_refusedByAFullJournal_leavesNothingBehind() {
        try (Historian h = Internals.openPaused(Historian.builder().dataDirectory(dir.resolve("data")).jmx(false)
                .clock(clock).journalBudget(DataSize.ofMegabytes(16)).journalOverflow(OverflowPolicy.REJECT))) {
            SampleBatch batch = new SampleBatch(1_000_000);
            long t0 = NOW.toEpochMilli() - 2_000_000_000L;
            for (int i = 0; i < 1_000_000; i++) {
                batch.add("big." + (i % 10), t0 + (i / 10) * 1000L, Math.sqrt(i) * 1.000001, Quality.GOOD);
            }
            // Half the budget taken: the batch (about 12 MB in the journal) no longer fits.
            int before = 0;
            while (h.stats().journalBytes() < (8L << 20)) {
                writeSeconds(h, "before", t0 + before * 1000L, 100_000);
                before += 100_000;
            }
            assertThrows(JournalFullException.class, () -> h.write(batch));
            Internals.pauseStoreWriter(h, false);
            for (int t = 0; t < 10; t++) {
                assertEquals(List.of(), Reads.all(h, "big." + t), "nothing of the refused batch");
            }
            assertEquals(before, Reads.all(h, "before").size());
            assertEquals(1_000_000, h.stats().rejected(RejectReason.JOURNAL_FULL));
        }
    }

    /** Case 3: a batch above the old entry limit that fits is stored whole, and survives a reopen. */
    @Test
    void aLargeBatch_isOneJournalEntry_andStoredWhole() {
        Historian.Builder b = Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).clock(clock);
        SampleBatch batch = new SampleBatch(300_000);
        long t0 = NOW.toEpochMilli() - 1_000_000_000L;
        for (int i = 0; i < 300_000; i++) {
            batch.add("big." + (i % 3), t0 + (i / 3) * 1000L, i, Quality.GOOD);
        }
        try (Historian h = Internals.openPaused(b)) {
            h.write(batch);
            assertEquals(300_000, h.stats().journaledSamples());
        }
        try (Historian h = b.build()) {
            for (int t = 0; t < 3; t++) {
                assertEquals(100_000, Reads.all(h, "big." + t).size());
            }
            assertEquals(300_000, h.stats().replayedSamples(), "replayed from one entry, in slices");
        }
    }

    /** Case 6: retention, then samples behind the deleted chunks, used to kill the store writer. */
    @Test
    void retention_thenSamplesBehindTheDeletedChunks_keepTheHistorianWorking() {
        Historian.Builder b = Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).clock(clock)
                .chunkMaxSamples(16).retention(Duration.ofHours(1));
        long t0 = NOW.toEpochMilli();
        try (Historian h = b.build()) {
            writeSeconds(h, "a", t0 - 600_000, 64);
            h.compact();
            // Journaled before the clock moved, applied after retention ran: behind every deleted chunk.
            Internals.pauseStoreWriter(h, true);
            writeSeconds(h, "a", t0 - 1_200_000, 10);
            clock.advance(Duration.ofHours(2));
            assertEquals(4, h.applyRetention());
            Internals.pauseStoreWriter(h, false);
            assertEquals(10, Reads.all(h, "a").size(), "the late samples start a chunk of their own");
            assertNull(h.stats().failure());
            SampleRejectedException e = assertThrows(SampleRejectedException.class,
                    () -> h.write("a", Instant.ofEpochMilli(t0), 1.0));
            assertEquals(RejectReason.BEHIND_RETENTION, e.reason());
            assertTrue(e.getMessage().contains("retention"), e.getMessage());
            h.write("a", clock.instant(), 2.0);
            assertEquals(2.0, h.latest("a").orElseThrow().value());
        }
    }

    /** Case 7: the size policy put the cutoff at the end of today and refused live writes until midnight. */
    @Test
    void theSizePolicy_neverPutsTheCutoffPastTheStartOfToday() {
        try (Historian h = tiered(TieringPolicy.localSizeAbove(DataSize.ofKilobytes(16))).build()) {
            long start = NOW.toEpochMilli() - 3 * DAY;
            SampleBatch batch = new SampleBatch();
            for (long t = start; t < NOW.toEpochMilli(); t += 10_000) {
                batch.add("s", t, Math.sin(t / 1e7) * 100, Quality.GOOD);
            }
            h.write(batch);
            TieringReport report = h.tierNow();
            assertNotNull(report.cutoff());
            assertTrue(!report.cutoff().isAfter(NOW.truncatedTo(ChronoUnit.DAYS)), report.toString());
            h.write("s", NOW, 1.0);
            h.write("s", NOW.truncatedTo(ChronoUnit.DAYS).plusSeconds(1), 2.0);
            assertEquals(1.0, h.latest("s").orElseThrow().value());
        }
    }

    /** Case 8: retention covers the cold tier: segments, objects and manifest; no hole between cold and hot. */
    @Test
    void retention_removesColdSegmentsAndTheirObjects() throws IOException {
        long start = midnightDaysAgo(12);
        TieringPolicy policy = TieringPolicy.olderThan(Duration.ofDays(2)).partition(Duration.ofDays(1));
        // Chunks of about four hours, so every day has segments of its own.
        try (Historian h = tiered(policy).chunkMaxSamples(256).build()) {
            SampleBatch batch = new SampleBatch();
            for (long t = start; t < NOW.toEpochMilli(); t += 60_000) {
                batch.add("r", t, (t - start) / 60_000.0, Quality.GOOD);
            }
            h.write(batch);
            h.tierNow();
            assertTrue(segments().size() >= 9, segments().toString());
        }
        // Retention is configured later, shorter than the history: it must reach into the cold tier.
        try (Historian h = tiered(policy).chunkMaxSamples(256).retention(Duration.ofDays(7)).build()) {
            long horizon = NOW.toEpochMilli() - 7 * DAY;
            long removed = h.applyRetention();
            assertTrue(removed >= 4, "removed " + removed);
            List<Sample> left = Reads.all(h, "r");
            assertTrue(left.get(0).timestamp().toEpochMilli() > horizon - DAY, "expired cold data is gone: " + left.get(0));
            // No hole: every minute from the first kept sample to now is there.
            for (int i = 1; i < left.size(); i++) {
                assertEquals(60_000, left.get(i).timestamp().toEpochMilli() - left.get(i - 1).timestamp().toEpochMilli());
            }
            for (String key : segments()) {
                String day = key.substring(key.lastIndexOf('/') + 1, key.lastIndexOf('/') + 9);
                long dayStart = java.time.LocalDate.parse(day, java.time.format.DateTimeFormatter.BASIC_ISO_DATE)
                        .atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
                assertTrue(dayStart + DAY > horizon, "object of an expired day left behind: " + key);
            }
        }
    }

    private List<String> segments() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("tier"))) {
            return s.filter(Files::isRegularFile).map(p -> dir.resolve("tier").relativize(p).toString())
                    .filter(k -> k.endsWith(".seg")).sorted().toList();
        }
    }

    /** Case 9: tiering gives back the disk space of what it moved, without a caller reaching into internals. */
    @Test
    void tierNow_givesTheDiskSpaceBack() {
        long start = midnightDaysAgo(10);
        try (Historian h = tiered(TieringPolicy.olderThan(Duration.ofDays(2))).build()) {
            SampleBatch batch = new SampleBatch();
            for (long t = start; t < NOW.toEpochMilli(); t += 5_000) {
                batch.add("d", t, Math.sin(t / 1e6) * 100 + (t % 7), Quality.GOOD);
                if (batch.size() == 10_000) {
                    h.write(batch);
                    batch.clear();
                }
            }
            h.write(batch);
            h.compact();
            long before = h.stats().storeBytes();
            h.tierNow();
            long after = h.stats().storeBytes();
            assertTrue(after < before / 2, "store bytes " + before + " -> " + after);
        }
    }

    /** A read of recent data needs no cold segment: it works while the cold tier is unreachable. */
    @Test
    void recentData_isReadable_whileTheColdTierIsGone() throws IOException {
        long start = midnightDaysAgo(5);
        try (Historian h = tiered(TieringPolicy.olderThan(Duration.ofDays(2))).chunkMaxSamples(64).build()) {
            SampleBatch batch = new SampleBatch();
            for (long t = start; t < NOW.toEpochMilli(); t += 60_000) {
                batch.add("c", t, 1.0, Quality.GOOD);
            }
            h.write(batch);
            assertTrue(h.tierNow().segmentsWritten() > 0);
            try (Stream<Path> files = Files.walk(dir.resolve("tier"))) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            Instant hourAgo = NOW.minus(Duration.ofHours(1));
            assertEquals(60, h.query("c").between(hourAgo, NOW).toList().size());
            assertEquals(1.0, h.latest("c").orElseThrow().value());
            HistorianException old = assertThrows(HistorianException.class,
                    () -> h.query("c").between(Instant.ofEpochMilli(start), NOW).toList());
            assertTrue(old.getMessage().contains("cold segment missing"), old.getMessage());
        }
    }

    private Historian.Builder formulas(DuplicatePolicy policy) {
        return Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).clock(clock).duplicates(policy)
                .formula("c", "a + b").formula("d", "c * 2");
    }

    private static Instant at(long seconds) {
        return NOW.minus(Duration.ofHours(1)).plusSeconds(seconds);
    }

    /** Case 4: a refused input does not stay in the formulas' state. */
    @Test
    void aRefusedInput_leavesNoTraceInTheFormulas() {
        try (Historian h = Internals.openPaused(formulas(DuplicatePolicy.LAST_WRITE_WINS)
                .journalBudget(DataSize.ofMegabytes(16)).journalOverflow(OverflowPolicy.REJECT))) {
            h.write("a", at(0), 1.0);
            h.write("b", at(0), 1.0);
            // Fill the journal while the store writer is held back, then offer a = 100.
            SampleBatch filler = new SampleBatch();
            long t0 = at(10).toEpochMilli();
            int k = 0;
            for (int size = 50_000; size >= 1; size /= 10) {
                while (true) {
                    filler.clear();
                    for (int i = 0; i < size; i++, k++) {
                        filler.add("filler", t0 + k, 0.0, Quality.GOOD);
                    }
                    try {
                        h.write(filler);
                    } catch (JournalFullException e) {
                        break;
                    }
                }
            }
            assertThrows(JournalFullException.class, () -> h.write("a", at(20), 100.0));
            Internals.pauseStoreWriter(h, false);
            // The journal has room again once the store writer has caught up and released it.
            await().atMost(Duration.ofSeconds(60)).ignoreException(JournalFullException.class)
                    .untilAsserted(() -> h.write("b", at(30), 2.0));
            assertEquals(3.0, h.latest("c").orElseThrow().value(), "c = a + b with the stored a = 1");
            assertEquals(6.0, h.latest("d").orElseThrow().value());
            assertEquals(1.0, h.latest("a").orElseThrow().value());
        }
    }

    /** Case 5: two inputs of a formula in one call at one time give one derived value, from both. */
    @Test
    void twoInputsInOneCall_giveOneDerivedValue_underEveryPolicy() throws Exception {
        for (DuplicatePolicy policy : DuplicatePolicy.values()) {
            Path data = dir.resolve("data");
            try (Historian h = formulas(policy).dataDirectory(data.resolve(policy.name())).build()) {
                h.write("a", at(0), 1.0);
                h.write("b", at(0), 1.0);
                List<Double> seen = new ArrayList<>();
                try (Subscription s = h.subscribe("c", (tag, t, v, q) -> {
                    synchronized (seen) {
                        seen.add(v);
                    }
                })) {
                    long duplicatesBefore = h.stats().duplicateSamples();
                    for (int poll = 1; poll <= 5; poll++) {
                        SampleBatch batch = new SampleBatch();
                        batch.add("a", at(poll).toEpochMilli(), 10.0 * poll, Quality.GOOD);
                        batch.add("b", at(poll).toEpochMilli(), 21.0 * poll, Quality.GOOD);
                        h.write(batch);
                    }
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        synchronized (seen) {
                            return seen.size() >= 5;
                        }
                    });
                    synchronized (seen) {
                        assertEquals(List.of(31.0, 62.0, 93.0, 124.0, 155.0), seen, policy.name());
                    }
                    List<Sample> c = h.query("c").between(at(1), at(6)).toList();
                    assertEquals(List.of(31.0, 62.0, 93.0, 124.0, 155.0), c.stream().map(Sample::value).toList(),
                            policy.name());
                    assertEquals(duplicatesBefore, h.stats().duplicateSamples(), "no duplicate per poll, " + policy);
                }
            }
        }
    }

    /** Case 10: a late input recalculates every derived value it changes, through the DAG. */
    @Test
    void aLateInput_recalculatesUpToItsNextSample_throughTheGraph() {
        try (Historian h = formulas(DuplicatePolicy.LAST_WRITE_WINS).build()) {
            h.write("a", at(10), 1.0);
            h.write("b", at(20), 1.0);
            h.write("b", at(30), 1.0);
            h.write("a", at(40), 7.0);
            h.write("a", at(25), 5.0);
            List<Sample> c = h.query("c").between(at(0), at(100)).toList();
            assertEquals(List.of(2.0, 6.0, 6.0, 8.0), c.stream().map(Sample::value).toList(), c.toString());
            assertEquals(List.of(at(20), at(25), at(30), at(40)), c.stream().map(Sample::timestamp).toList());
            List<Sample> d = h.query("d").between(at(0), at(100)).toList();
            assertEquals(List.of(4.0, 12.0, 12.0, 16.0), d.stream().map(Sample::value).toList(), d.toString());
        }
        try (Historian h = formulas(DuplicatePolicy.LAST_WRITE_WINS).build()) {
            // Late again after a reopen: the graph reads the past from the store.
            h.write("b", at(27), 3.0);
            List<Sample> c = h.query("c").between(at(0), at(100)).toList();
            // b = 3 holds from 27 up to b's next sample at 30.
            assertEquals(List.of(2.0, 6.0, 8.0, 6.0, 8.0), c.stream().map(Sample::value).toList(), c.toString());
        }
    }

    /** A failed store writer is never silent: writes, reads and stats say so; a reopen recovers from the journal. */
    @Test
    void aFailedStoreWriter_isReportedEverywhere_andAReopenRecovers() {
        Historian.Builder b = Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).clock(clock)
                .chunkMaxSamples(16);
        long t0 = NOW.toEpochMilli() - 3_600_000;
        try (Historian h = b.build()) {
            writeSeconds(h, "a", t0, 64);
        }
        // Corrupt the chunk a late sample will have to merge into.
        try (RocksChunkStore store = new RocksChunkStore(dir.resolve("data").resolve("store"));
                WriteBatch wb = new WriteBatch()) {
            store.putChunk(wb, 0, t0 + 16_000, new byte[] {1, 2, 3});
            store.write(wb, true);
        }
        try (Historian h = b.build()) {
            h.write("a", Instant.ofEpochMilli(t0 + 20_500), 99.0);
            await().atMost(Duration.ofSeconds(30)).until(() -> h.stats().failed());
            HistorianStats stats = h.stats();
            assertTrue(stats.failure().contains("corrupt chunk"), stats.failure());
            HistorianException onWrite = assertThrows(HistorianException.class,
                    () -> h.write("a", clock.instant(), 1.0));
            assertTrue(onWrite.getMessage().contains("failed"), onWrite.getMessage());
            assertNotNull(onWrite.getCause());
            assertThrows(HistorianException.class, () -> Reads.all(h, "a"));
            assertThrows(HistorianException.class, () -> h.latest("a"));
        }
        // The operator removes the damaged chunk; the journal still holds the late sample.
        try (RocksChunkStore store = new RocksChunkStore(dir.resolve("data").resolve("store"));
                WriteBatch wb = new WriteBatch()) {
            store.deleteChunk(wb, 0, t0 + 16_000);
            store.write(wb, true);
        }
        try (Historian h = b.build()) {
            assertFalse(h.stats().failed());
            assertEquals(99.0, h.valueAt("a", Instant.ofEpochMilli(t0 + 20_500), ValueAt.PREVIOUS).orElseThrow().value());
            h.write("a", clock.instant(), 1.0);
            assertEquals(1.0, h.latest("a").orElseThrow().value());
        }
    }
}
