package io.historian;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.historian.internal.engine.Internals;
import io.historian.testing.Reads;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch of few tags is stored tag by tag, each tag's samples as one run, while single-sample
 * calls are stored one by one: both must keep exactly the same samples. Seeded random samples of
 * six tags (one with a deadband) go to two historians, once in batches of 40 to 3,000 and once
 * one call per sample: rising time, with stretches of late samples and repeated timestamps, NaN
 * values and every quality, in chunks of 16 samples so that runs cross chunk ends. A third
 * historian takes the single-sample calls while its store writer is held back, so that it then
 * applies the waiting entries together, tag by tag. Every tag's samples and the counts must then
 * be equal.
 */
class BatchApplyOrderTest {
    private static final String[] TAGS = {"line.a", "line.b", "line.c", "line.d", "line.e", "line.deadband"};
    private static final Quality[] QUALITIES = {Quality.GOOD, Quality.GOOD, Quality.GOOD, Quality.UNCERTAIN_LAST_USABLE_VALUE,
        Quality.BAD_NO_COMMUNICATION};

    @TempDir
    Path dir;

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        long base = System.nanoTime();
        for (DuplicatePolicy policy : new DuplicatePolicy[] {DuplicatePolicy.LAST_WRITE_WINS, DuplicatePolicy.KEEP_FIRST}) {
            for (int i = 0; i < 3; i++) {
                cases.add(Arguments.of(base + i * 7919L + policy.ordinal(), policy));
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "seed {0}, {1}")
    @MethodSource("cases")
    void batchesOfFewTags_keepWhatOneCallPerSampleKeeps(long seed, DuplicatePolicy policy) {
        System.out.println("BatchApplyOrderTest seed=" + seed + " policy=" + policy);
        SplittableRandom random = new SplittableRandom(seed);
        long t0 = Instant.now().minus(Duration.ofDays(2)).toEpochMilli();
        int n = 30_000;
        String[] tags = new String[n];
        long[] times = new long[n];
        double[] values = new double[n];
        Quality[] qualities = new Quality[n];
        long[] newest = new long[TAGS.length];
        java.util.Arrays.fill(newest, t0);
        for (int i = 0; i < n; i++) {
            int t = random.nextInt(TAGS.length);
            long ts;
            // Disorder in every third stretch of 2,000 samples: the other stretches' runs are plain appends.
            int kind = i / 2_000 % 3 == 0 ? random.nextInt(100) : 100;
            if (kind < 4) {
                ts = newest[t] - random.nextLong(0, 60_000); // late, or the newest timestamp again
            } else if (kind < 6) {
                ts = newest[t]; // a repeat of the newest
            } else {
                ts = newest[t] + random.nextLong(1, 2_000);
            }
            newest[t] = Math.max(newest[t], ts);
            tags[i] = TAGS[t];
            times[i] = ts;
            values[i] = random.nextInt(50) == 0 ? Double.NaN : Math.round(random.nextDouble() * 10_000) / 100.0;
            qualities[i] = QUALITIES[random.nextInt(QUALITIES.length)];
        }
        HistorianStats batched;
        HistorianStats single;
        HistorianStats grouped;
        List<List<Sample>> fromBatches = new ArrayList<>();
        List<List<Sample>> fromSingles = new ArrayList<>();
        List<List<Sample>> fromGrouped = new ArrayList<>();
        try (Historian h = open(dir.resolve("batches"), policy)) {
            SampleBatch batch = new SampleBatch(3_000);
            int limit = random.nextInt(40, 3_001);
            for (int i = 0; i < n; i++) {
                batch.add(tags[i], times[i], values[i], qualities[i]);
                if (batch.size() == limit) {
                    h.write(batch);
                    batch.clear();
                    limit = random.nextInt(40, 3_001);
                }
            }
            if (batch.size() > 0) {
                h.write(batch);
            }
            batched = settled(h, n);
            for (String tag : TAGS) {
                fromBatches.add(Reads.all(h, tag));
            }
        }
        try (Historian h = open(dir.resolve("singles"), policy)) {
            for (int i = 0; i < n; i++) {
                h.write(tags[i], times[i], values[i], qualities[i]);
            }
            single = settled(h, n);
            for (String tag : TAGS) {
                fromSingles.add(Reads.all(h, tag));
            }
        }
        try (Historian h = open(dir.resolve("grouped"), policy)) {
            Internals.pauseStoreWriter(h, true);
            for (int i = 0; i < n; i++) {
                h.write(tags[i], times[i], values[i], qualities[i]);
            }
            Internals.pauseStoreWriter(h, false);
            grouped = settled(h, n);
            for (String tag : TAGS) {
                fromGrouped.add(Reads.all(h, tag));
            }
        }
        assertSame(fromSingles, fromBatches, "batches", seed);
        assertSame(fromSingles, fromGrouped, "entries applied together", seed);
        assertEquals(single.storedSamples(), batched.storedSamples(), "stored [seed=" + seed + "]");
        assertEquals(single.duplicateSamples(), batched.duplicateSamples(), "duplicates [seed=" + seed + "]");
        assertEquals(single.storedSamples(), grouped.storedSamples(), "stored, grouped [seed=" + seed + "]");
        assertEquals(single.duplicateSamples(), grouped.duplicateSamples(), "duplicates, grouped [seed=" + seed + "]");
    }

    private static void assertSame(List<List<Sample>> expected, List<List<Sample>> actual, String how, long seed) {
        for (int t = 0; t < TAGS.length; t++) {
            List<Sample> a = actual.get(t);
            List<Sample> b = expected.get(t);
            assertEquals(b.size(), a.size(), TAGS[t] + " sample count, " + how + " [seed=" + seed + "]");
            for (int i = 0; i < a.size(); i++) {
                Sample x = a.get(i);
                Sample y = b.get(i);
                String where = TAGS[t] + " sample " + i + ", " + how + " [seed=" + seed + "]";
                assertEquals(y.timestamp(), x.timestamp(), where);
                assertEquals(Double.doubleToRawLongBits(y.value()), Double.doubleToRawLongBits(x.value()), where);
                assertEquals(y.quality(), x.quality(), where);
            }
        }
    }

    private static Historian open(Path data, DuplicatePolicy policy) {
        Historian h = Historian.builder().dataDirectory(data).jmx(false).duplicates(policy).chunkMaxSamples(16).build();
        h.register(TagDefinition.of("line.deadband").deadband(5.0));
        return h;
    }

    /** Waits until the store writer has applied every sample, then commits everything. */
    private static HistorianStats settled(Historian h, long written) {
        assertEquals(written, h.stats().journaledSamples(), "journaled");
        await().atMost(Duration.ofMinutes(2)).until(() -> h.stats().storeLagSamples() == 0);
        h.compact();
        return h.stats();
    }
}
