package io.historian.internal.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.historian.FilterStats;
import io.historian.Interpolation;
import io.historian.Quality;
import io.historian.TagDefinition;
import io.historian.internal.filter.Recorder.S;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded-random properties of {@link SampleFilter} and {@link Fidelity} on random walks with steps,
 * spikes, ramps and flat runs (and, in the dirty variant, quality changes and NaN runs). Each test
 * prints its seed; replay with {@code -Dhistorian.seed=<seed>}.
 */
class SampleFilterPropertyTest {
    private static final int ROUNDS = 150;
    private static final int[] QUALITIES = {Quality.GOOD.code(), Quality.UNCERTAIN_SENSOR_NOT_ACCURATE.code(),
            Quality.BAD_NO_COMMUNICATION.code()};

    static long seed(String test) {
        String fixed = System.getProperty("historian.seed");
        long seed = fixed != null && !fixed.isBlank() ? Long.decode(fixed.trim()) : new SplittableRandom().nextLong();
        System.out.println(test + ": seed=" + seed + " (replay with -Dhistorian.seed=" + seed + ")");
        return seed;
    }

    /**
     * About {@code n} in-order samples at even timestamps (odd ones are free for late arrivals):
     * runs of random walk, flat, ramp, step and spike, at a random scale, sometimes rounded to 2
     * decimals; with {@code dirty}, runs of other qualities and of NaN.
     */
    static List<S> series(SplittableRandom r, int n, boolean dirty) {
        List<S> out = new ArrayList<>(n);
        long t = 2 * (850_000_000_000L + r.nextLong(1_000_000_000L));
        double scale = new double[] {0.01, 0.1, 1, 10, 1000}[r.nextInt(5)];
        double v = r.nextDouble(-100, 100) * scale;
        boolean round = r.nextBoolean();
        int q = QUALITIES[0];
        boolean nan = false;
        int mode = 0;
        int left = 0;
        double slope = 0;
        for (int i = 0; i < n; i++) {
            t += r.nextInt(30) == 0 ? 2 * r.nextLong(1, 400_000) : 2 * r.nextLong(1, 1_000);
            if (left-- <= 0) {
                mode = r.nextInt(5);
                left = 1 + r.nextInt(60);
                slope = r.nextGaussian() * scale;
                if (mode == 3) {
                    v += r.nextGaussian() * 20 * scale;
                }
                if (dirty) {
                    q = r.nextInt(4) == 0 ? QUALITIES[r.nextInt(QUALITIES.length)] : q;
                    nan = r.nextInt(12) == 0;
                }
            }
            double x = switch (mode) {
                case 0 -> v += r.nextGaussian() * scale;
                case 2 -> v += slope;
                case 4 -> r.nextInt(8) == 0 ? v + r.nextGaussian() * 30 * scale : v;
                default -> v;
            };
            if (round) {
                x = Math.round(x * 100) / 100.0;
            }
            if (nan) {
                x = r.nextInt(4) == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
            }
            out.add(new S(t, x, q));
        }
        return out;
    }

    static List<S> run(SampleFilter f, List<S> in) {
        Recorder rec = new Recorder();
        for (S s : in) {
            f.offer(s.t(), s.v(), s.q(), rec);
            assertTrue(rec.samples.size() <= in.size());
            assertEquals(f.offered(), f.archived() + f.filtered() + f.pending(), "offered = archived + filtered + pending");
            assertTrue(f.filtered() >= 0 && f.pending() <= 2, f.toString());
        }
        f.flush(rec);
        assertEquals(0, f.pending());
        return rec.samples;
    }

    static boolean eventBetween(S a, S b) {
        return a.q() != b.q() || Double.isFinite(a.v()) != Double.isFinite(b.v()) || !Double.isFinite(b.v());
    }

    /** Every archived sample is an input, bit for bit; first and last inputs archived; both sides of every event. */
    static void assertCommonProperties(String where, List<S> in, List<S> archived) {
        Map<Long, S> byTime = new HashMap<>();
        for (S s : in) {
            byTime.put(s.t(), s);
        }
        long prev = Long.MIN_VALUE;
        Map<Long, S> archivedByTime = new HashMap<>();
        for (S a : archived) {
            S s = byTime.get(a.t());
            if (s == null || Double.doubleToRawLongBits(s.v()) != Double.doubleToRawLongBits(a.v()) || s.q() != a.q()) {
                fail(where + ": archived " + a + " is not an input (input at that time: " + s + ")");
            }
            if (a.t() <= prev) {
                fail(where + ": archive out of order or twice at " + a);
            }
            prev = a.t();
            archivedByTime.put(a.t(), a);
        }
        assertTrue(archivedByTime.containsKey(in.get(0).t()), where + ": first input not archived");
        assertTrue(archivedByTime.containsKey(in.get(in.size() - 1).t()), where + ": last input not archived");
        for (int i = 1; i < in.size(); i++) {
            if (eventBetween(in.get(i - 1), in.get(i))) {
                assertTrue(archivedByTime.containsKey(in.get(i - 1).t()) && archivedByTime.containsKey(in.get(i).t()),
                        where + ": both sides of the event " + in.get(i - 1) + " -> " + in.get(i) + " must be archived");
            }
        }
    }

