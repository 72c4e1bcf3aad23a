package io.historian.internal.formula;

import static org.junit.jupiter.api.Assertions.fail;

import io.historian.Quality;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random write calls against a naive oracle. Each seed builds a random DAG of formulas (chains and
 * diamonds over five raw inputs), then makes random calls: batches in any order, live and late
 * samples, several inputs at one time, a (tag, time) again later in the stream, Bad and Uncertain
 * qualities, NaN values, stale inputs, rollbacks (a refused journal append) and restarts (a new graph
 * primed from the store). An in-memory store plays the engine's: a committed call's inputs and
 * derived samples go into a TreeMap per tag, later wins. After every call the derived series in the
 * store must equal the oracle (FormulaGraph's class comment) evaluated on the raw series in the
 * store, exactly; a call must emit at most one sample per (output, time); a rolled-back call must
 * leave the graph's state as it was; and a call whose samples are all after everything stored must
 * not read history.
 *
 * <p>Seeds: {@code -Dhistorian.seed=<seed>} replays one (with {@code -Dhistorian.formulaSeeds=1} to
 * run only it); {@code -Dhistorian.formulaSeeds=<n>} runs n seeds (default 40).
 */
class FormulaGraphPropertyTest {
    static final int GOOD = Quality.GOOD.code();
    static final int[] QUALITIES = {GOOD, GOOD, GOOD, GOOD, GOOD, GOOD, Quality.GOOD_LOCAL_OVERRIDE.code(),
        Quality.UNCERTAIN_SENSOR_NOT_ACCURATE.code(), Quality.UNCERTAIN_LAST_USABLE_VALUE.code(),
        Quality.BAD_SENSOR_FAILURE.code(), Quality.BAD_NO_COMMUNICATION.code()};
    static final String[] RAW = {"x0", "x1", "x2", "x3", "x4"};
    static final long STALE_MILLIS = 40;
    static final int CALLS = 250;

    /** A formula shape: its text over p, q, r, and the same arithmetic in Java. */
    record Shape(int arity, String text, ToDoubleFunction<double[]> java) {
    }

    static final Shape[] SHAPES = {
        new Shape(1, "p * 2 + 1", v -> v[0] * 2 + 1),
        new Shape(1, "-p", v -> -v[0]),
        new Shape(2, "p + q", v -> v[0] + v[1]),
        new Shape(2, "p - q * 0.5", v -> v[0] - v[1] * 0.5),
        new Shape(2, "p / q", v -> v[1] == 0 ? Double.NaN : v[0] / v[1]),
        new Shape(2, "max(p, q)", v -> Math.max(v[0], v[1])),
        new Shape(2, "if(p > q, p, q - 1)", v -> Double.isNaN(v[0]) || Double.isNaN(v[1]) ? Double.NaN
                : v[0] > v[1] ? v[0] : v[1] - 1),
        new Shape(3, "p + q + r", v -> v[0] + v[1] + v[2]),
        new Shape(3, "p * q - r", v -> v[0] * v[1] - v[2]),
    };

    /** One generated formula: its output, the tags it reads (in the order its text names them), its shape. */
    record Spec(String output, String[] inputs, Shape shape) {
    }

    record Sample(double v, int q) {
    }

    static LongStream seeds() {
        String fixed = System.getProperty("historian.seed");
        long base = fixed != null && !fixed.isBlank() ? Long.decode(fixed.trim()) : System.nanoTime();
        int n = Integer.getInteger("historian.formulaSeeds", 30);
        System.out.println("FormulaGraphPropertyTest: base seed=" + base + ", " + n + " seeds (replay one with"
                + " -Dhistorian.seed=<seed> -Dhistorian.formulaSeeds=1)");
        return LongStream.range(0, n).map(i -> base + i);
    }

    /** The store, as the engine keeps it, with a count of reads. */
    static final class Store implements History {
        final Map<String, TreeMap<Long, Sample>> data = new HashMap<>();
        int reads;

        TreeMap<Long, Sample> series(String tag) {
            return data.computeIfAbsent(tag, k -> new TreeMap<>());
        }

        long latestOfAll() {
            long max = Long.MIN_VALUE;
            for (TreeMap<Long, Sample> s : data.values()) {
                if (!s.isEmpty()) {
                    max = Math.max(max, s.lastKey());
                }
            }
            return max;
        }

        private boolean fill(Map.Entry<Long, Sample> e, SampleHolder into) {
            if (e == null) {
                return false;
            }
            into.set(e.getKey(), e.getValue().v(), e.getValue().q());
            return true;
        }

        @Override
        public boolean sampleAtOrBefore(String tag, int slot, long t, SampleHolder into) {
            reads++;
            return fill(series(tag).floorEntry(t), into);
        }

        @Override
        public boolean sampleAfter(String tag, int slot, long t, SampleHolder into) {
            reads++;
            return fill(series(tag).higherEntry(t), into);
        }

        @Override
        public void samples(String tag, int slot, long from, long to, SampleConsumer each) {
            reads++;
            if (from < to) {
                series(tag).subMap(from, to).forEach((t, s) -> each.accept(t, s.v(), s.q()));
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomCalls_leaveTheStoredDerivedSeriesEqualToTheOracle(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Spec> specs = randomDag(r);
        Map<String, String> formulas = new LinkedHashMap<>();
        for (Spec s : specs) {
            String text = s.shape().text();
            String[] names = {"p", "q", "r"};
            for (int k = 0; k < s.inputs().length; k++) {
                text = text.replace(names[k], s.inputs()[k]);
            }
            formulas.put(s.output(), text);
        }
        Store store = new Store();
        FormulaGraph graph = new FormulaGraph(formulas, tag -> true, true, Duration.ofMillis(STALE_MILLIS), store);
        long clock = 0;
        StringBuilder log = new StringBuilder();
        int lateCalls = 0;
        int rollbacks = 0;
        int derived = 0;
        for (int c = 0; c < CALLS; c++) {
            if (r.nextInt(40) == 0) { // restart: a new graph, primed from the store
                graph = new FormulaGraph(formulas, tag -> true, true, Duration.ofMillis(STALE_MILLIS), store);
                for (int slot = 0; slot < graph.slotCount(); slot++) {
                    TreeMap<Long, Sample> s = store.series(graph.slotTag(slot));
                    if (!s.isEmpty()) {
                        graph.prime(slot, s.lastKey(), s.lastEntry().getValue().v(), s.lastEntry().getValue().q());
                    }
                }
                log.append("restart\n");
            }
            // the call
            int n = 1 + r.nextInt(r.nextInt(4) == 0 ? 12 : 4);
            List<Object[]> call = new ArrayList<>();
            clock += r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(8);
            for (int i = 0; i < n; i++) {
                String tag = RAW[r.nextInt(RAW.length)];
                long t;
                switch (r.nextInt(8)) {
                    case 0, 1 -> t = Math.max(0, clock - r.nextInt(60)); // late, maybe
                    case 2 -> { // a time already stored, for this tag or another
                        TreeMap<Long, Sample> s = store.series(RAW[r.nextInt(RAW.length)]);
                        Long k = s.isEmpty() ? null : s.floorKey(r.nextLong(s.lastKey() + 1));
                        t = k == null ? clock : k;
                    }
                    case 3 -> t = call.isEmpty() ? clock : (long) call.get(r.nextInt(call.size()))[1]; // same time
                    default -> t = clock + r.nextInt(3);
                }
                double v = r.nextInt(30) == 0 ? Double.NaN : r.nextInt(7) - 2;
                int q = QUALITIES[r.nextInt(QUALITIES.length)];
                call.add(new Object[] {tag, t, v, q});
            }
            boolean inOrder = true;
            long latest = store.latestOfAll();
            for (Object[] x : call) {
                inOrder &= (long) x[1] > latest;
            }
            boolean commit = r.nextInt(6) != 0;
            log.append(commit ? "call " : "call (rolled back) ");
            for (Object[] x : call) {
                log.append(x[0]).append('@').append(x[1]).append('=').append(x[2]).append('/')
                        .append(Integer.toHexString((int) x[3])).append(' ');
            }
            log.append('\n');

            String before = graph.describeState();
            int readsBefore = store.reads;
            List<Object[]> emitted = new ArrayList<>();
            DerivedSink sink = (f, tag, t, v, q) -> emitted.add(new Object[] {tag, t, v, q});
            int firstSlot = graph.slotOf((String) call.get(0)[0]);
            boolean single = commit && call.size() == 1 && firstSlot >= 0 && r.nextBoolean();
            if (single) { // a call of its own, through its direct path when in order
                Object[] x = call.get(0);
                graph.onSample(firstSlot, (long) x[1], (double) x[2], (int) x[3], sink);
            } else {
                graph.begin();
                for (Object[] x : call) {
                    int slot = graph.slotOf((String) x[0]);
                    if (slot >= 0) { // as the engine: a tag no formula reads is only stored
                        graph.input(slot, (long) x[1], (double) x[2], (int) x[3]);
                    }
                }
                graph.evaluate(sink);
            }
            Set<String> once = new HashSet<>();
            for (Object[] d : emitted) {
                if (!once.add(d[0] + "@" + d[1])) {
                    fail("seed=" + seed + ": " + d[0] + "@" + d[1] + " emitted twice in one call\n" + log);
                }
            }
            if (inOrder && store.reads != readsBefore) {
                fail("seed=" + seed + ": a call after everything stored read history\n" + log);
            }
            if (graph.lateSampleCount() > 0 && store.reads > readsBefore) {
                lateCalls++;
            }
            if (!commit) {
                rollbacks++;
                graph.rollback();
                if (!before.equals(graph.describeState())) {
                    fail("seed=" + seed + ": rollback changed the state\nbefore " + before + "\nafter  "
                            + graph.describeState() + "\n" + log);
                }
                continue;
            }
            if (!single) {
                graph.commit();
            }
            for (Object[] x : call) {
                store.series((String) x[0]).put((long) x[1], new Sample((double) x[2], (int) x[3]));
            }
            for (Object[] d : emitted) {
                store.series((String) d[0]).put((long) d[1], new Sample((double) d[2], (int) d[3]));
            }
            derived += emitted.size();
            check(seed, specs, store, log);
        }
        System.out.println("seed " + seed + ": " + specs.size() + " formulas, " + CALLS + " calls, " + lateCalls
                + " read history, " + rollbacks + " rolled back, " + derived + " derived samples committed, "
                + store.reads + " history reads");
    }

    /** Formulas over the raw inputs and earlier formulas, so that chains and diamonds form. */
    static List<Spec> randomDag(SplittableRandom r) {
        int n = 3 + r.nextInt(6);
        List<Spec> specs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Shape shape = SHAPES[r.nextInt(SHAPES.length)];
            List<String> in = new ArrayList<>();
            while (in.size() < shape.arity()) {
                String tag = i > 0 && r.nextInt(5) < 2 ? "f" + r.nextInt(i) : RAW[r.nextInt(RAW.length)];
                if (!in.contains(tag)) {
                    in.add(tag);
                }
            }
            specs.add(new Spec("f" + i, in.toArray(new String[0]), shape));
        }
        return specs;
    }

    /** The oracle on the stored raw series, compared with the stored derived series. */
    static void check(long seed, List<Spec> specs, Store store, StringBuilder log) {
        Map<String, TreeMap<Long, Sample>> expected = new HashMap<>();
        for (Spec spec : specs) {
            List<TreeMap<Long, Sample>> in = new ArrayList<>();
            TreeMap<Long, Boolean> times = new TreeMap<>();
            for (String tag : spec.inputs()) {
                TreeMap<Long, Sample> s = expected.containsKey(tag) ? expected.get(tag) : store.series(tag);
                in.add(s);
                s.keySet().forEach(t -> times.put(t, true));
            }
            TreeMap<Long, Sample> out = new TreeMap<>();
            for (long t : times.keySet()) {
                double[] v = new double[in.size()];
                int q = GOOD;
                boolean stale = false;
                boolean defined = true;
                for (int k = 0; k < in.size(); k++) {
                    Map.Entry<Long, Sample> e = in.get(k).floorEntry(t);
                    if (e == null) {
                        defined = false;
                        break;
                    }
                    v[k] = e.getValue().v();
                    q = Quality.worst(q, e.getValue().q());
                    stale |= t - e.getKey() > STALE_MILLIS;
                }
                if (!defined) {
                    continue;
                }
                if (stale) {
                    q = Quality.worst(q, Quality.UNCERTAIN_LAST_USABLE_VALUE.code());
                }
                double result = Quality.severity(q) >= 2 ? Double.NaN : spec.shape().java().applyAsDouble(v);
                if (!Double.isFinite(result)) {
                    result = Double.NaN;
                    q = Quality.BAD_CALCULATION_FAILED.code();
                }
                out.put(t, new Sample(result, q));
            }
            expected.put(spec.output(), out);
            TreeMap<Long, Sample> actual = store.series(spec.output());
            if (!same(out, actual)) {
                StringBuilder sb = new StringBuilder("seed=" + seed + ": " + spec.output() + " = "
                        + spec.shape().text() + " over " + String.join(", ", spec.inputs()) + "\n");
                for (long t : union(out, actual)) {
                    Sample e = out.get(t);
                    Sample a = actual.get(t);
                    sb.append(same(e, a) ? "   " : " ! ").append(t).append(": expected ").append(e)
                            .append(", stored ").append(a).append('\n');
                }
                for (String tag : spec.inputs()) {
                    TreeMap<Long, Sample> s = expected.containsKey(tag) ? expected.get(tag) : store.series(tag);
                    sb.append("  input ").append(tag).append(": ").append(s).append('\n');
                }
                fail(sb + "calls:\n" + log);
            }
        }
    }

    static Set<Long> union(TreeMap<Long, Sample> a, TreeMap<Long, Sample> b) {
        TreeMap<Long, Boolean> all = new TreeMap<>();
        a.keySet().forEach(t -> all.put(t, true));
        b.keySet().forEach(t -> all.put(t, true));
        return all.keySet();
    }

    static boolean same(TreeMap<Long, Sample> a, TreeMap<Long, Sample> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<Long, Sample> e : a.entrySet()) {
            if (!same(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    static boolean same(Sample a, Sample b) {
        return a != null && b != null && a.q() == b.q()
                && Double.doubleToRawLongBits(a.v()) == Double.doubleToRawLongBits(b.v());
    }
}
