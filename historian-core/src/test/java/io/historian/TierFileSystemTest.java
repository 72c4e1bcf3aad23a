package io.historian;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.internal.engine.Internals;
import io.historian.simulation.FaultyColdTier;
import io.historian.testing.ChildJvm;
import io.historian.testing.ColdFetchChild;
import io.historian.testing.MutableClock;
import io.historian.testing.QueryFingerprint;
import io.historian.testing.Reads;
import io.historian.testing.TierData;
import io.historian.testing.TieringChild;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filesystem cold tier end to end: tiering, transparent reads, immutability, cache, bad objects. */
class TierFileSystemTest {
    private static final long PERIOD = 10_000;
    /** Eight days at one sample per 10 s. */
    private static final long SAMPLES = 8 * 8640;
    private static final Instant FROM = Instant.ofEpochMilli(TierData.T0 - 3_600_000);
    private static final Instant TO = Instant.ofEpochMilli(TierData.T0 + 9 * 86_400_000L);
    private static final List<String> TAGS = List.of("boiler.temp", "Boiler.Temp", "line 1/pump%speed", "ünï.cødé",
            ".hidden", "x");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.ofEpochMilli(TierData.T0 + 9 * 86_400_000L));

    private Historian open(FileSystemColdTier tier, DataSize cache) {
        return Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).clock(clock)
                .coldTier(tier).coldCacheSize(cache)
                .tiering(TieringPolicy.olderThan(Duration.ofDays(2)).checkEvery(Duration.ZERO))
                .build();
    }

    private Map<String, List<String>> fingerprints(Historian h) {
        Map<String, List<String>> out = new HashMap<>();
        for (String tag : TAGS) {
            out.put(tag, QueryFingerprint.of(h, tag, FROM, TO));
        }
        return out;
    }

    @Test
    void tierNow_everyQueryMode_answersAsBeforeAndLocalDiskShrinks() throws IOException {
        FileSystemColdTier tier = FileSystemColdTier.of(dir.resolve("tier"));
        Map<String, List<String>> hot;
        try (Historian h = open(tier, DataSize.ofMegabytes(64))) {
            TierData.write(h, TAGS, SAMPLES, PERIOD);
            h.compact();
            long before = h.stats().storeBytes();
            hot = fingerprints(h);

            TieringReport report = h.tierNow();
            System.out.println("tiering: " + report);
            assertTrue(report.segmentsWritten() >= TAGS.size() * 5, report.toString());
            assertEquals(Instant.ofEpochMilli(TierData.T0 + 7 * 86_400_000L), report.cutoff());
            assertEquals(fingerprints(h), hot, "answers changed by tiering");
            assertEquals(TierData.manifestKeys(h), TierData.tierKeys(tier));

            long after = h.stats().storeBytes();
            System.out.println("local chunk files: " + before + " -> " + after + " bytes");
            assertTrue(after < before / 2, "local disk did not shrink: " + before + " -> " + after);

            TieringReport again = h.tierNow();
            assertEquals(0, again.segmentsWritten() + again.segmentsAdopted(), again.toString());
        }
        try (Historian h = open(tier, DataSize.ofMegabytes(64))) {
            assertEquals(hot, fingerprints(h), "answers changed after reopening");
            assertEquals(SAMPLES, Reads.all(h, "boiler.temp").size());
        }
    }

    @Test
    void write_behindTheCutoff_isRejectedNamingTagAndCutoff() {
        FileSystemColdTier tier = FileSystemColdTier.of(dir.resolve("tier"));
        try (Historian h = open(tier, DataSize.ofMegabytes(64))) {
            TierData.write(h, List.of("late.tag"), 4 * 8640, PERIOD);
            clock.advance(Duration.ofDays(-4));
            TieringReport r = h.tierNow();
            assertTrue(r.segmentsWritten() > 0, r.toString());
            Instant cutoff = r.cutoff();
            SampleRejectedException e = assertThrows(SampleRejectedException.class,
                    () -> h.write("late.tag", cutoff.minusSeconds(5), 1.0));
            assertEquals(RejectReason.BEHIND_TIERING_CUTOFF, e.reason());
            assertTrue(e.getMessage().contains("late.tag") && e.getMessage().contains(cutoff.toString()), e.getMessage());
            // A tag without cold data is behind the same cutoff.
            assertThrows(SampleRejectedException.class, () -> h.write("other.tag", cutoff.minusMillis(1), 1.0));
            h.write("late.tag", cutoff, 2.0);
            assertEquals(2.0, h.valueAt("late.tag", cutoff, ValueAt.PREVIOUS).orElseThrow().value());
            assertEquals(2, h.stats().rejected(RejectReason.BEHIND_TIERING_CUTOFF));
        }
        try (Historian h = open(tier, DataSize.ofMegabytes(64))) {
            // The cutoff survives a restart.
            assertThrows(SampleRejectedException.class,
                    () -> h.write("late.tag", Instant.ofEpochMilli(TierData.T0 + 1000), 1.0));
        }
    }

    @Test
    void coldQueries_keepTheCacheUnderItsBound_andFetchAgainAfterEviction() throws IOException {
        FileSystemColdTier tier = FileSystemColdTier.of(dir.resolve("tier"));
        DataSize cap = DataSize.ofKilobytes(64);
        try (Historian h = open(tier, cap)) {
            TierData.write(h, TAGS, SAMPLES, PERIOD);
            h.tierNow();
            var cache = Internals.coldCache(h);
            Instant day0 = Instant.ofEpochMilli(TierData.T0);
            Instant day1 = day0.plus(Duration.ofDays(1));
            assertEquals(8640, h.query("x").between(day0, day1).toList().size());
            long fetches = cache.fetches();
            h.query("x").between(day0, day1).toList();
            assertEquals(fetches, cache.fetches(), "a warm query fetched again");
            for (String tag : TAGS.subList(0, TAGS.size() - 1)) {
                Reads.all(h, tag);
                assertTrue(cache.usedBytes() <= cap.bytes(), "cache over its bound: " + cache.usedBytes());
                assertTrue(directorySize(dir.resolve("data/cold-cache")) <= cap.bytes());
            }
            long before = cache.fetches();
            assertEquals(8640, h.query("x").between(day0, day1).toList().size());
            assertTrue(cache.fetches() > before, "an evicted segment was not fetched again");
        }
    }

    @Test
    void corruptOrMissingSegment_failsNamingTheObject() throws IOException {
        FileSystemColdTier tier = FileSystemColdTier.of(dir.resolve("tier"));
        List<String> keys;
        try (Historian h = open(tier, DataSize.ofMegabytes(64))) {
            TierData.write(h, List.of("x"), SAMPLES, PERIOD);
            h.tierNow();
            keys = new ArrayList<>(TierData.manifestKeys(h));
        }
        keys.sort(null);
        Path first = tier.root().resolve(keys.get(0));
        byte[] content = Files.readAllBytes(first);
        content[content.length / 2] ^= 0x10;
        Files.write(first, content);
        // The day-3 query's first chunk starts on day 2 (chunks of 4096 samples span 11.4 hours).
        Path third = tier.root().resolve(keys.get(2));
        Files.delete(third);
        Path fifth = tier.root().resolve(keys.get(4));
        long recorded = Files.size(fifth);
        Files.write(fifth, new byte[4096], java.nio.file.StandardOpenOption.APPEND);
        try (Historian h = open(tier, DataSize.ofMegabytes(64))) {
            Instant day0 = Instant.ofEpochMilli(TierData.T0);
            HistorianException corrupt = assertThrows(HistorianException.class,
                    () -> h.query("x").between(day0, day0.plusSeconds(60)).toList());
            assertTrue(corrupt.getMessage().contains("checksum mismatch") && corrupt.getMessage().contains(keys.get(0)),
                    corrupt.getMessage());
            Instant day3 = day0.plus(Duration.ofDays(3));
            HistorianException missing = assertThrows(HistorianException.class,
                    () -> h.query("x").between(day3, day3.plusSeconds(60)).toList());
            assertTrue(missing.getMessage().contains("missing") && missing.getMessage().contains(keys.get(2)),
                    missing.getMessage());
            Instant day4 = day0.plus(Duration.ofDays(4)).plusSeconds(3600);
            HistorianException larger = assertThrows(HistorianException.class,
                    () -> h.query("x").between(day4, day4.plusSeconds(60)).toList());
            assertTrue(larger.getMessage().contains("size differs") && larger.getMessage().contains(keys.get(4))
                    && larger.getMessage().contains("expectedSize=" + recorded)
                    && larger.getMessage().contains("actualSize=" + (recorded + 4096)), larger.getMessage());
            assertFalse(larger.isRetryable());
            // Hot data is unaffected.
            Instant hot = day0.plus(Duration.ofDays(7)).plusSeconds(3600);
            assertEquals(6, h.query("x").between(hot, hot.plusSeconds(60)).toList().size());
        }
    }

    @Test
    void scheduledRuns_tierWithoutBeingAsked_andStopAtClose() throws IOException {
        FileSystemColdTier tier = FileSystemColdTier.of(dir.resolve("tier"));
        try (Historian h = Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).clock(clock)
                .coldTier(tier).tiering(TieringPolicy.olderThan(Duration.ofDays(2)).checkEvery(Duration.ofMillis(100)))
                .build()) {
            TierData.write(h, List.of("x"), SAMPLES, PERIOD);
            org.awaitility.Awaitility.await("a scheduled tiering run").atMost(Duration.ofSeconds(30))
                    .until(() -> TierData.manifestKeys(h).size() >= 5);
            assertEquals(SAMPLES, Reads.all(h, "x").size());
        }
        // The leak check fails the test if the historian-tiering thread outlives close().
    }

    @Test
    void tieringPolicy_withoutColdTier_failsAtBuild() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Historian.builder()
                .dataDirectory(dir.resolve("data")).tiering(TieringPolicy.olderThan(Duration.ofDays(1))).build());
        assertTrue(e.getMessage().contains("cold tier"), e.getMessage());
    }

    @Test
    void sizePolicy_tiersOldestPartitionsUntilLocalDataFits() {
        FileSystemColdTier tier = FileSystemColdTier.of(dir.resolve("tier"));
        try (Historian h = Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).clock(clock)
                .coldTier(tier).tiering(TieringPolicy.localSizeAbove(DataSize.ofKilobytes(20))
                        .checkEvery(Duration.ZERO)).build()) {
            TierData.write(h, List.of("a", "b"), SAMPLES, PERIOD);
            TieringReport r = h.tierNow();
            assertTrue(r.segmentsWritten() > 0, r.toString());
            assertEquals(SAMPLES, Reads.all(h, "a").size());
            assertEquals(SAMPLES, Reads.all(h, "b").size());
        }
    }

    @Test
    void fetch_refusesAnObjectOfAnotherSizeThanExpected_namingKeyAndSizes() throws IOException {
        FileSystemColdTier tier = FileSystemColdTier.of(dir.resolve("tier"));
        String key = "segments/x/a.seg";
        tier.put(key, new byte[] {1, 2, 3}, "00");
        assertArrayEquals(new byte[] {1, 2, 3}, tier.fetch(key, 3));
        long huge = 600L << 20;
        try (RandomAccessFile f = new RandomAccessFile(tier.root().resolve(key).toFile(), "rw")) {
            // Sparse: 600 MB of length without 600 MB of disk.
            f.setLength(huge);
        }
        HistorianException larger = assertThrows(HistorianException.class, () -> tier.fetch(key, 3));
        assertTrue(larger.getMessage().contains("key=" + key) && larger.getMessage().contains("expectedSize=3")
                && larger.getMessage().contains("actualSize=" + huge), larger.getMessage());
        assertFalse(larger.isRetryable());
        try (RandomAccessFile f = new RandomAccessFile(tier.root().resolve(key).toFile(), "rw")) {
            f.setLength(2);
        }
        HistorianException shorter = assertThrows(HistorianException.class, () -> tier.fetch(key, 3));
        assertTrue(shorter.getMessage().contains("actualSize=2"), shorter.getMessage());
        // stat hashes in bounded steps and still sees the whole object.
        assertEquals(2, tier.stat(key).size());
    }

    @Test
    void coldQuery_ofASegmentReplacedByA600MbObject_isRefusedInA128MbHeap() throws Exception {
        Path data = dir.resolve("data");
        Path tierDir = dir.resolve("tier");
        List<String> keys;
        try (Historian h = TieringChild.builder(data, tierDir).build()) {
            TierData.write(h, List.of("x"), SAMPLES, PERIOD);
            h.tierNow();
            keys = new ArrayList<>(TierData.manifestKeys(h));
        }
        keys.sort(null);
        Path first = tierDir.resolve(keys.get(0));
        long recorded = Files.size(first);
        long huge = 600L << 20;
        try (RandomAccessFile f = new RandomAccessFile(first.toFile(), "rw")) {
            f.setLength(huge);
        }
        Path log = dir.resolve("child.log");
        // Reading the object whole would need more than four times this heap.
        Process child = ChildJvm.start(ColdFetchChild.class, "128m", log, data.toString(), tierDir.toString(), "x",
                Long.toString(TierData.T0));
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child did not finish");
        String out = Files.readString(log);
        assertEquals(ColdFetchChild.REFUSED, child.exitValue(), out);
        assertTrue(out.contains(keys.get(0)) && out.contains("expectedSize=" + recorded)
                && out.contains("actualSize=" + huge), out);
    }

    private static long directorySize(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /**
     * A late sample after the tiering cutoff, before the tag's first local chunk, cannot repeat a
     * cold one: the REJECT check must find that out without the cold tier, and still refuse a real
     * repeat of a local sample.
     */
    @Test
    void rejectDuplicates_withTheColdTierDown_acceptsALateSampleAfterTheCutoffAndBeforeTheFirstLocalChunk() {
        FaultyColdTier tier = new FaultyColdTier(FileSystemColdTier.of(dir.resolve("tier")));
        try (Historian h = Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).clock(clock)
                .coldTier(tier).duplicates(DuplicatePolicy.REJECT)
                .tiering(TieringPolicy.olderThan(Duration.ofDays(2)).checkEvery(Duration.ZERO)).build()) {
            long now = clock.millis();
            SampleBatch old = new SampleBatch(100);
            for (int i = 0; i < 100; i++) {
                old.add("mixed", now - Duration.ofDays(5).toMillis() + i * 60_000L, i, Quality.GOOD);
            }
            h.write(old);
            h.compact();
            // Written before tiering (in a chunk of its own), so no read fetches the tiered segment into the cache.
            h.write("mixed", now - 1_000, 7.0, Quality.GOOD);
            h.compact();
            TieringReport tiered = h.tierNow();
            assertTrue(tiered.segmentsWritten() >= 1, "the old samples are tiered: " + tiered);
            tier.failAfter(0);

            h.write("mixed", now - 2_000, 8.0, Quality.GOOD);
            SampleRejectedException repeat = assertThrows(SampleRejectedException.class,
                    () -> h.write("mixed", now - 1_000, 9.0, Quality.GOOD));
            assertEquals(RejectReason.DUPLICATE, repeat.reason());
            tier.heal();
            assertEquals(List.of(8.0, 7.0), Reads.all(h, "mixed").stream()
                    .filter(x -> x.timestamp().toEpochMilli() >= now - 2_000).map(Sample::value).toList());
        }
    }

    @Test
    void tiering_pastWhatAFilterHolds_archivesItFirst_soALaterSampleDoesNotDropIt() {
        long now = clock.millis();
        long t0 = now - Duration.ofDays(5).toMillis();
        FileSystemColdTier tier = FileSystemColdTier.of(dir.resolve("tier"));
        try (Historian h = open(tier, DataSize.ofMegabytes(64))) {
            h.register(TagDefinition.of("door").swingingDoor(1.0, Duration.ofDays(30)));
            h.register(TagDefinition.of("band").deadband(0.5).exceptionMax(Duration.ofDays(30)));
            // The door archives t0 and holds t0 + 2 min as its snapshot; the deadband holds t0 + 1 min back.
            h.write("door", t0, 0.0, Quality.GOOD);
            h.write("door", t0 + 60_000, 0.0, Quality.GOOD);
            h.write("door", t0 + 120_000, 0.0, Quality.GOOD);
            h.write("band", t0, 0.0, Quality.GOOD);
            h.write("band", t0 + 60_000, 0.1, Quality.GOOD);
            h.flush();

            TieringReport report = h.tierNow();
            assertEquals(Instant.ofEpochMilli(now - Duration.ofDays(2).toMillis()), report.cutoff());
            assertTrue(report.segmentsWritten() >= 2, report.toString());

            // Breaking the door and the deadband releases what they held, now behind the cutoff.
            h.write("door", now, 100.0, Quality.GOOD);
            h.write("band", now, 5.0, Quality.GOOD);
        }
        try (Historian h = open(tier, DataSize.ofMegabytes(64))) {
            assertEquals(List.of(t0, t0 + 120_000, now), times(Reads.all(h, "door")));
            assertEquals(List.of(t0, t0 + 60_000, now), times(Reads.all(h, "band")));
        }
    }

    @Test
    void killAfterTieringPastWhatAFilterHeld_losesNotTheHeldSample() throws Exception {
        long now = clock.millis();
        long t0 = now - Duration.ofDays(5).toMillis();
        Path log = dir.resolve("child.log");
        Process child = ChildJvm.start(FilterTierThenHalt.class, "256m", log, dir.toString(), Long.toString(now));
        String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        assertTrue(child.waitFor(2, TimeUnit.MINUTES));
        assertEquals("TIERED", out, Files.readString(log));
        try (Historian h = open(FileSystemColdTier.of(dir.resolve("tier")), DataSize.ofMegabytes(64))) {
            // The snapshot the door held was archived with the cutoff; the replay cannot drop it.
            assertEquals(List.of(t0, t0 + 120_000), times(Reads.all(h, "door")));
        }
    }

    /** Leaves a swinging door holding a five-day-old snapshot, tiers past it, and halts without closing. */
    public static final class FilterTierThenHalt {
        public static void main(String[] args) {
            Path dir = Path.of(args[0]);
            long now = Long.parseLong(args[1]);
            long t0 = now - Duration.ofDays(5).toMillis();
            Historian h = Historian.builder().dataDirectory(dir.resolve("data")).jmx(false)
                    .clock(new MutableClock(Instant.ofEpochMilli(now))).coldTier(FileSystemColdTier.of(dir.resolve("tier")))
                    .tiering(TieringPolicy.olderThan(Duration.ofDays(2)).checkEvery(Duration.ZERO)).build();
            h.register(TagDefinition.of("door").swingingDoor(1.0, Duration.ofDays(30)));
            h.write("door", Instant.ofEpochMilli(t0), 0.0);
            h.write("door", Instant.ofEpochMilli(t0 + 60_000), 0.0);
            h.write("door", Instant.ofEpochMilli(t0 + 120_000), 0.0);
            h.flush();
            h.tierNow();
            System.out.println("TIERED");
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
    }

    private static List<Long> times(List<Sample> samples) {
        return samples.stream().map(x -> x.timestamp().toEpochMilli()).toList();
    }

    @Test
    void rejectDuplicates_withTheColdTierDown_refusesALateCallAsColdTierUnavailableAndCountsIt() {
        // The REJECT duplicate check of a tag whose samples are all cold must read the cold tier.
        FaultyColdTier tier = new FaultyColdTier(FileSystemColdTier.of(dir.resolve("tier")));
        try (Historian h = Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).clock(clock)
                .coldTier(tier).duplicates(DuplicatePolicy.REJECT)
                .tiering(TieringPolicy.olderThan(Duration.ofDays(2)).checkEvery(Duration.ZERO)).build()) {
            TierData.write(h, List.of("cold.only"), 8640, PERIOD);
            h.compact();
            assertTrue(h.tierNow().segmentsWritten() >= 1);
            tier.failAfter(0);
            long now = clock.millis();
            SampleBatch late = new SampleBatch(3);
            late.add("cold.only", now - 2_000, 1.0, Quality.GOOD);
            late.add("cold.only", now - 1_000, 2.0, Quality.GOOD);
            late.add("fresh", now - 1_000, 3.0, Quality.GOOD);
            assertThrows(ColdTierUnavailableException.class, () -> h.write(late));
            HistorianStats refused = h.stats();
            assertEquals(3, refused.rejected(RejectReason.COLD_TIER_UNAVAILABLE), refused.toString());
            assertEquals(refused.receivedSamples(), refused.journaledSamples() + refused.rejectedSamples(),
                    refused.toString());
            assertFalse(h.tags().stream().anyMatch(d -> d.name().equals("fresh")), "nothing of the refused call is kept");

            tier.heal();
            h.write(late);
            assertEquals(List.of(1.0, 2.0), Reads.all(h, "cold.only").stream()
                    .filter(x -> x.timestamp().toEpochMilli() >= now - 2_000).map(Sample::value).toList());
            HistorianStats after = h.stats();
            assertEquals(after.receivedSamples(), after.journaledSamples() + after.rejectedSamples(), after.toString());
        }
    }

}
