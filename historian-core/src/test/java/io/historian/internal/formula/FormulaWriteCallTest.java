package io.historian.internal.formula;

import static io.historian.internal.formula.FormulaGraphTest.GOOD;
import static io.historian.internal.formula.FormulaGraphTest.in;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Quality;
import io.historian.internal.formula.FormulaGraphTest.Derived;
import io.historian.internal.formula.FormulaGraphTest.Harness;
import io.historian.internal.formula.FormulaGraphTest.In;
import io.historian.internal.formula.FormulaGraphTest.Sink;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Write calls: one evaluation per (formula, time) per call, transactions, and the recalculation of
 * derived history that a late input changes.
 */
class FormulaWriteCallTest {
    static final int BAD_SENSOR = Quality.BAD_SENSOR_FAILURE.code();

    /** A history that fails the test when read: for calls that must stay on the in-order path. */
    static final History NO_READS = (tag, slot, t, into) -> {
        throw new AssertionError("history read for " + tag + " at " + t);
    };

    // ---------------------------------------------------------------- 1. one evaluation per time

    @Test
    void twoInputsAtOneTime_inOneCall_evaluateTheFormulaOnce_fromBoth() {
        Harness h = new Harness("c", "a + b");
        assertEquals(List.of(new Derived("c", 10, 31, GOOD)), h.call(in("a", 10, 1), in("b", 10, 30)));
        assertEquals(List.of(new Derived("c", 20, 33, GOOD)), h.call(in("a", 20, 3), in("b", 20, 30)));
        assertEquals(2, h.graph.evaluationCount("c"));
    }

    @Test
    void aBatchInAnyOrder_isGroupedByTime_andEachFormulaOfTheDiamondRunsOncePerTime() {
        FormulaGraph g = FormulaGraphTest.graph(FormulaGraphTest.formulas("d", "b + c", "c", "a * 3 + y", "b",
                "a * 2", "a", "x + 1"), NO_READS);
        Sink sink = new Sink();
        g.begin();
        for (In x : List.of(in("y", 20, 100), in("x", 30, 2), in("x", 10, 1), in("y", 10, 0), in("x", 20, 5),
                in("x", 20, 6))) { // x at 20 twice: the later wins
            g.input(g.slotOf(x.tag()), x.t(), x.v(), x.q());
        }
        g.evaluate(sink);
        g.commit();
        // c before b: the order of the map breaks the tie between them
        assertEquals(List.of(
                new Derived("a", 10, 2, GOOD), new Derived("c", 10, 6, GOOD), new Derived("b", 10, 4, GOOD),
                new Derived("d", 10, 10, GOOD),
                new Derived("a", 20, 7, GOOD), new Derived("c", 20, 121, GOOD), new Derived("b", 20, 14, GOOD),
                new Derived("d", 20, 135, GOOD),
                new Derived("a", 30, 3, GOOD), new Derived("c", 30, 109, GOOD), new Derived("b", 30, 6, GOOD),
                new Derived("d", 30, 115, GOOD)), sink.take());
        assertEquals(12, g.evaluationCount());
    }

    @Test
    void aCallAtOrAfterEveryFrontier_readsNoHistory_evenWithADuplicateOfTheLatestTime() {
        FormulaGraph g = FormulaGraphTest.graph(FormulaGraphTest.formulas("f", "a + b", "h", "f - c"), NO_READS);
        Sink sink = new Sink();
        call(g, sink, in("a", 100, 1), in("b", 100, 2), in("c", 100, 3));
        call(g, sink, in("c", 100, 4), in("a", 150, 5)); // c again at its latest time: replaces it
        assertEquals(List.of(new Derived("f", 100, 3, GOOD), new Derived("h", 100, 0, GOOD),
                new Derived("h", 100, -1, GOOD), new Derived("f", 150, 7, GOOD), new Derived("h", 150, 3, GOOD)),
                sink.take());
        assertEquals(0, g.lateSampleCount());
    }

    // ---------------------------------------------------------------- 2. transactions

    @Test
    void rollback_forgetsARefusedInput_soTheNextCallUsesTheStoredValue() {
        Harness h = new Harness("c", "a + b");
        h.call(in("a", 10, 1), in("b", 10, 30));
        String before = h.graph.describeState();
        assertEquals(List.of(new Derived("c", 20, 130, GOOD)), h.call(false, in("a", 20, 100))); // journal full
        assertEquals(before, h.graph.describeState());
        assertEquals(List.of(new Derived("c", 30, 3, GOOD)), h.call(in("b", 30, 2)));
    }

