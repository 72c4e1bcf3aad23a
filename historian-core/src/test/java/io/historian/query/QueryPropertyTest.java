package io.historian.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.historian.Historian;
import io.historian.query.QueryFixture.Arrangement;
import io.historian.query.QueryFixture.S;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded-random queries (random data with gaps, rewrites at chunk edges, NaN and Bad samples)
 * checked against the naive implementations in {@link Reference}, for every storage arrangement.
 * Seed: printed; replay with {@code -Dhistorian.seed=<seed>}.
 */
class QueryPropertyTest {
    static final Aggregate[] ALL = Aggregate.values();
    static final Aggregate[] HEADER_ONLY = {Aggregate.COUNT, Aggregate.MIN, Aggregate.MAX, Aggregate.SUM,
            Aggregate.RANGE};
    static final long[] STEPS = {7_000, 30_000, 60_000, 300_000, 3_600_000};

    @TempDir
    Path dir;

    static boolean close(double expected, double actual) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            return Double.isNaN(expected) && Double.isNaN(actual);
        }
        if (expected == actual) {
            return true;
        }
        return Math.abs(expected - actual) <= 1e-9 * Math.max(Math.abs(expected), Math.abs(actual));
    }

    /** Values within 1e-9 relative (sums of cancelling terms get an absolute floor scaled by their magnitude). */
    static boolean closeSum(double expected, double actual, double scale) {
        return close(expected, actual) || Math.abs(expected - actual) <= 1e-9 * scale;
    }

    @ParameterizedTest
    @MethodSource("io.historian.query.QueryFixture#arrangements")
    void aggregates_equalTheNaiveReference_onRandomData(Arrangement arrangement) {
        long seed = QueryFixture.seed("QueryPropertyTest.aggregates " + arrangement);
        SplittableRandom r = new SplittableRandom(seed);
        List<S> data = QueryFixture.series(r, 300 + r.nextInt(900), true, true);
        List<S> rewrites = QueryFixture.rewrites(r, data);
        List<S> model = QueryFixture.model(data, rewrites);
        long first = model.get(0).t();
        long last = model.get(model.size() - 1).t();
        try (Historian h = QueryFixture.load(dir, arrangement, data, rewrites)) {
            for (int round = 0; round < 40; round++) {
                long from = first - 300_000 + (long) (r.nextDouble() * (last - first + 400_000));
                long to = from + r.nextLong(1, last - first + 600_000);
                long step = STEPS[r.nextInt(STEPS.length)];
                Fill fill = switch (r.nextInt(4)) {
                    case 0 -> Fill.PREVIOUS;
                    case 1 -> Fill.constant(-1.5);
                    case 2 -> Fill.LINEAR;
                    default -> Fill.NONE;
                };
                Aggregate[] aggs = r.nextInt(3) == 0 ? HEADER_ONLY : ALL;
                for (String tag : new String[] {QueryFixture.LIN, QueryFixture.STEP}) {
                    String where = "seed=" + seed + " tag=" + tag + " from=" + from + " to=" + to + " step=" + step
                            + " fill=" + fill;
                    List<Reference.Row> expected = Reference.aggregates(model, from, to, step, aggs,
                            tag.equals(QueryFixture.LIN), fill);
                    List<Reference.Row> actual = new ArrayList<>();
                    try (AggregateCursor c = h.query(tag).between(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to))
                            .fill(fill).aggregate(Duration.ofMillis(step), aggs)) {
                        while (c.next()) {
                            double[] v = new double[aggs.length];
                            int[] q = new int[aggs.length];
                            for (int i = 0; i < aggs.length; i++) {
                                v[i] = c.value(i);
                                q[i] = c.qualityCode(i);
                            }
                            actual.add(new Reference.Row(c.startMillis(), c.endMillis(), v, q, false));
                        }
                    }
                    assertEquals(expected.size(), actual.size(), where);
                    for (int k = 0; k < expected.size(); k++) {
                        Reference.Row e = expected.get(k);
                        Reference.Row a = actual.get(k);
                        assertEquals(e.start(), a.start(), where);
                        assertEquals(e.end(), a.end(), where);
                        for (int i = 0; i < aggs.length; i++) {
                            double scale = aggs[i] == Aggregate.SUM || aggs[i] == Aggregate.INTEGRAL
                                    || aggs[i] == Aggregate.STDDEV || aggs[i] == Aggregate.DELTA
                                    || aggs[i] == Aggregate.RANGE ? 1e3 : 0;
                            if (!closeSum(e.values()[i], a.values()[i], scale)) {
                                fail(aggs[i] + " differs at interval " + e.start() + ": expected " + e.values()[i]
                                        + " but was " + a.values()[i] + " [" + where + "]");
                            }
                            assertEquals(Integer.toHexString(e.qualities()[i]), Integer.toHexString(a.qualities()[i]),
                                    aggs[i] + " quality at interval " + e.start() + " [" + where + "]");
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.historian.query.QueryFixture#arrangements")
    void interpolated_equalsTheNaiveReference_onRandomData(Arrangement arrangement) {
        long seed = QueryFixture.seed("QueryPropertyTest.interpolated " + arrangement);
        SplittableRandom r = new SplittableRandom(seed);
        List<S> data = QueryFixture.series(r, 200 + r.nextInt(400), true, true);
        List<S> rewrites = QueryFixture.rewrites(r, data);
        List<S> model = QueryFixture.model(data, rewrites);
        long first = model.get(0).t();
        long last = model.get(model.size() - 1).t();
        try (Historian h = QueryFixture.load(dir, arrangement, data, rewrites)) {
            for (int round = 0; round < 20; round++) {
                long from = first - 20_000 + (long) (r.nextDouble() * (last - first + 40_000));
                long to = from + r.nextLong(1, 400_000);
                long step = 1 + r.nextInt(5_000);
                for (String tag : new String[] {QueryFixture.LIN, QueryFixture.STEP}) {
                    String where = "seed=" + seed + " tag=" + tag + " from=" + from + " to=" + to + " step=" + step;
                    List<double[]> expected = Reference.interpolated(model, from, to, step,
                            tag.equals(QueryFixture.LIN));
                    List<double[]> actual = QueryFixture.points(h.query(tag)
                            .between(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to))
                            .interpolated(Duration.ofMillis(step)));
                    assertEquals(expected.size(), actual.size(), where);
                    for (int k = 0; k < expected.size(); k++) {
                        assertEquals(expected.get(k)[0], actual.get(k)[0], where);
                        if (!close(expected.get(k)[1], actual.get(k)[1])) {
                            fail("value at " + (long) expected.get(k)[0] + ": expected " + expected.get(k)[1]
                                    + " but was " + actual.get(k)[1] + " [" + where + "]");
                        }
                        assertEquals(expected.get(k)[2], actual.get(k)[2], "quality [" + where + "]");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.historian.query.QueryFixture#arrangements")
    void lttb_selectsExactlyThePublishedAlgorithmsIndices_plusBothSidesOfGaps(Arrangement arrangement) {
        long seed = QueryFixture.seed("QueryPropertyTest.lttb " + arrangement);
        SplittableRandom r = new SplittableRandom(seed);
        List<S> data = QueryFixture.series(r, 400 + r.nextInt(1200), true, false);
        List<S> model = QueryFixture.model(data, List.of());
        try (Historian h = QueryFixture.load(dir, arrangement, data, List.of())) {
            for (int round = 0; round < 25; round++) {
                long first = model.get(0).t();
                long last = model.get(model.size() - 1).t();
                long from = first - 5_000 + (long) (r.nextDouble() * (last - first) / 2);
                long to = round % 5 == 0 ? last + 1 : from + r.nextLong(1, last - first + 10_000);
                int points = 3 + r.nextInt(round % 3 == 0 ? 2000 : 80);
                List<S> in = Reference.range(model, from, to);
                String where = "seed=" + seed + " from=" + from + " to=" + to + " points=" + points + " n=" + in.size();
                check(in, Reference.lttbWithGaps(in, points), QueryFixture.points(h.query(QueryFixture.LIN)
                        .between(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to)).lttb(points)), "lttb " + where);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.historian.query.QueryFixture#arrangements")
    void minMaxLttb_equalsTheReference_onDataWithoutGaps(Arrangement arrangement) {
        long seed = QueryFixture.seed("QueryPropertyTest.minMaxLttb " + arrangement);
        SplittableRandom r = new SplittableRandom(seed);
        List<S> data = QueryFixture.series(r, 1000 + r.nextInt(3000), false, false);
        List<S> model = QueryFixture.model(data, List.of());
        try (Historian h = QueryFixture.load(dir, arrangement, data, List.of())) {
            for (int round = 0; round < 25; round++) {
                long first = model.get(0).t();
                long last = model.get(model.size() - 1).t();
                long from = first + (long) (r.nextDouble() * (last - first) / 3);
                long to = last + 1 - (long) (r.nextDouble() * (last - first) / 3);
                int points = 3 + r.nextInt(round % 2 == 0 ? 30 : 400);
                List<S> in = Reference.range(model, from, to);
                String where = "seed=" + seed + " from=" + from + " to=" + to + " points=" + points + " n=" + in.size();
                check(in, Reference.minMaxLttb(in, points), QueryFixture.points(h.query(QueryFixture.STEP)
                        .between(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to)).minMaxLttb(points)),
                        "minMaxLttb " + where);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.historian.query.QueryFixture#arrangements")
    void plot_equalsTheReference_withBadSamplesNanAndGaps(Arrangement arrangement) {
        long seed = QueryFixture.seed("QueryPropertyTest.plot " + arrangement);
        SplittableRandom r = new SplittableRandom(seed);
        List<S> data = QueryFixture.series(r, 400 + r.nextInt(1500), true, true);
        List<S> rewrites = QueryFixture.rewrites(r, data);
        List<S> model = QueryFixture.model(data, rewrites);
        try (Historian h = QueryFixture.load(dir, arrangement, data, rewrites)) {
            for (int round = 0; round < 25; round++) {
                long first = model.get(0).t();
                long last = model.get(model.size() - 1).t();
                long from = first - 5_000 + (long) (r.nextDouble() * (last - first) / 2);
                long to = from + r.nextLong(1, last - first + 10_000);
                int columns = 1 + r.nextInt(round % 2 == 0 ? 20 : 900);
                List<S> in = Reference.range(model, from, to);
                String where = "seed=" + seed + " from=" + from + " to=" + to + " columns=" + columns;
                check(in, Reference.plot(in, from, to, columns), QueryFixture.points(h.query(QueryFixture.LIN)
                        .between(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to)).plot(columns)), "plot " + where);
            }
        }
    }

    /** The points are exactly in[idx] in order, with their qualities and gap flags. */
    static void check(List<S> in, List<Integer> idx, List<double[]> actual, String where) {
        long thr = Reference.gapThreshold(in);
        List<Long> expectedTimes = idx.stream().map(i -> in.get(i).t()).toList();
        List<Long> actualTimes = actual.stream().map(p -> (long) p[0]).toList();
        assertEquals(expectedTimes, actualTimes, where);
        for (int k = 0; k < idx.size(); k++) {
            S s = in.get(idx.get(k));
            double[] p = actual.get(k);
            assertEquals(Double.doubleToLongBits(s.v()), Double.doubleToLongBits(p[1]), where);
            assertEquals(s.q(), (int) p[2], where);
            assertEquals(Reference.gapBefore(in, idx.get(k), thr), p[3] == 1, "gap flag at " + s.t() + " " + where);
        }
    }
}
