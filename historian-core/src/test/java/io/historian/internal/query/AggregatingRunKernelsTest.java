package io.historian.internal.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Historian;
import io.historian.Interpolation;
import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.TagDefinition;
import io.historian.query.Aggregate;
import io.historian.query.AggregateCursor;
import io.historian.query.Fill;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Aggregates give bit for bit the same rows whether clean runs of a chunk go through the run
 * kernels or sample by sample, over linear and stepped tags with NaN, Uncertain and Bad samples,
 * gaps, late writes into earlier chunks, open and committed chunks, time-weighted aggregates
 * across chunk boundaries and ranges that cut their first and last intervals.
 */
class AggregatingRunKernelsTest {
    static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    static final String LIN = "k.linear";
    static final String STEP = "k.stepped";
    static final List<EnumSet<Aggregate>> SETS = List.of(
            EnumSet.of(Aggregate.TIME_WEIGHTED_MEAN, Aggregate.MIN, Aggregate.MAX, Aggregate.COUNT),
            EnumSet.complementOf(EnumSet.of(Aggregate.STDDEV)),
            EnumSet.of(Aggregate.INTEGRAL, Aggregate.PERCENT_GOOD, Aggregate.DURATION_BAD, Aggregate.SUM,
                    Aggregate.MEAN, Aggregate.FIRST, Aggregate.LAST, Aggregate.RANGE, Aggregate.DELTA),
            EnumSet.allOf(Aggregate.class));

    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        AggregatingCursor.runKernels = true;
    }

    private Historian open() {
        return Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).chunkMaxSamples(256)
                .tag(TagDefinition.of(LIN).interpolation(Interpolation.LINEAR))
                .tag(TagDefinition.of(STEP).interpolation(Interpolation.STEPPED))
                .build();
    }

    static List<String> rows(AggregateCursor c) {
        List<String> out = new ArrayList<>();
        try (c) {
            while (c.next()) {
                StringBuilder sb = new StringBuilder().append(c.startMillis()).append('-').append(c.endMillis());
                for (int i = 0; i < c.aggregates().size(); i++) {
                    sb.append(' ').append(Long.toHexString(Double.doubleToRawLongBits(c.value(i))))
                            .append('/').append(c.qualityCode(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    @Test
    void aggregates_areBitForBitTheSameWithAndWithoutRunKernels() {
        writeAndCompare(false);
    }

    /**
     * The same over evenly spaced samples (1 s, with a few gaps, so most committed chunks are
     * regular) whose values cross zero, with stretches of 0.0 and -0.0 and a few infinities of both
     * signs, so that runs' minima and maxima are often zeros of either sign and some sums meet
     * inf + -inf; every chunk committed first.
     */
    @Test
    void aggregates_overRegularChunksAndSignedZeros_areBitForBitTheSameWithAndWithoutRunKernels() {
        writeAndCompare(true);
    }

    /**
     * A sum that meets +Infinity and -Infinity is NaN and stays NaN for the rest of the interval,
     * on every path: sample by sample, the run kernels, and chunk headers (a NaN sum once meant
     * "nothing summed yet", so each path started the sum again after it).
     */
    @Test
    void sumAndMean_afterPlusAndMinusInfinity_stayNaNOnEveryPath() {
        // 600 samples at 1 s: ten whole minutes. First in one open chunk, whose header is computed
        // in memory; then in chunks of 256, committed, so the hour holds three stored headers.
        SampleBatch batch = new SampleBatch(600);
        for (int i = 0; i < 600; i++) {
            double v = i == 1 ? Double.POSITIVE_INFINITY : i == 2 ? Double.NEGATIVE_INFINITY : i;
            batch.add(LIN, T0 + i * 1_000L, v, Quality.GOOD);
        }
        try (Historian h = Historian.builder().dataDirectory(dir.resolve("open")).jmx(false)
                .tag(TagDefinition.of(LIN).interpolation(Interpolation.LINEAR)).build()) {
            h.write(batch);
            assertNaNAfterInfinities(h, "one open chunk");
        }
        try (Historian h = open()) {
            h.write(batch);
            h.compact();
            assertNaNAfterInfinities(h, "chunks committed");
        }
    }

    private static void assertNaNAfterInfinities(Historian h, String chunks) {
        for (boolean kernels : new boolean[] {false, true}) {
            AggregatingCursor.runKernels = kernels;
            for (Duration interval : List.of(Duration.ofMinutes(1), Duration.ofHours(1))) {
                try (AggregateCursor c = h.query(LIN).between(Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 600_000))
                        .aggregate(interval, Aggregate.SUM, Aggregate.MEAN, Aggregate.COUNT)) {
                    assertTrue(c.next(), "a first row");
                    String where = chunks + ", kernels=" + kernels + ", interval=" + interval;
                    assertTrue(Double.isNaN(c.value(0)), "SUM " + c.value(0) + " " + where);
                    assertTrue(Double.isNaN(c.value(1)), "MEAN " + c.value(1) + " " + where);
                    assertEquals(interval.toMinutes() == 1 ? 60 : 600, c.value(2), where);
                    if (interval.toMinutes() == 1) {
                        assertTrue(c.next(), "a second minute");
                        // 60 + ... + 119
                        assertEquals(5_370.0, c.value(0), "the next minute's sum " + where);
                    }
                }
            }
        }
    }

    private void writeAndCompare(boolean regular) {
        long seed = Long.getLong("historian.seed", System.nanoTime());
        String what = regular ? "AggregatingRunKernelsTest regular" : "AggregatingRunKernelsTest";
        System.out.println(what + " seed=" + seed + " (replay with -Dhistorian.seed=" + seed + ")");
        SplittableRandom r = new SplittableRandom(seed);
        try (Historian h = open()) {
            long last = 0;
            for (String tag : List.of(LIN, STEP)) {
                last = Math.max(last, regular ? writeRegular(h, tag, r) : write(h, tag, r));
            }
            if (regular) {
                h.compact();
                assertEquals(0, h.stats().pendingSamples(), "every chunk decodes from the store");
            }
            int checked = compareBothPaths(h, r, seed, last);
            System.out.println(what + " compared " + checked + " rows");
        }
    }

    /** Compares random queries over both tags with and without the run kernels; returns the rows compared. */
    private static int compareBothPaths(Historian h, SplittableRandom r, long seed, long last) {
        long span = last - T0;
        int checked = 0;
        for (int round = 0; round < 12; round++) {
            long from = T0 - 5_000 + (long) (r.nextDouble() * span / 3);
            long to = last + 5_000 - (long) (r.nextDouble() * span / 3);
            Duration interval = Duration.ofMillis(60_000L + r.nextInt(900_000));
            Fill fill = r.nextBoolean() ? Fill.NONE : Fill.PREVIOUS;
            for (String tag : List.of(LIN, STEP)) {
                for (EnumSet<Aggregate> set : SETS) {
                    Aggregate[] aggs = set.toArray(new Aggregate[0]);
                    AggregatingCursor.runKernels = false;
                    List<String> perSample = rows(h.query(tag).between(Instant.ofEpochMilli(from),
                            Instant.ofEpochMilli(to)).fill(fill).aggregate(interval, aggs));
                    AggregatingCursor.runKernels = true;
                    List<String> kernels = rows(h.query(tag).between(Instant.ofEpochMilli(from),
                            Instant.ofEpochMilli(to)).fill(fill).aggregate(interval, aggs));
                    String where = "seed=" + seed + " tag=" + tag + " from=" + from + " to=" + to
                            + " interval=" + interval + " fill=" + fill + " aggregates=" + set;
                    assertTrue(perSample.size() > 10, "rows: " + perSample.size() + " " + where);
                    for (int i = 0; i < Math.min(perSample.size(), kernels.size()); i++) {
                        assertEquals(perSample.get(i), kernels.get(i), "row " + i + " " + where);
                    }
                    assertEquals(perSample.size(), kernels.size(), where);
                    checked += perSample.size();
                }
            }
        }
        return checked;
    }

    private static long writeRegular(Historian h, String tag, SplittableRandom r) {
        SampleBatch batch = new SampleBatch(10_000);
        long t = T0;
        double v = 0;
        int n = 30_000 + r.nextInt(10_000);
        for (int i = 0; i < n; i++) {
            t += r.nextInt(2_000) == 0 ? 1_000 + r.nextInt(600_000) : 1_000;
            v = r.nextInt(50) == 0 ? 0 : v + (r.nextInt(5) - 2) * 0.5;
            double value = v;
            int k = r.nextInt(4_000);
            if (value == 0 && r.nextBoolean()) {
                value = -0.0;
            } else if (k == 0) {
                value = Double.POSITIVE_INFINITY;
            } else if (k == 1) {
                // With both signs a sum meets inf + -inf = NaN, which must stay NaN on both paths.
                value = Double.NEGATIVE_INFINITY;
            }
            add(h, batch, tag, t, value, Quality.GOOD);
        }
        h.write(batch);
        return t;
    }

    /** Adds one sample, writing the batch when it is full. */
    private static void add(Historian h, SampleBatch batch, String tag, long t, double value, Quality q) {
        batch.add(tag, t, value, q);
        if (batch.size() == 10_000) {
            h.write(batch);
            batch.clear();
        }
    }

    /**
     * Writes stretches of clean samples (one quality, no NaN) between stretches with NaN, Bad and
     * Uncertain samples and gaps, then samples late into the written range; returns the last time.
     */
    private static long write(Historian h, String tag, SplittableRandom r) {
        SampleBatch batch = new SampleBatch(10_000);
        long t = T0;
        double v = 100;
        int n = 30_000 + r.nextInt(10_000);
        boolean clean = true;
        Quality cleanQuality = Quality.GOOD;
        for (int i = 0; i < n; i++) {
            if (r.nextInt(700) == 0) {
                clean = !clean;
                cleanQuality = r.nextInt(4) == 0 ? Quality.UNCERTAIN_LAST_USABLE_VALUE : Quality.GOOD;
            }
            t += r.nextInt(150) == 0 ? 300_000 + r.nextInt(600_000) : 500 + r.nextInt(1_000);
            v += r.nextGaussian();
            double value = Math.round(v * 100) / 100.0;
            Quality q = cleanQuality;
            if (!clean) {
                if (r.nextInt(20) == 0) {
                    value = Double.NaN;
                }
                int k = r.nextInt(12);
                q = k == 0 ? Quality.BAD_SENSOR_FAILURE : k == 1 ? Quality.UNCERTAIN_SENSOR_NOT_ACCURATE : q;
            }
            add(h, batch, tag, t, value, q);
        }
        h.write(batch);
        batch.clear();
        // Late samples land in chunks written before; one that meets a written timestamp replaces it.
        for (int i = 0; i < 300; i++) {
            long late = T0 + 1 + (long) (r.nextDouble() * (t - T0));
            batch.add(tag, late, r.nextInt(10) == 0 ? Double.NaN : 50 + r.nextGaussian(), Quality.GOOD);
        }
        h.write(batch);
        return t;
    }
}
