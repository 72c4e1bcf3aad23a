package io.historian.internal.formula;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.FormulaException;
import io.historian.Quality;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The DAG: checks at build time, which formulas a sample evaluates, and the evaluation semantics. */
class FormulaGraphTest {
    static final int GOOD = Quality.GOOD.code();
    static final int BAD_CALC = Quality.BAD_CALCULATION_FAILED.code();
    static final int UNCERTAIN_LUV = Quality.UNCERTAIN_LAST_USABLE_VALUE.code();
    static final Duration STALE = Duration.ofMinutes(1);

    record Derived(String tag, long t, double v, int q) {
    }

    /** Collects derived samples. */
    static final class Sink implements DerivedSink {
        final List<Derived> out = new ArrayList<>();

        @Override
        public void derived(int formula, String tag, long epochMillis, double value, int qualityCode) {
            out.add(new Derived(tag, epochMillis, value, qualityCode));
        }

        List<Derived> take() {
            List<Derived> copy = List.copyOf(out);
            out.clear();
            return copy;
        }
    }

    /** History backed by maps; records what was asked for, as kind:tag. */
    static final class MapHistory implements History {
        final Map<String, TreeMap<Long, double[]>> data = new HashMap<>();
        final List<String> asked = new ArrayList<>();

        void put(String tag, long t, double v, int q) {
            data.computeIfAbsent(tag, k -> new TreeMap<>()).put(t, new double[] {v, q});
        }

        @Override
        public boolean sampleAtOrBefore(String tag, int slot, long epochMillis, SampleHolder into) {
            asked.add("at:" + tag);
            return fill(series(tag).floorEntry(epochMillis), into);
        }

        @Override
        public boolean sampleAfter(String tag, int slot, long epochMillis, SampleHolder into) {
            asked.add("after:" + tag);
            return fill(series(tag).higherEntry(epochMillis), into);
        }

        @Override
        public void samples(String tag, int slot, long fromInclusive, long toExclusive, SampleConsumer each) {
            asked.add("samples:" + tag);
            if (fromInclusive < toExclusive) {
                series(tag).subMap(fromInclusive, toExclusive).forEach((t, s) -> each.accept(t, s[0], (int) s[1]));
            }
        }

        private TreeMap<Long, double[]> series(String tag) {
            return data.getOrDefault(tag, new TreeMap<>());
        }

        private static boolean fill(Map.Entry<Long, double[]> e, SampleHolder into) {
            if (e == null) {
                return false;
            }
            into.set(e.getKey(), e.getValue()[0], (int) e.getValue()[1]);
            return true;
        }
    }