    @Test
    void swingingDoor_interpolationStaysWithinTheDeviation_andCompMaxBoundsGaps() {
        long seed = seed("swingingDoor_interpolationStaysWithinTheDeviation_andCompMaxBoundsGaps");
        SplittableRandom r = new SplittableRandom(seed);
        long offered = 0;
        long stored = 0;
        for (int round = 0; round < ROUNDS; round++) {
            boolean dirty = round % 3 == 2;
            List<S> in = series(r, 100 + r.nextInt(3000), dirty);
            double dev = r.nextInt(10) == 0 ? 0 : r.nextDouble() * new double[] {0.01, 1, 50}[r.nextInt(3)];
            long compMax = r.nextLong(1, 3_000_000);
            String where = "seed=" + seed + " round=" + round + " dev=" + dev + " compMax=" + compMax;
            SampleFilter f = SampleFilter.of(TagDefinition.of("p").swingingDoor(dev, Duration.ofMillis(compMax)),
                    1 << 16);
            List<S> archived = run(f, in);
            assertCommonProperties(where, in, archived);

            double maxError = 0;
            int k = 0;
            for (S x : in) {
                while (k + 1 < archived.size() && archived.get(k + 1).t() <= x.t()) {
                    k++;
                }
                S a = archived.get(k);
                if (a.t() == x.t()) {
                    continue;
                }
                S b = archived.get(k + 1);
                assertTrue(Double.isFinite(a.v()) && Double.isFinite(b.v()) && a.q() == x.q() && b.q() == x.q(),
                        where + ": " + x + " lies between " + a + " and " + b + " across an event");
                double read = a.v() + (b.v() - a.v()) * ((double) (x.t() - a.t()) / (b.t() - a.t()));
                double error = Math.abs(read - x.v());
                maxError = Math.max(maxError, error);
                if (error > dev + 1e-9 * (Math.abs(x.v()) + Math.abs(a.v()) + Math.abs(b.v()) + 1)) {
                    fail(where + ": " + x + " is " + error + " off the line " + a + " -> " + b);
                }
                if (b.t() - a.t() > compMax) {
                    fail(where + ": " + x + " lies inside a gap longer than CompMax: " + a + " -> " + b);
                }
            }
            FilterStats stats = f.stats();
            assertEquals(in.size(), stats.offered(), where);
            assertEquals(archived.size(), stats.archived(), where);
            assertEquals(0, stats.uncheckedSamples(), where);
            long finite = in.stream().filter(x -> Double.isFinite(x.v())).count();
            assertEquals(finite, stats.checkedSamples(), where);
            assertEquals(maxError, stats.maxError(), 1e-9 * (1 + maxError), where + " fidelity max error");
            offered += in.size();
            stored += archived.size();
        }
        assertTrue(stored < 0.8 * offered, "seed=" + seed + ": the door should drop samples on these series ["
                + stored + " of " + offered + " stored]");
    }

