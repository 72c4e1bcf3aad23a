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
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * With many tags a write call holds a sample or two per tag, and the store writer applies the
 * entries it finds waiting together, tag by tag, in a scratch grown for that many tags. Seeded:
 * 10,000 tags, 24 calls of one sample per tag written while the store writer is held back, every fifth call with late and repeated
 * timestamps for a random third of the tags, in chunks of 16 samples. Once it is let go, every tag
 * must hold exactly what the duplicate policy keeps, bit for bit, with the counts to match.
 */
class GroupedApplyTest {
    private static final int TAGS = 10_000;
    private static final int CALLS = 24;

    @TempDir
    Path dir;

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        long base = System.nanoTime();
        for (DuplicatePolicy policy : new DuplicatePolicy[] {DuplicatePolicy.LAST_WRITE_WINS, DuplicatePolicy.KEEP_FIRST}) {
            cases.add(Arguments.of(base + policy.ordinal() * 7919L, policy));
        }
        return cases;
    }

    @ParameterizedTest(name = "seed {0}, {1}")
    @MethodSource("cases")
    void entriesAppliedTogether_keepWhatTheDuplicatePolicySays(long seed, DuplicatePolicy policy) {
        System.out.println("GroupedApplyTest seed=" + seed + " policy=" + policy);
        SplittableRandom random = new SplittableRandom(seed);
        long t0 = Instant.now().minus(Duration.ofDays(1)).toEpochMilli();
        List<TreeMap<Long, Sample>> expected = new ArrayList<>();
        for (int t = 0; t < TAGS; t++) {
            expected.add(new TreeMap<>());
        }
        long written = 0;
        try (Historian h = Internals.openPaused(Historian.builder().dataDirectory(dir.resolve("data")).jmx(false)
                .duplicates(policy).chunkMaxSamples(16))) {
            SampleBatch batch = new SampleBatch(TAGS);
            for (int c = 0; c < CALLS; c++) {
                batch.clear();
                boolean disorder = c % 5 == 4;
                for (int t = 0; t < TAGS; t++) {
                    long ts = t0 + c * 1_000L;
                    if (disorder && random.nextInt(3) == 0) {
                        ts -= random.nextInt(0, 4) * 1_000L; // late, or this tag's newest again
                    }
                    double v = random.nextInt(40) == 0 ? Double.NaN : Math.round(random.nextDouble() * 10_000) / 100.0;
                    Quality q = random.nextInt(10) == 0 ? Quality.UNCERTAIN_LAST_USABLE_VALUE : Quality.GOOD;
                    batch.add(tag(t), ts, v, q);
                    Sample s = new Sample(tag(t), Instant.ofEpochMilli(ts), v, q);
                    if (policy == DuplicatePolicy.LAST_WRITE_WINS) {
                        expected.get(t).put(ts, s);
                    } else {
                        expected.get(t).putIfAbsent(ts, s);
                    }
                }
                h.write(batch);
                written += batch.size();
            }
            Internals.pauseStoreWriter(h, false);
            assertEquals(written, h.stats().journaledSamples(), "journaled");
            await().atMost(Duration.ofMinutes(2)).until(() -> h.stats().storeLagSamples() == 0);
            h.compact();
            long distinct = 0;
            for (int t = 0; t < TAGS; t++) {
                List<Sample> want = new ArrayList<>(expected.get(t).values());
                List<Sample> got = Reads.all(h, tag(t));
                distinct += want.size();
                assertEquals(want.size(), got.size(), tag(t) + " sample count [seed=" + seed + "]");
                for (int i = 0; i < want.size(); i++) {
                    String where = tag(t) + " sample " + i + " [seed=" + seed + "]";
                    assertEquals(want.get(i).timestamp(), got.get(i).timestamp(), where);
                    assertEquals(Double.doubleToRawLongBits(want.get(i).value()),
                            Double.doubleToRawLongBits(got.get(i).value()), where);
                    assertEquals(want.get(i).quality(), got.get(i).quality(), where);
                }
            }
            HistorianStats stats = h.stats();
            assertEquals(distinct, stats.storedSamples(), "stored [seed=" + seed + "]");
            assertEquals(written - distinct, stats.duplicateSamples(), "duplicates [seed=" + seed + "]");
        }
    }

    private static String tag(int t) {
        return "plant.area" + (t % 10) + ".sensor" + t;
    }
}