    static Map<String, String> formulas(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    static FormulaGraph graph(Map<String, String> formulas, History history) {
        return new FormulaGraph(formulas, tag -> true, true, STALE, history);
    }

    static FormulaGraph graph(String... pairs) {
        return graph(formulas(pairs), new MapHistory());
    }

    static void feed(FormulaGraph g, String tag, long t, double v, int q, Sink sink) {
        int slot = g.slotOf(tag);
        assertTrue(slot >= 0, "no formula reads " + tag);
        g.onSample(slot, t, v, q, sink);
    }

    record In(String tag, long t, double v, int q) {
    }

    static In in(String tag, long t, double v) {
        return new In(tag, t, v, GOOD);
    }

    static In in(String tag, long t, double v, int q) {
        return new In(tag, t, v, q);
    }

    /**
     * Plays the engine: one write call per {@link #call}, whose inputs and derived samples go to the
     * history when it commits (later wins at equal tag and time), as the store keeps them.
     */
    static final class Harness {
        final MapHistory history = new MapHistory();
        final FormulaGraph graph;

        Harness(String... pairs) {
            graph = graph(formulas(pairs), history);
        }

        List<Derived> call(In... samples) {
            return call(true, samples);
        }

        /** One call; committed or rolled back; returns what it emitted. */
        List<Derived> call(boolean commit, In... samples) {
            Sink sink = new Sink();
            graph.begin();
            for (In x : samples) {
                graph.input(graph.slotOf(x.tag()), x.t(), x.v(), x.q());
            }
            graph.evaluate(sink);
            if (!commit) {
                graph.rollback();
                return sink.take();
            }
            graph.commit();
            for (In x : samples) {
                history.put(x.tag(), x.t(), x.v(), x.q());
            }
            List<Derived> out = sink.take();
            out.forEach(d -> history.put(d.tag(), d.t(), d.v(), d.q()));
            return out;
        }
    }

    // ---------------------------------------------------------------- build-time checks

    @Test
    void cycleOfOne_isReportedNamingTheFormula() {
        FormulaException e = assertThrows(FormulaException.class, () -> graph("ok", "x + 1", "self", "self * 2"));
        assertEquals("formula cycle: self reads self [formulas=self]", e.getMessage());
        assertEquals("self", e.formulaName());
        assertEquals(-1, e.position());
    }

    @Test
    void cycleOfTwo_isReportedNamingBothFormulas() {
        FormulaException e = assertThrows(FormulaException.class,
                () -> graph("a", "b + 1", "b", "a * 2", "c", "a + x"));
        assertEquals("formula cycle: a reads b reads a [formulas=a, b]", e.getMessage());
    }

    @Test
    void cycleOfTen_isReportedNamingAllTen_andNotTheFormulasDownstreamOfIt() {
        List<String> pairs = new ArrayList<>();
        pairs.add("downstream");
        pairs.add("c3 + 1");
        for (int i = 0; i < 10; i++) {
            pairs.add("c" + i);
            pairs.add("c" + ((i + 1) % 10) + " + x");
        }
        FormulaException e = assertThrows(FormulaException.class, () -> graph(pairs.toArray(new String[0])));
        for (int i = 0; i < 10; i++) {
            assertTrue(e.getMessage().contains("c" + i + " reads c" + ((i + 1) % 10)), e.getMessage());
        }
        assertTrue(e.getMessage().endsWith("[formulas=c3, c4, c5, c6, c7, c8, c9, c0, c1, c2]"), e.getMessage());
        assertTrue(!e.getMessage().contains("downstream"), e.getMessage());
    }

    @Test
    void twoSeparateCycles_areBothReported() {
        FormulaException e = assertThrows(FormulaException.class,
                () -> graph("a", "b", "b", "a", "p", "q + r", "q", "p"));
        assertEquals("formula cycles: a reads b reads a; p reads q reads p [formulas=a, b, p, q]", e.getMessage());
    }

    @Test
    void unknownTag_inStrictMode_isAnErrorNamingFormulaAndTag_butAnInputOtherwise() {
        Map<String, String> f = formulas("tank.total", "tank1.level + tank9.level * 0.5");
        Set<String> known = Set.of("tank1.level");
        FormulaException e = assertThrows(FormulaException.class,
                () -> new FormulaGraph(f, known::contains, true, STALE, new MapHistory()));
        assertEquals("unknown tag 'tank9.level' at position 14 in formula tank.total: tank1.level + tank9.level * 0.5",
                e.getMessage());
        assertEquals("tank.total", e.formulaName());

        FormulaGraph lenient = new FormulaGraph(f, known::contains, false, STALE, new MapHistory());
        Sink sink = new Sink();
        feed(lenient, "tank1.level", 1, 2, GOOD, sink);
        feed(lenient, "tank9.level", 1, 4, GOOD, sink);
        assertEquals(List.of(new Derived("tank.total", 1, 4, GOOD)), sink.take());
    }

    @Test
    void formulaOutputs_countAsKnownTags_forOtherFormulas() {
        FormulaGraph g = new FormulaGraph(formulas("b", "a * 2", "a", "x + 1"), Set.of("x")::contains, true, STALE,
                new MapHistory());
        assertEquals("a", g.outputTag(0));
        assertEquals("b", g.outputTag(1));
    }

    // ---------------------------------------------------------------- which formulas run

    @Test
    void diamond_evaluatesEachNodeOncePerTrigger_inTopologicalOrder() {
        FormulaGraph g = graph("d", "b + c", "c", "a * 3", "b", "a * 2", "a", "x + 1");
        Sink sink = new Sink();
        feed(g, "x", 10, 1, GOOD, sink);
        List<Derived> out = sink.take();
        assertEquals(4, out.size(), out.toString());
        assertEquals(new Derived("a", 10, 2, GOOD), out.get(0));
        assertEquals(new Derived("d", 10, 10, GOOD), out.get(3));
        assertEquals(Set.of("b", "c"), Set.of(out.get(1).tag(), out.get(2).tag()));
        for (String f : List.of("a", "b", "c", "d")) {
            assertEquals(1, g.evaluationCount(f), f);
        }
        assertEquals(4, g.evaluationCount());
        feed(g, "x", 20, 2, GOOD, sink);
        assertEquals(8, g.evaluationCount());
        assertEquals(new Derived("d", 20, 15, GOOD), sink.take().get(3));
    }

    @Test
    void chainOfDepth50_propagatesToTheEnd_inOneTrigger() {
        Map<String, String> f = new LinkedHashMap<>();
        for (int i = 49; i >= 1; i--) { // declared last-first: the graph must sort them
            f.put("f" + i, "f" + (i - 1) + " + 1");
        }
        f.put("f0", "x");
        FormulaGraph g = graph(f, new MapHistory());
        Sink sink = new Sink();
        feed(g, "x", 5, 100, GOOD, sink);
        List<Derived> out = sink.take();
        assertEquals(50, out.size());
        for (int i = 0; i < 50; i++) {
            assertEquals(new Derived("f" + i, 5, 100 + i, GOOD), out.get(i));
        }
        assertEquals(50, g.dependentCount("x"));
        assertEquals(49, g.dependentCount("f0"));
    }

    @Test
    void thousandFormulasOverTenThousandInputs_aSampleEvaluatesExactlyItsDependents() {
        long seed = FormulaPropertyTest.seed("FormulaGraphTest.thousandFormulas");
        SplittableRandom r = new SplittableRandom(seed);
        int inputs = 10_000;
        int n = 1_000;
        Map<String, String> f = new LinkedHashMap<>();
        Map<String, Set<String>> readers = new HashMap<>(); // tag -> formulas reading it directly
        for (int i = 0; i < n; i++) {
            String name = "calc" + i;
            StringBuilder expr = new StringBuilder();
            int terms = 1 + r.nextInt(4);
            for (int k = 0; k < terms; k++) {
                String tag = i > 0 && r.nextInt(4) == 0 ? "calc" + r.nextInt(i) : "in" + r.nextInt(inputs);
                expr.append(k == 0 ? "" : " + ").append(tag);
                readers.computeIfAbsent(tag, t -> new HashSet<>()).add(name);
            }
            f.put(name, expr.toString());
        }
        FormulaGraph g = graph(f, new MapHistory());
        Sink sink = new Sink();
        for (int i = 0; i < inputs; i++) {
            int slot = g.slotOf("in" + i);
            if (slot >= 0) {
                g.onSample(slot, 1, i, GOOD, sink);
            }
        }
        sink.take();
        for (int round = 0; round < 200; round++) {
            String tag = "in" + r.nextInt(inputs);
            Set<String> expected = new HashSet<>();
            ArrayDeque<String> todo = new ArrayDeque<>(List.of(tag));
            while (!todo.isEmpty()) {
                for (String d : readers.getOrDefault(todo.pop(), Set.of())) {
                    if (expected.add(d)) {
                        todo.push(d);
                    }
                }
            }
            long before = g.evaluationCount();
            int slot = g.slotOf(tag);
            assertEquals(expected.isEmpty(), slot < 0, "seed=" + seed + " tag=" + tag);
            if (slot >= 0) {
                g.onSample(slot, 2 + round, 1, GOOD, sink);
            }
            List<Derived> out = sink.take();
            Set<String> got = new HashSet<>();
            out.forEach(d -> got.add(d.tag()));
            assertEquals(expected.size(), g.evaluationCount() - before, "seed=" + seed + " tag=" + tag);
            assertEquals(expected.size(), out.size(), "each once; seed=" + seed + " tag=" + tag);
            assertEquals(expected, got, "seed=" + seed + " tag=" + tag);
        }
    }

    @Test
    void unrelatedTags_andUnreadOutputs_haveNoSlot() {
        FormulaGraph g = graph("a", "x + 1", "b", "a * 2");
        assertEquals(-1, g.slotOf("nobody.reads.me"));
        assertEquals(-1, g.slotOf("b"));
        assertTrue(g.slotOf("a") >= 0);
        assertTrue(g.slotOf("x") >= 0);
    }

    // ---------------------------------------------------------------- semantics

    @Test
    void inputNeverSeen_meansNoResult_andIsCounted() {
        FormulaGraph g = graph("f", "x + y", "h", "f * 2");
        Sink sink = new Sink();
        feed(g, "x", 1, 1, GOOD, sink);
        assertEquals(List.of(), sink.take());
        assertEquals(1, g.skippedCount());
        assertEquals(0, g.evaluationCount());
        feed(g, "y", 2, 2, GOOD, sink);
        assertEquals(List.of(new Derived("f", 2, 3, GOOD), new Derived("h", 2, 6, GOOD)), sink.take());
    }

    @Test
    void staleInput_makesTheResultUncertain() {
        FormulaGraph g = graph("f", "x + y");
        Sink sink = new Sink();
        long t0 = 1_700_000_000_000L;
        feed(g, "x", t0, 1, GOOD, sink);
        feed(g, "y", t0 + 60_000, 2, GOOD, sink); // exactly at the limit: still fresh
        feed(g, "y", t0 + 60_001, 3, GOOD, sink); // x is now older than one minute
        feed(g, "x", t0 + 60_002, 4, GOOD, sink);
        assertEquals(List.of(new Derived("f", t0 + 60_000, 3, GOOD), new Derived("f", t0 + 60_001, 4, UNCERTAIN_LUV),
                new Derived("f", t0 + 60_002, 7, GOOD)), sink.take());
    }

    @Test
    void sampleInOrderForItsTag_butBeforeTheFormulasFrontier_isLate_andRecalculatesTheLaterValues() {
        Harness h = new Harness("f", "x + y", "g", "f + c");
        h.call(in("x", 100_000, 1), in("y", 100_000, 10), in("c", 100_000, 100));
        h.call(in("c", 200_000, 100));
        h.call(in("x", 200_000, 2));
        // y at 130,000 is after y's latest but before f's frontier (x at 200,000): f is new at 130,000,
        // and f at 200,000 now reads y at 130,000, 70 s before: stale
        assertEquals(List.of(new Derived("f", 130_000, 21, GOOD), new Derived("f", 200_000, 22, UNCERTAIN_LUV),
                new Derived("g", 130_000, 121, GOOD), new Derived("g", 200_000, 122, UNCERTAIN_LUV)),
                h.call(in("y", 130_000, 20)));
        assertEquals(List.of(new Derived("g", 250_000, 322, UNCERTAIN_LUV)), h.call(in("c", 250_000, 300)));
    }

    @Test
    void qualityRecovers_whenTheBadInputIsGoodAgain() {
        FormulaGraph g = graph("f", "x * y");
        Sink sink = new Sink();
        feed(g, "x", 1, 2, Quality.BAD_SENSOR_FAILURE.code(), sink);
        feed(g, "y", 1, 3, GOOD, sink);
        feed(g, "x", 2, 4, GOOD, sink);
        assertEquals(List.of(new Derived("f", 1, Double.NaN, BAD_CALC), new Derived("f", 2, 12, GOOD)), sink.take());
    }

    @Test
    void qualityIsTheWorstInput_andABadInputFailsTheCalculation() {
        FormulaGraph g = graph("f", "x + y", "h", "f + 1");
        Sink sink = new Sink();
        int sensor = Quality.UNCERTAIN_SENSOR_NOT_ACCURATE.code();
        feed(g, "x", 1, 1, GOOD, sink);
        feed(g, "y", 1, 2, sensor, sink);
        feed(g, "x", 2, 5, Quality.BAD_NO_COMMUNICATION.code(), sink);
        feed(g, "x", 3, 6, Quality.GOOD_LOCAL_OVERRIDE.code(), sink);
        List<Derived> out = sink.take();
        assertEquals(List.of(new Derived("f", 1, 3, sensor), new Derived("h", 1, 4, sensor),
                new Derived("f", 2, Double.NaN, BAD_CALC), new Derived("h", 2, Double.NaN, BAD_CALC),
                new Derived("f", 3, 8, sensor), new Derived("h", 3, 9, sensor)), out);
    }

    @Test
    void divisionByZero_andNonFiniteResults_failTheCalculation() {
        FormulaGraph g = graph("ratio", "x / y", "big", "x * 1e308", "guarded", "if(y != 0, x / y, -1)",
                "logged", "log(y)");
        Sink sink = new Sink();
        feed(g, "x", 1, 10, GOOD, sink);
        feed(g, "y", 1, 0, GOOD, sink);
        Map<String, Derived> last = new HashMap<>();
        sink.take().forEach(d -> last.put(d.tag(), d));
        assertEquals(new Derived("ratio", 1, Double.NaN, BAD_CALC), last.get("ratio"));
        assertEquals(new Derived("big", 1, Double.NaN, BAD_CALC), last.get("big"));
        assertEquals(new Derived("guarded", 1, -1, GOOD), last.get("guarded"));
        assertEquals(new Derived("logged", 1, Double.NaN, BAD_CALC), last.get("logged"));
        feed(g, "y", 2, 4, GOOD, sink);
        sink.take().forEach(d -> last.put(d.tag(), d));
        assertEquals(new Derived("ratio", 2, 2.5, GOOD), last.get("ratio"));
    }

    @Test
    void lateInput_recalculatesUpToItsTagsNextSample_readingHistoryOnlyForTheOtherInputs() {
        Harness h = new Harness("f", "a + b", "h", "f * 2");
        h.call(in("a", 100, 1), in("b", 100, 10));
        h.call(in("a", 200, 2));
        h.call(in("b", 300, 30));
        h.history.asked.clear();
        FormulaGraph g = h.graph;

        int sensor = Quality.UNCERTAIN_SENSOR_NOT_ACCURATE.code();
        // a at 150 holds until a's sample at 200: f and h at 200 and 300 do not change
        assertEquals(List.of(new Derived("f", 150, 15, sensor), new Derived("h", 150, 30, sensor)),
                h.call(in("a", 150, 5, sensor)));
        assertEquals(List.of("after:a", "at:b", "samples:b"), h.history.asked,
                "a's window ends at its next sample; f is recomputed, not read back");
        assertEquals(1, g.lateSampleCount());

        assertEquals(List.of(new Derived("f", 400, 42, GOOD), new Derived("h", 400, 84, GOOD)), h.call(in("b", 400, 40)));
    }

    @Test
    void lateInput_withoutHistoryForAnotherInput_hasNoResult() {
        MapHistory history = new MapHistory();
        FormulaGraph g = graph(formulas("f", "a + b"), history);
        Sink sink = new Sink();
        feed(g, "a", 100, 1, GOOD, sink);
        feed(g, "b", 100, 10, GOOD, sink);
        sink.take();
        long skipped = g.skippedCount();
        feed(g, "a", 50, 5, GOOD, sink);
        assertEquals(List.of(), sink.take());
        assertEquals(skipped + 1, g.skippedCount());
    }

    @Test
    void lateInput_olderThanTheStalenessLimitOfItsHistory_isUncertain() {
        MapHistory history = new MapHistory();
        history.put("b", 1_000, 10, GOOD);
        FormulaGraph g = graph(formulas("f", "a + b"), history);
        Sink sink = new Sink();
        feed(g, "a", 500_000, 1, GOOD, sink);
        feed(g, "b", 500_000, 1, GOOD, sink);
        sink.take();
        feed(g, "a", 200_000, 5, GOOD, sink);
        assertEquals(List.of(new Derived("f", 200_000, 15, UNCERTAIN_LUV)), sink.take());
    }

    @Test
    void onSample_allocatesNothing() {
        FormulaGraph g = graph("eff", "if(fuel.flow > 0.1, steam.flow * 2.26 / (fuel.flow * 50.0), 0)",
                "eff.pct", "eff * 100");
        int fuel = g.slotOf("fuel.flow");
        int steam = g.slotOf("steam.flow");
        double[] sum = new double[1];
        DerivedSink sink = (f, tag, t, v, q) -> sum[0] += v;
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) { // warm up
            g.onSample(fuel, i, 1 + i % 7, GOOD, sink);
            g.onSample(steam, i, 2, GOOD, sink);
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 20_000; i < 220_000; i++) {
            g.onSample(fuel, i, 1 + i % 7, GOOD, sink);
            g.onSample(steam, i, 2, GOOD, sink);
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 4_096, "allocated " + allocated + " bytes over 400,000 samples");
        assertTrue(sum[0] > 0);
    }
}
