package io.historian.query;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.query.QueryFixture.S;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LTTB over seeded random data with NaN values, Bad and Uncertain samples, infinities and gaps,
 * in chunks of several sizes (committed, or one open chunk), equals a straightforward array
 * implementation of the documented rules: the published selection, NaN left out of the averages
 * and never winning a triangle, a bucket of NaNs giving its first sample without becoming the
 * anchor, and both sides of every gap. Runs of clean samples long enough to fill whole chunks are
 * mixed in, so both chunks with and without NaN are read. Seed: printed; replay with
 * {@code -Dhistorian.seed=<seed>}.
 */
class LttbReferenceTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {16, 300, 4096, 100_000})
    void lttb_equalsTheReference_onDirtyDataWithGaps(int chunkMaxSamples) {
        long seed = QueryFixture.seed("LttbReferenceTest chunkMaxSamples=" + chunkMaxSamples);
        SplittableRandom r = new SplittableRandom(seed);
        List<S> model = series(r, 20_000 + r.nextInt(30_000));
        // 100,000 samples fit in one chunk: that historian keeps it open; the others commit theirs.
        boolean commit = chunkMaxSamples < 100_000;
        Historian h = QueryFixture.builder(dir, chunkMaxSamples).build();
        try {
            QueryFixture.write(h, model);
            if (commit) {
                h.close();
                h = QueryFixture.builder(dir, chunkMaxSamples).build();
            }
            long first = model.get(0).t();
            long last = model.get(model.size() - 1).t();
            for (int round = 0; round < 12; round++) {
                long from = round % 4 == 0 ? first : first - 5_000 + (long) (r.nextDouble() * (last - first) / 2);
                long to = round % 3 == 0 ? last + 1 : from + r.nextLong(1, last - first + 10_000);
                int points = switch (round % 4) {
                    case 0 -> 3 + r.nextInt(20);
                    case 1 -> 3 + r.nextInt(2_000);
                    case 2 -> 3 + r.nextInt(40_000);
                    default -> 3 + r.nextInt(300);
                };
                List<S> in = Reference.range(model, from, to);
                String where = "seed=" + seed + " chunkMaxSamples=" + chunkMaxSamples + " from=" + from + " to="
                        + to + " points=" + points + " n=" + in.size();
                List<Integer> expected = withGaps(in, points);
                QueryPropertyTest.check(in, expected, QueryFixture.points(h.query(QueryFixture.LIN)
                        .between(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to)).lttb(points)), where);
                assertTrue(in.isEmpty() || !expected.isEmpty(), where);
            }
        } finally {
            h.close();
        }
    }

    /**
     * About {@code n} samples near 1 s apart: stretches of clean Good samples (a few thousand
     * long, so that whole chunks hold no NaN) alternate with dirty stretches holding NaN values,
     * Bad and Uncertain samples and now and then an infinity; about 1% of the steps are gaps.
     */
    static List<S> series(SplittableRandom r, int n) {
        List<S> out = new ArrayList<>();
        long t = QueryFixture.T0 + r.nextInt(1000);
        double level = r.nextDouble(-100, 100);
        boolean dirty = false;
        int stretch = 0;
        for (int i = 0; i < n; i++) {
            if (stretch-- == 0) {
                dirty = !dirty;
                stretch = dirty ? r.nextInt(50, 3_000) : r.nextInt(500, 9_000);
            }
            level += r.nextDouble(-3, 3);
            double v = Math.round(level * 100) / 100.0;
            int q = Quality.GOOD.code();
            if (dirty) {
                int k = r.nextInt(100);
                if (k < 6) {
                    q = Quality.BAD_SENSOR_FAILURE.code();
                    if (r.nextBoolean()) {
                        v = Double.NaN;
                    }
                } else if (k < 10) {
                    q = Quality.UNCERTAIN_LAST_USABLE_VALUE.code();
                } else if (k < 20) {
                    v = Double.NaN;
                } else if (k == 20 && r.nextInt(20) == 0) {
                    v = r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
                }
            }
            out.add(new S(t, v, q));
            long step = 1000 + r.nextInt(-200, 200);
            if (r.nextInt(100) == 0) {
                step *= 20 + r.nextInt(180);
            }
            t += step;
        }
        return out;
    }

    /** {@link #lttbSkippingNaN} plus both sides of every gap, in index order. */
    static List<Integer> withGaps(List<S> in, int points) {
        double[] x = new double[in.size()];
        double[] y = new double[in.size()];
        for (int i = 0; i < in.size(); i++) {
            x[i] = in.get(i).t();
            y[i] = in.get(i).v();
        }
        return Reference.withGaps(in, lttbSkippingNaN(x, y, points));
    }

    /** {@link Reference#lttb}, with the documented NaN rules. */
    static List<Integer> lttbSkippingNaN(double[] x, double[] y, int threshold) {
        int n = x.length;
        List<Integer> sampled = new ArrayList<>();
        if (threshold >= n) {
            for (int i = 0; i < n; i++) {
                sampled.add(i);
            }
            return sampled;
        }
        double every = (double) (n - 2) / (threshold - 2);
        int a = 0;
        sampled.add(a);
        for (int i = 0; i < threshold - 2; i++) {
            int avgStart = (int) Math.floor((i + 1) * every) + 1;
            int avgEnd = Math.min((int) Math.floor((i + 2) * every) + 1, n);
            double avgX = 0;
            double avgY = 0;
            int numbers = 0;
            for (int j = avgStart; j < avgEnd; j++) {
                if (!Double.isNaN(y[j])) {
                    avgX += x[j];
                    avgY += y[j];
                    numbers++;
                }
            }
            avgX /= numbers;
            avgY /= numbers;
            int rangeStart = (int) Math.floor(i * every) + 1;
            int rangeEnd = (int) Math.floor((i + 1) * every) + 1;
            double maxArea = -1;
            int chosen = rangeStart;
            for (int j = rangeStart; j < rangeEnd; j++) {
                double area = Math.abs((x[a] - avgX) * (y[j] - y[a]) - (x[a] - x[j]) * (avgY - y[a])) * 0.5;
                if (area > maxArea) {
                    maxArea = area;
                    chosen = j;
                }
            }
            sampled.add(chosen);
            if (!Double.isNaN(y[chosen])) {
                a = chosen;
            }
        }
        sampled.add(n - 1);
        return sampled;
    }
}
