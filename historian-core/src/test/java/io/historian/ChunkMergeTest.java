package io.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.internal.store.RocksChunkStore;
import io.historian.testing.MutableClock;
import io.historian.testing.Reads;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

/** {@link Historian#compact()} merges a tag's consecutive short chunks and changes no sample. */
class ChunkMergeTest {
    private static final long T0 = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.ofEpochMilli(T0 + 30 * 86_400_000L));

    private Historian.Builder builder() {
        return Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).clock(clock).chunkMaxSamples(256);
    }

    /** Every close seals the open chunk, so each round leaves one chunk of {@code perRound} samples per tag. */
    private void writeRounds(int rounds, int perRound, long seed) {
        writeRounds(rounds, perRound, 1_000, seed);
    }

    private void writeRounds(int rounds, int perRound, long stepMillis, long seed) {
        Random random = new Random(seed);
        for (int r = 0; r < rounds; r++) {
            try (Historian h = builder().build()) {
                SampleBatch batch = new SampleBatch(2 * perRound);
                for (int i = 0; i < perRound; i++) {
                    long n = (long) r * perRound + i;
                    batch.add("regular", T0 + n * stepMillis, n * 0.5, Quality.GOOD);
                    double v = switch (random.nextInt(8)) {
                        case 0 -> Double.NaN;
                        case 1 -> -0.0;
                        case 2 -> Double.POSITIVE_INFINITY;
                        default -> random.nextGaussian() * 1e6;
                    };
                    Quality q = random.nextInt(5) == 0 ? Quality.UNCERTAIN_SENSOR_NOT_ACCURATE
                            : random.nextInt(7) == 0 ? Quality.BAD_NO_COMMUNICATION : Quality.GOOD;
                    batch.add("irregular", T0 + n * stepMillis + random.nextInt(900), v, q);
                }
                h.write(batch);
            }
        }
    }

    private static List<String> exact(List<Sample> samples) {
        List<String> out = new ArrayList<>();
        for (Sample s : samples) {
            out.add(s.timestamp().toEpochMilli() + ":" + Double.doubleToRawLongBits(s.value()) + ":" + s.quality());
        }
        return out;
    }

    /** The chunk sizes of one tag, in key order, read from the store. */
    private static List<Integer> chunkCounts(Historian h, int tagId) throws Exception {
        List<Integer> counts = new ArrayList<>();
        RocksChunkStore store = io.historian.internal.engine.Internals.store(h);
        try (RocksChunkStore.ChunkIterator it = store.chunks(tagId, Long.MIN_VALUE, null)) {
            while (it.next()) {
                counts.add(io.historian.internal.codec.ChunkCodec.readHeader(it.value()).count());
            }
        }
        return counts;
    }

    private static long chunkBytes(Historian h, int tagId) {
        long bytes = 0;
        RocksChunkStore store = io.historian.internal.engine.Internals.store(h);
        try (RocksChunkStore.ChunkIterator it = store.chunks(tagId, Long.MIN_VALUE, null)) {
            while (it.next()) {
                bytes += it.value().length;
            }
        }
        return bytes;
    }

    @Test
    void compact_mergesConsecutiveShortChunksUpToTheMaximum_andEverySampleStaysTheSame() throws Exception {
        long seed = System.nanoTime();
        System.out.println("seed " + seed);
        writeRounds(12, 100, seed);
        try (Historian h = builder().build()) {
            List<String> regular = exact(Reads.all(h, "regular"));
            List<String> irregular = exact(Reads.all(h, "irregular"));
            assertEquals(1_200, regular.size());
            assertEquals(List.of(100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100), chunkCounts(h, 0));
            long before = chunkBytes(h, 0) + chunkBytes(h, 1);

            h.compact();

            assertEquals(List.of(200, 200, 200, 200, 200, 200), chunkCounts(h, 0), "seed " + seed);
            assertTrue(chunkCounts(h, 1).stream().allMatch(n -> n <= 256), "seed " + seed);
            assertEquals(6, chunkCounts(h, 1).size(), "seed " + seed);
            assertTrue(chunkBytes(h, 0) + chunkBytes(h, 1) < before, "merged chunks take fewer bytes");
            assertEquals(regular, exact(Reads.all(h, "regular")));
            assertEquals(irregular, exact(Reads.all(h, "irregular")), "seed " + seed);

            // A late sample lands in the merged chunk that covers its time.
            h.write("regular", Instant.ofEpochMilli(T0 + 450_500), 7.25);
            List<String> late = exact(Reads.all(h, "regular"));
            assertEquals(1_201, late.size());
            assertTrue(late.contains((T0 + 450_500) + ":" + Double.doubleToRawLongBits(7.25) + ":" + Quality.GOOD));
            h.compact();
            assertEquals(late, exact(Reads.all(h, "regular")));
        }
        try (Historian h = builder().build()) {
            assertEquals(6, chunkCounts(h, 0).size(), "the merge is durable");
            assertEquals(1_201, Reads.all(h, "regular").size());
        }
    }

    @Test
    void compact_mergesOnlyChunksStartingInTheSameDay_soTieringAndRetentionStillTakeWholeDays() throws Exception {
        // Rounds of 12 hours: chunks start at 00:00 and 12:00 of two days.
        writeRounds(4, 50, 864_000, 3);
        try (Historian h = builder().build()) {
            h.compact();
            assertEquals(List.of(100, 100), chunkCounts(h, 0));
            assertEquals(200, Reads.all(h, "regular").size());
        }
    }

    @Test
    void chunksLargerThanTheWritersFirstBuffer_areStoredWhole() {
        // Random doubles take about 8 bytes each: 20,000 of them make a chunk past 64 KiB.
        Random random = new Random(5);
        List<String> written = new ArrayList<>();
        try (Historian h = builder().chunkMaxSamples(20_000).build()) {
            SampleBatch batch = new SampleBatch(20_000);
            for (int i = 0; i < 20_000; i++) {
                double v = random.nextDouble() * 1e12;
                batch.add("wide", T0 + i * 1_000L, v, Quality.GOOD);
                written.add((T0 + i * 1_000L) + ":" + Double.doubleToRawLongBits(v) + ":" + Quality.GOOD);
            }
            h.write(batch);
        }
        try (Historian h = builder().chunkMaxSamples(20_000).build()) {
            assertEquals(written, exact(Reads.all(h, "wide")));
        }
    }

    @Test
    void compact_ofMoreChunksThanOneSlice_mergesEveryTag() throws Exception {
        int tags = 9_000;
        for (int round = 0; round < 2; round++) {
            try (Historian h = builder().build()) {
                SampleBatch batch = new SampleBatch(tags);
                for (int t = 0; t < tags; t++) {
                    batch.add("t" + t, T0 + round * 1_000L, round, Quality.GOOD);
                }
                h.write(batch);
            }
        }
        try (Historian h = builder().build()) {
            // 18,000 chunks: more than one slice of the merge, which then goes on where it stopped.
            assertTrue(2 * tags > io.historian.internal.engine.Internals.mergeSliceChunks());
            h.compact();
            for (int id : new int[] {0, 4_000, 8_999}) {
                assertEquals(List.of(2), chunkCounts(h, id), "tag id " + id);
            }
            assertEquals(2, Reads.all(h, "t8999").size());
        }
    }

    @Test
    void compact_whileTieringCouldNotExport_leavesTheChunksBehindTheCutoffForIt() throws Exception {
        writeRounds(16, 50, 864_000, 7);
        io.historian.simulation.FaultyColdTier tier = new io.historian.simulation.FaultyColdTier(
                FileSystemColdTier.of(dir.resolve("tier")));
        clock.advance(Duration.ofMillis(T0 + Duration.ofDays(6).toMillis() - clock.millis()));
        try (Historian h = builder().coldTier(tier)
                .tiering(TieringPolicy.olderThan(Duration.ofDays(2)).checkEvery(Duration.ZERO)).build()) {
            List<String> all = exact(Reads.all(h, "irregular"));
            tier.failAfter(0);
            // The cutoff rises to day 4 before the export, which then fails: days 0 to 3 stay local, behind it.
            assertThrows(HistorianException.class, h::tierNow);
            h.compact();
            assertEquals(List.of(50, 50, 50, 50, 50, 50, 50, 50, 100, 100, 100, 100), chunkCounts(h, 0));
            tier.heal();
            h.tierNow();
            assertEquals(List.of(100, 100, 100, 100), chunkCounts(h, 0));
            assertEquals(all, exact(Reads.all(h, "irregular")));
        }
    }

    @Test
    void killRightAfterCompact_losesNoSample_andReplaysIntoMergedChunks() throws Exception {
        writeRounds(12, 100, 1_000, 21);
        Path log = dir.resolve("child.log");
        Process child = io.historian.testing.ChildJvm.start(CompactThenHalt.class, "256m", log,
                dir.resolve("data").toString(), Long.toString(clock.millis()));
        String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        assertTrue(child.waitFor(2, java.util.concurrent.TimeUnit.MINUTES));
        assertEquals("COMPACTED", out, java.nio.file.Files.readString(log));
        try (Historian h = builder().build()) {
            List<Sample> regular = Reads.all(h, "regular");
            // 1,200 written before, 5 late ones between merged chunks and 5 after, acknowledged but not committed.
            assertEquals(1_210, regular.size());
            for (int i = 0; i < 5; i++) {
                long late = T0 + 150_500 + i * 200_000L;
                assertTrue(exact(regular).contains(late + ":" + Double.doubleToRawLongBits(-i) + ":" + Quality.GOOD),
                        "late sample " + i);
            }
        }
        try (Historian h = builder().build()) {
            // The merge survived the kill, and the replayed late samples went into the merged chunks.
            assertEquals(List.of(201, 201, 201, 201, 201, 200, 5), chunkCounts(h, 0));
            assertEquals(1_210, Reads.all(h, "regular").size());
        }
    }

    /** Merges by compact(), then writes late and new samples and halts without closing, as a crash would. */
    public static final class CompactThenHalt {
        public static void main(String[] args) {
            Path data = Path.of(args[0]);
            MutableClock clock = new MutableClock(Instant.ofEpochMilli(Long.parseLong(args[1])));
            Historian h = Historian.builder().dataDirectory(data).jmx(false).clock(clock).chunkMaxSamples(256).build();
            h.compact();
            for (int i = 0; i < 5; i++) {
                h.write("regular", Instant.ofEpochMilli(T0 + 150_500 + i * 200_000L), -i);
                h.write("regular", Instant.ofEpochMilli(T0 + 1_200_000 + i * 1_000L), 1_000 + i);
            }
            System.out.println("COMPACTED");
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
    }

    @Test
    void compact_leavesAChunkThatDoesNotDecode_andMergesAroundIt() throws Exception {
        writeRounds(6, 50, 42);
        long damagedStart = T0 + 150 * 1_000;
        try (var store = new RocksChunkStore(dir.resolve("data").resolve("store"))) {
            byte[] chunk = store.readChunk(0, damagedStart);
            chunk[chunk.length - 1] ^= 0x40;
            try (WriteBatch wb = new WriteBatch()) {
                store.putChunk(wb, 0, damagedStart, chunk);
                store.write(wb, true);
            }
        }
        try (Historian h = builder().build()) {
            h.compact();
            // Chunks 0 to 4 fit one chunk; 0 to 2 merge, the damaged chunk 3 stays, and 4 is left alone.
            assertEquals(List.of(150, 50, 50, 50), chunkCounts(h, 0));
            assertEquals(150, h.query("regular").between(Instant.ofEpochMilli(T0),
                    Instant.ofEpochMilli(damagedStart)).toList().size());
            HistorianException e = assertThrows(HistorianException.class, () -> Reads.all(h, "regular"));
            assertTrue(e.getMessage().contains("chunkStart=" + Instant.ofEpochMilli(damagedStart)), e.getMessage());
        }
    }

    @Test
    void compact_afterTiering_mergesOnlyLocalChunks_andReadsAnswerAsBefore() throws Exception {
        // Two rounds a day, so each day's partition holds two chunks; a cutoff at day 4 tiers the first eight.
        writeRounds(16, 50, 864_000, 7);
        FileSystemColdTier tier = FileSystemColdTier.of(dir.resolve("tier"));
        clock.advance(Duration.ofMillis(T0 + Duration.ofDays(6).toMillis() - clock.millis()));
        try (Historian h = builder().coldTier(tier)
                .tiering(TieringPolicy.olderThan(Duration.ofDays(2)).checkEvery(Duration.ZERO)).build()) {
            List<String> all = exact(Reads.all(h, "irregular"));
            h.tierNow();
            assertEquals(List.of(50, 50, 50, 50, 50, 50, 50, 50), chunkCounts(h, 0));
            h.compact();
            assertEquals(List.of(100, 100, 100, 100), chunkCounts(h, 0));
            assertEquals(all, exact(Reads.all(h, "irregular")));
        }
    }
}