    @Test
    void rollback_afterALateCall_andAfterAnAbandonedInOrderPass_restoresEveryState() {
        Harness h = new Harness("s", "a + b", "t", "s * x", "u", "t + s");
        h.call(in("a", 10, 1), in("b", 10, 2), in("x", 10, 3));
        h.call(in("a", 20, 4, BAD_SENSOR), in("b", 30, 5));
        String before = h.graph.describeState();
        // late for s (frontier 30), after an in-order group at 40 that the graph abandons
        h.call(false, in("x", 40, 7), in("a", 15, 9), in("b", 12, 8, Quality.UNCERTAIN_SENSOR_NOT_ACCURATE.code()));
        assertEquals(before, h.graph.describeState());
        h.call(false, in("x", 50, 1), in("a", 50, 1)); // in order
        assertEquals(before, h.graph.describeState());
        h.graph.begin(); // rolled back before evaluating
        h.graph.input(h.graph.slotOf("a"), 5, 0, GOOD);
        h.graph.rollback();
        assertEquals(before, h.graph.describeState());
        // and the graph carries on as if those calls never happened
        assertEquals(List.of(new Derived("s", 40, Double.NaN, FormulaGraphTest.BAD_CALC),
                new Derived("t", 40, Double.NaN, FormulaGraphTest.BAD_CALC),
                new Derived("u", 40, Double.NaN, FormulaGraphTest.BAD_CALC)), h.call(in("b", 40, 1)));
    }

    @Test
    void rollback_afterTheSinkThrew_restoresEveryState() {
        Harness h = new Harness("c", "a + b");
        h.call(in("a", 10, 1), in("b", 10, 30));
        String before = h.graph.describeState();
        FormulaGraph g = h.graph;
        g.begin();
        g.input(g.slotOf("a"), 20, 2, GOOD);
        assertThrows(IllegalStateException.class, () -> g.evaluate((f, tag, t, v, q) -> {
            throw new IllegalStateException("scratch full");
        }));
        g.rollback();
        assertEquals(before, g.describeState());
    }

