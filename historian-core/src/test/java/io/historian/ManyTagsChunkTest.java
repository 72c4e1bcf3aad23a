package io.historian;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.internal.engine.Internals;
import io.historian.testing.Reads;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With many tags, how large chunks get: the journal's pressure and the heap for open chunks
 * close them early, and neither may cut them shorter than it must. Every case also reads every
 * sample back.
 */
class ManyTagsChunkTest {
    private static final long PERIOD_MS = 1_000;

    @TempDir
    Path dir;

    private final long t0 = Instant.now().minus(Duration.ofDays(1)).toEpochMilli();

    private Historian.Builder builder(Path data) {
        return Historian.builder().dataDirectory(data).jmx(false);
    }

    /** Writes {@code seconds} rounds of one sample per tag, in live order, in batches of 10,000. */
    private long writeLive(Historian h, int tags, int fromSecond, int seconds) {
        SampleBatch batch = new SampleBatch(10_000);
        long written = 0;
        for (int s = fromSecond; s < fromSecond + seconds; s++) {
            for (int t = 0; t < tags; t++) {
                batch.add(tag(t), t0 + s * PERIOD_MS, value(t, s), Quality.GOOD);
                if (batch.size() == 10_000) {
                    h.write(batch);
                    written += batch.size();
                    batch.clear();
                }
            }
        }
        if (batch.size() > 0) {
            h.write(batch);
            written += batch.size();
        }
        return written;
    }

    private static String tag(int t) {
        return "plant.t" + t;
    }

    private static double value(int t, int s) {
        return t + s / 100.0;
    }

    private void assertEverySample(Historian h, int tags, int seconds, int step) {
        for (int t = 0; t < tags; t += step) {
            List<Sample> samples = Reads.all(h, tag(t));
            assertEquals(seconds, samples.size(), "samples of " + tag(t));
            for (int s = 0; s < seconds; s++) {
                assertEquals(t0 + s * PERIOD_MS, samples.get(s).timestamp().toEpochMilli(), tag(t));
                assertEquals(value(t, s), samples.get(s).value(), tag(t));
            }
        }
    }

    @Test
    void aBacklogThatKeepsTheJournalUnderPressure_closesOnlyTheChunksPinningTheOldestSegment() {
        // 64 MiB of journal in 16 MiB segments. Written with the store writer held back, the
        // backlog alone keeps the journal above three quarters full while it is applied: closing
        // every open chunk at each pass would release nothing and cut 20,000 tags' chunks to a
        // sample or two. Only chunks begun in a segment before the one being read may be closed.
        int tags = 20_000;
        DataSize budget = DataSize.ofMegabytes(64);
        try (Historian h = Internals.openPaused(builder(dir).journalBudget(budget))) {
            int seconds = 0;
            long written = 0;
            while (h.stats().journalBytes() < budget.bytes() / 4 * 3 + (4L << 20)) {
                written += writeLive(h, tags, seconds, 20);
                seconds += 20;
            }
            assertTrue(h.stats().journalFullEvents() == 0, "the journal must not have been full: " + h.stats());
            Internals.pauseStoreWriter(h, false);
            long expected = written;
            await().atMost(Duration.ofMinutes(2)).until(() -> h.stats().appliedSamples() == expected);
            h.compact();
            HistorianStats stats = h.stats();
            assertEquals(written, stats.storedSamples(), stats.toString());
            double perChunk = (double) written / stats.committedChunks();
            System.out.printf("%,d samples of %,d tags in %,d chunks after the backlog%n", written, tags,
                    stats.committedChunks());
            // A segment holds about 2.8M samples here, 140 per tag.
            assertTrue(perChunk >= 50, "samples per chunk " + perChunk + " (" + written + " samples, "
                    + stats.committedChunks() + " chunks)");
            assertEverySample(h, tags, seconds, 997);
        }
    }

    @Test
    void openChunkMemory_setsHowManySamplesStayOpenBeforeChunksCloseEarly() {
        // 2,000 tags x 1,000 samples: 2M open samples, all of which fit in 256 MiB (32 bytes
        // each), so every tag ends with one chunk. 16 MiB holds 524,288: the chunks close early,
        // in several rounds, and the samples are all there.
        int tags = 2_000;
        int seconds = 1_000;
        long roomy;
        try (Historian h = builder(dir.resolve("roomy")).openChunkMemory(DataSize.ofMegabytes(256)).build()) {
            writeLive(h, tags, 0, seconds);
            h.compact();
            roomy = h.stats().committedChunks();
            assertEquals((long) tags * seconds, h.stats().storedSamples());
            assertEverySample(h, tags, seconds, 101);
        }
        assertEquals(tags, roomy, "one chunk per tag when every open sample fits");
        try (Historian h = builder(dir.resolve("tight")).openChunkMemory(DataSize.ofMegabytes(16)).build()) {
            writeLive(h, tags, 0, seconds);
            h.compact();
            long tight = h.stats().committedChunks();
            // Each time more than 524,288 samples are open (262 per tag) every chunk closes: about
            // three rounds, then compact() closes the rest, so about four chunks per tag.
            assertTrue(tight >= 3L * tags && tight <= 5L * tags, "chunks closed early: " + tight);
            assertEquals((long) tags * seconds, h.stats().storedSamples());
            assertEverySample(h, tags, seconds, 101);
        }
    }

    @Test
    void openChunkMemory_refusesLessThan16MiB() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Historian.builder().openChunkMemory(DataSize.ofMegabytes(15)));
        assertTrue(e.getMessage().contains("openChunkMemory must be at least 16 MiB"), e.getMessage());
        assertThrows(NullPointerException.class, () -> Historian.builder().openChunkMemory(null));
    }

    @Test
    void oneCallWithManyNewTags_registersEachOnceInTheOrderFirstSeen() {
        // 100,000 new tags in one call, one of them twice: each gets one id, in first-seen order.
        int tags = 100_000;
        try (Historian h = builder(dir).maxBatchSize(tags + 1).build()) {
            SampleBatch batch = new SampleBatch(tags + 1);
            for (int t = 0; t < tags; t++) {
                batch.add(tag(t), t0, t, Quality.GOOD);
            }
            batch.add(tag(7), t0 + PERIOD_MS, -7, Quality.GOOD);
            h.write(batch);
            List<TagDefinition> defined = h.tags();
            assertEquals(tags, defined.size());
            for (int t = 0; t < tags; t += 9_973) {
                assertEquals(tag(t), defined.get(t).name());
            }
            List<Sample> seven = Reads.all(h, tag(7));
            assertEquals(2, seven.size());
            assertEquals(-7, seven.get(1).value());
        }
    }
}