    @Test
    void deadband_everyDroppedInputIsWithinTheDeadbandOfTheLastArchived_andExcMaxBoundsGaps() {
        long seed = seed("deadband_everyDroppedInputIsWithinTheDeadbandOfTheLastArchived_andExcMaxBoundsGaps");
        SplittableRandom r = new SplittableRandom(seed);
        for (int round = 0; round < ROUNDS; round++) {
            List<S> in = series(r, 100 + r.nextInt(3000), round % 3 == 2);
            double dev = r.nextInt(10) == 0 ? 0 : r.nextDouble() * new double[] {0.01, 1, 50}[r.nextInt(3)];
            long excMax = r.nextLong(1, 3_000_000);
            boolean stepped = r.nextBoolean();
            String where = "seed=" + seed + " round=" + round + " dev=" + dev + " excMax=" + excMax;
            TagDefinition def = TagDefinition.of("p").deadband(dev).exceptionMax(Duration.ofMillis(excMax))
                    .interpolation(stepped ? Interpolation.STEPPED : Interpolation.LINEAR);
            SampleFilter f = SampleFilter.of(def, 1 << 16);
            List<S> archived = run(f, in);
            assertCommonProperties(where, in, archived);
            int k = 0;
            double maxStepError = 0;
            for (S x : in) {
                while (k + 1 < archived.size() && archived.get(k + 1).t() <= x.t()) {
                    k++;
                }
                S a = archived.get(k);
                if (a.t() == x.t()) {
                    continue;
                }
                double error = Math.abs(x.v() - a.v());
                maxStepError = Math.max(maxStepError, error);
                if (!(error <= dev) || a.q() != x.q()) {
                    fail(where + ": dropped " + x + " is not within the deadband of the last archived " + a);
                }
                if (x.t() - a.t() >= excMax) {
                    fail(where + ": dropped " + x + " is ExcMax or more after the last archived " + a);
                }
            }
            if (stepped) {
                FilterStats stats = f.stats();
                assertTrue(stats.maxError() <= dev, where + ": stepped read-back error " + stats.maxError());
                assertEquals(maxStepError, stats.maxError(), 0.0, where + " fidelity max error (stepped)");
            }
        }
    }

    @Test
    void bothStages_archiveOnlyInputs_withBothEndsAndBothSidesOfEveryEvent() {
        long seed = seed("bothStages_archiveOnlyInputs_withBothEndsAndBothSidesOfEveryEvent");
        SplittableRandom r = new SplittableRandom(seed);
        for (int round = 0; round < ROUNDS; round++) {
            List<S> in = series(r, 100 + r.nextInt(3000), r.nextBoolean());
            double exc = r.nextDouble() * 2;
            double comp = r.nextDouble() * 4;
            long excMin = r.nextInt(3) == 0 ? r.nextLong(0, 5_000) : 0;
            long compMin = r.nextInt(3) == 0 ? r.nextLong(0, 5_000) : 0;
            long max = r.nextLong(5_000, 3_000_000);
            String where = "seed=" + seed + " round=" + round;
            TagDefinition def = TagDefinition.of("p").deadband(exc).exceptionMin(Duration.ofMillis(excMin))
                    .exceptionMax(Duration.ofMillis(max))
                    .swingingDoor(comp, Duration.ofMillis(compMin), Duration.ofMillis(max));
            List<S> archived = run(SampleFilter.of(def), in);
            assertCommonProperties(where + " " + def, in, archived);
        }
    }

    @Test
    void lateSamples_areArchivedAsTheyAre_andLeaveTheInOrderArchiveUnchanged() {
        long seed = seed("lateSamples_areArchivedAsTheyAre_andLeaveTheInOrderArchiveUnchanged");
        SplittableRandom r = new SplittableRandom(seed);
        for (int round = 0; round < ROUNDS; round++) {
            List<S> inOrder = series(r, 100 + r.nextInt(2000), r.nextBoolean());
            List<S> mixed = new ArrayList<>();
            List<S> late = new ArrayList<>();
            for (int i = 0; i < inOrder.size(); i++) {
                mixed.add(inOrder.get(i));
                if (i > 2 && r.nextInt(20) == 0) {
                    // odd timestamps never collide with the in-order (even) ones
                    long t = inOrder.get(i - 1 - r.nextInt(Math.min(i, 8))).t() - 1;
                    S s = new S(t, r.nextDouble() * 1e3, QUALITIES[r.nextInt(QUALITIES.length)]);
                    mixed.add(s);
                    late.add(s);
                }
            }
            TagDefinition def = TagDefinition.of("p").deadband(r.nextDouble())
                    .swingingDoor(r.nextDouble() * 3, Duration.ofMillis(r.nextLong(1, 1_000_000)));
            String where = "seed=" + seed + " round=" + round + " " + def;
            List<S> expected = run(SampleFilter.of(def), inOrder);
            List<S> actual = run(SampleFilter.of(def), mixed);
            List<S> actualLate = actual.stream().filter(s -> (s.t() & 1) == 1).toList();
            List<S> actualInOrder = actual.stream().filter(s -> (s.t() & 1) == 0).toList();
            assertEquals(late, actualLate, where + ": late samples");
            assertEquals(expected.size(), actualInOrder.size(), where + ": in-order archive size");
            for (int i = 0; i < expected.size(); i++) {
                S e = expected.get(i);
                S a = actualInOrder.get(i);
                if (e.t() != a.t() || Double.doubleToRawLongBits(e.v()) != Double.doubleToRawLongBits(a.v())
                        || e.q() != a.q()) {
                    fail(where + ": in-order archive differs at " + i + ": expected " + e + ", got " + a);
                }
            }
        }
    }
}