    @Test
    void calls_outOfSequence_failNamingTheProblem() {
        FormulaGraph g = FormulaGraphTest.graph("c", "a + b");
        Sink sink = new Sink();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.input(g.slotOf("a"), 1, 1, GOOD));
        assertEquals("no formula write call is open; call begin() first", e.getMessage());
        assertThrows(IllegalStateException.class, g::commit);
        assertThrows(IllegalStateException.class, g::rollback);
        g.begin();
        assertEquals("a formula write call is already open; commit or roll it back first",
                assertThrows(IllegalStateException.class, g::begin).getMessage());
        assertEquals("the formula write call was not evaluated", assertThrows(IllegalStateException.class, g::commit)
                .getMessage());
        IllegalArgumentException output = assertThrows(IllegalArgumentException.class,
                () -> g.input(slotNamed(g, "c"), 1, 1, GOOD));
        assertTrue(output.getMessage().contains("[tag=c, written by a formula]"), output.getMessage());
        assertThrows(IllegalArgumentException.class, () -> g.input(g.slotOf("a"), Long.MIN_VALUE, 1, GOOD));
        g.evaluate(sink);
        assertThrows(IllegalStateException.class, () -> g.input(g.slotOf("a"), 1, 1, GOOD));
        assertThrows(IllegalStateException.class, () -> g.evaluate(sink));
        assertThrows(IllegalStateException.class, () -> g.prime(g.slotOf("a"), 1, 1, GOOD));
        g.commit();
    }

    // ---------------------------------------------------------------- 3. recalculation

    @Test
    void lateInput_recalculatesEveryLaterValueThatReadsIt_untilItsTagsNextSample() {
        Harness h = new Harness("s", "a + b");
        h.call(in("a", 10, 1));
        h.call(in("b", 20, 1));
        h.call(in("b", 30, 1));
        assertEquals(List.of(new Derived("s", 25, 6, GOOD), new Derived("s", 30, 6, GOOD)), h.call(in("a", 25, 5)));
        // a at 40 bounds the next late sample's effect: s at 50 keeps reading a at 40
        h.call(in("a", 40, 7));
        h.call(in("b", 50, 1));
        assertEquals(List.of(new Derived("s", 27, 101, GOOD), new Derived("s", 30, 101, GOOD)),
                h.call(in("a", 27, 100)));
        assertEquals(8, h.history.data.get("s").lastEntry().getValue()[0]);
    }

    @Test
    void lateness_isJudgedPerFormula_notPerInput() {
        Harness h = new Harness("s", "a + b");
        h.call(in("a", 10, 1));
        h.call(in("b", 30, 1));
        // a at 25 is after a's latest (10), but s already has a value at 30 that read a at 10
        assertEquals(List.of(new Derived("s", 30, 6, GOOD)), h.call(in("a", 25, 5)));
        // b at 20 is late for s too, and ends at b's next sample: s gets values at 20 and at 25, where
        // b had no sample at or before until now
        assertEquals(List.of(new Derived("s", 20, 2, GOOD), new Derived("s", 25, 6, GOOD)), h.call(in("b", 20, 1)));
    }

    @Test
    void lateInput_recalculatesThroughTheWholeDag_andDefinesValuesThatHadAMissingInput() {
        Harness h = new Harness("f", "a + b", "g", "f * 10", "k", "g + f + c");
        h.call(in("a", 10, 1), in("c", 10, 0));
        h.call(in("a", 20, 2));
        h.call(in("a", 30, 3));
        assertTrue(!h.history.data.containsKey("f"), "b was never seen: no f");
        // b's first sample, late: f, g and k become defined from 15 on, at every time of their inputs
        List<Derived> out = h.call(in("b", 15, 100));
        assertEquals(List.of(new Derived("f", 15, 101, GOOD), new Derived("f", 20, 102, GOOD),
                new Derived("f", 30, 103, GOOD), new Derived("g", 15, 1010, GOOD), new Derived("g", 20, 1020, GOOD),
                new Derived("g", 30, 1030, GOOD), new Derived("k", 15, 1111, GOOD), new Derived("k", 20, 1122, GOOD),
                new Derived("k", 30, 1133, GOOD)), out);
        // a late c changes k only: c at 12 holds to the end (no later c), and k has no value at 12 itself
        assertEquals(List.of(new Derived("k", 15, 1112, GOOD), new Derived("k", 20, 1123, GOOD),
                new Derived("k", 30, 1134, GOOD)), h.call(in("c", 12, 1)));
    }

    @Test
    void aLateCall_withSamplesAtOneTimeAcrossInputs_emitsEachFormulaAndTimeOnce() {
        Harness h = new Harness("s", "a + b", "d", "s - b");
        h.call(in("a", 10, 1), in("b", 10, 1));
        h.call(in("a", 50, 1), in("b", 50, 1));
        List<Derived> out = h.call(in("b", 30, 5), in("a", 30, 7), in("a", 20, 2), in("b", 30, 6), in("a", 60, 9));
        assertEquals(List.of(new Derived("s", 20, 3, GOOD), new Derived("s", 30, 13, GOOD),
                new Derived("s", 60, 10, GOOD), new Derived("d", 20, 2, GOOD), new Derived("d", 30, 7, GOOD),
                new Derived("d", 60, 9, GOOD)), out);
        assertEquals(4, h.graph.lateSampleCount(), "every sample of the call before s's frontier");
    }

    @Test
    void primedTimes_setTheFrontier_soAnOlderSampleAfterARestartIsLate() {
        Harness first = new Harness("s", "a + b");
        first.call(in("a", 10, 1), in("b", 10, 1));
        first.call(in("b", 30, 2));
        FormulaGraph g = FormulaGraphTest.graph(FormulaGraphTest.formulas("s", "a + b"), first.history);
        for (int slot = 0; slot < g.slotCount(); slot++) {
            var series = first.history.data.get(g.slotTag(slot));
            var last = series.lastEntry();
            g.prime(slot, last.getKey(), last.getValue()[0], (int) last.getValue()[1]);
        }
        Sink sink = new Sink();
        call(g, sink, in("a", 20, 5));
        assertEquals(List.of(new Derived("s", 20, 6, GOOD), new Derived("s", 30, 7, GOOD)), sink.take());
        assertEquals(1, g.lateSampleCount());
    }

    // ---------------------------------------------------------------- allocation

    @Test
    void inOrderCalls_ofUnsortedBatches_allocateNothing() {
        FormulaGraph g = FormulaGraphTest.graph(FormulaGraphTest.formulas("eff",
                "if(fuel.flow > 0.1, steam.flow * 2.26 / (fuel.flow * 50.0), 0)", "eff.pct", "eff * 100",
                "sum", "fuel.flow + steam.flow + air"), NO_READS);
        int fuel = g.slotOf("fuel.flow");
        int steam = g.slotOf("steam.flow");
        int air = g.slotOf("air");
        double[] sum = new double[1];
        DerivedSink sink = (f, tag, t, v, q) -> sum[0] += v;
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = 0;
        for (int i = 0; i < 220_000; i += 4) {
            if (i == 20_000) {
                before = mx.getCurrentThreadAllocatedBytes();
            }
            g.begin();
            g.input(air, i + 3, 1, GOOD); // out of order within the call: sorted
            g.input(fuel, i + 1, 1 + i % 7, GOOD);
            g.input(steam, i + 1, 2, GOOD);
            g.input(fuel, i, 1 + i % 5, GOOD);
            g.input(steam, i + 3, 3, GOOD);
            g.evaluate(sink);
            g.commit();
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 4_096, "allocated " + allocated + " bytes over 250,000 samples");
        assertTrue(sum[0] > 0);
        assertEquals(0, g.lateSampleCount());
    }

    static void call(FormulaGraph g, DerivedSink sink, In... samples) {
        g.begin();
        for (In x : samples) {
            g.input(g.slotOf(x.tag()), x.t(), x.v(), x.q());
        }
        g.evaluate(sink);
        g.commit();
    }

    static int slotNamed(FormulaGraph g, String tag) {
        for (int slot = 0; slot < g.slotCount(); slot++) {
            if (g.slotTag(slot).equals(tag)) {
                return slot;
            }
        }
        throw new AssertionError("no slot for " + tag);
    }
}
