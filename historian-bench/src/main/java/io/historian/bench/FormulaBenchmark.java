package io.historian.bench;

import io.historian.Quality;
import io.historian.internal.formula.CompiledFormula;
import io.historian.internal.formula.DerivedSink;
import io.historian.internal.formula.FormulaGraph;
import io.historian.internal.formula.History;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Calculated tags: samples fed to {@link FormulaGraph} in write calls ({@code begin}, {@code input},
 * {@code evaluate}, {@code commit}), which evaluate the Janino-compiled formulas that depend on them,
 * as the engine does under its write lock. Every workload stays on the in-order path (no history).
 *
 * <p><b>Workloads.</b>
 * <ul>
 *   <li>{@link #oneFormula}: one formula,
 *       {@code if(fuel.flow > 0.1, steam.flow * 2.26 / (fuel.flow * 50.0), 0)}; each sample of
 *       {@code fuel.flow} (values cycling through 0 to 3.9, so both branches run) evaluates it once.
 *       Score: evaluations per second.</li>
 *   <li>{@link #compiledFormulaAlone}: the same formula's compiled code called directly, without
 *       the graph's bookkeeping. Score: evaluations per second.</li>
 *   <li>{@link #dag}: 1,000 formulas over 10,000 input tags, generated from a fixed seed: each reads
 *       1 to 4 inputs and, one time in four, the output of an earlier formula, so chains form.
 *       Every input is fed once in the setup; each invocation then feeds one sample to each of the
 *       10,000 inputs in a shuffled order. Score: input samples per second; the setup prints how
 *       many formulas a sample evaluates on average. Each sample is a call of its own
 *       ({@link FormulaGraph#onSample}), so a formula with two inputs runs twice per pass.</li>
 *   <li>{@link #dagCalls}: the same DAG fed in write calls of {@code batch} samples, all at one
 *       timestamp (a poll of {@code batch} tags) and in the shuffled order; each call has its own
 *       timestamp, after the previous one. A formula runs once per call however many of its inputs
 *       the call holds. Score: input samples per second.</li>
 * </ul>
 *
 * <p><b>Scores:</b> operations per second as above; under {@code -prof gc},
 * {@code gc.alloc.rate.norm} is bytes per operation, which should be 0.
 *
 * <p><b>Run:</b>
 * <pre>
 * java -jar historian-bench/target/benchmarks.jar FormulaBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
@Threads(1)
public class FormulaBenchmark {
    private static final int BATCH = 1024;
    private static final int INPUTS = 10_000;
    private static final int FORMULAS = 1_000;
    private static final int GOOD = Quality.GOOD.code();
    /** Long enough that no input goes stale during a run, so every evaluation takes the same path. */
    private static final Duration STALENESS = Duration.ofDays(365L * 100);
    private static final History NO_HISTORY = (tag, slot, t, into) -> false;

    /** Adds the derived values up so that nothing is optimised away. */
    static final class SumSink implements DerivedSink {
        double sum;

        @Override
        public void derived(int formula, String tag, long epochMillis, double value, int qualityCode) {
            sum += value;
        }
    }

    /**
     * One formula alone. A separate state, so that the DAG's 1,000 formula classes do not make the
     * evaluation call site megamorphic in this fork (in the engine, with many formulas, it is: that
     * is what {@link #dag} measures).
     */
    @State(Scope.Thread)
    public static class OneFormula {
        final SumSink sink = new SumSink();
        FormulaGraph graph;
        int fuelSlot;
        long time;
        double[] values;

        @Setup(Level.Trial)
        public void build() {
            Map<String, String> single = new LinkedHashMap<>();
            single.put("boiler.eff", "if(fuel.flow > 0.1, steam.flow * 2.26 / (fuel.flow * 50.0), 0)");
            graph = new FormulaGraph(single, tag -> true, true, STALENESS, NO_HISTORY);
            fuelSlot = graph.slotOf("fuel.flow");
            graph.onSample(graph.slotOf("steam.flow"), 0, 120.0, GOOD, sink);
            values = new double[graph.slotCount()];
            values[graph.slotOf("steam.flow")] = 120.0;
        }
    }

    /** 1,000 formulas over 10,000 inputs. */
    @State(Scope.Thread)
    public static class Dag {
        final SumSink sink = new SumSink();
        FormulaGraph graph;
        int[] feedOrder;
        long time;

        @Setup(Level.Trial)
        public void build() {
            SplittableRandom r = new SplittableRandom(20261128L);
            Map<String, String> formulas = new LinkedHashMap<>();
            String[] ops = {" + ", " - ", " * ", " / "};
            for (int i = 0; i < FORMULAS; i++) {
                StringBuilder expr = new StringBuilder();
                int terms = 1 + r.nextInt(4);
                for (int k = 0; k < terms; k++) {
                    if (k > 0) {
                        expr.append(ops[r.nextInt(ops.length)]);
                    }
                    expr.append(i > 0 && r.nextInt(4) == 0 ? "calc." + r.nextInt(i) : "plant.in" + r.nextInt(INPUTS));
                }
                formulas.put("calc." + i, "max(" + expr + ", 0) * 0.5");
            }
            long compileStart = System.nanoTime();
            graph = new FormulaGraph(formulas, tag -> true, true, STALENESS, NO_HISTORY);
            long compileMillis = (System.nanoTime() - compileStart) / 1_000_000;
            int[] order = new int[INPUTS];
            for (int i = 0; i < INPUTS; i++) {
                order[i] = graph.slotOf("plant.in" + i); // -1 when no formula reads it: the engine skips those
            }
            for (int i = INPUTS - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
            feedOrder = order;
            feed(this);
            long before = graph.evaluationCount();
            feed(this);
            long evaluated = graph.evaluationCount() - before;
            System.out.printf("%n[setup] %d formulas compiled in %d ms; one pass over %d inputs evaluates %d"
                    + " formulas (%.3f per input sample)%n", FORMULAS, compileMillis, INPUTS, evaluated,
                    evaluated / (double) INPUTS);
        }
    }

    /** The DAG fed in write calls of {@code batch} samples. */
    @State(Scope.Thread)
    public static class DagCalls extends Dag {
        @Param({"1", "100", "10000"})
        int batch;

        @Setup(Level.Trial)
        public void calls() {
            long before = graph.evaluationCount();
            feedCalls(this);
            System.out.printf("[setup] in calls of %d samples, one pass evaluates %d formulas (%.3f per input"
                    + " sample)%n", batch, graph.evaluationCount() - before,
                    (graph.evaluationCount() - before) / (double) INPUTS);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public double oneFormula(OneFormula s) {
        FormulaGraph g = s.graph;
        int slot = s.fuelSlot;
        SumSink sink = s.sink;
        long t = s.time;
        for (int i = 0; i < BATCH; i++) {
            g.onSample(slot, ++t, (i & 31) * 0.125, GOOD, sink);
        }
        s.time = t;
        return sink.sum;
    }

    /**
     * The compiled code of the same formula alone, without the graph's bookkeeping (latest values,
     * quality, staleness): what DESIGN section 13's "one compiled formula" measures.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public double compiledFormulaAlone(OneFormula s) {
        CompiledFormula code = s.graph.compiled(0);
        double[] values = s.values;
        int fuel = s.fuelSlot;
        double sum = 0;
        for (int i = 0; i < BATCH; i++) {
            values[fuel] = (i & 31) * 0.125;
            sum += code.evaluate(values);
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(INPUTS)
    public double dag(Dag s) {
        return feed(s);
    }

    @Benchmark
    @OperationsPerInvocation(INPUTS)
    public double dagCalls(DagCalls s) {
        return feedCalls(s);
    }

    /** One pass over the inputs, in calls of s.batch samples (the inputs no formula reads are skipped, as by the engine). */
    static double feedCalls(DagCalls s) {
        FormulaGraph g = s.graph;
        int[] order = s.feedOrder;
        int batch = s.batch;
        for (int from = 0; from < order.length; from += batch) {
            long t = ++s.time;
            int to = Math.min(order.length, from + batch);
            g.begin();
            for (int i = from; i < to; i++) {
                int slot = order[i];
                if (slot >= 0) {
                    g.input(slot, t, (i & 15) + 1.0, GOOD);
                }
            }
            g.evaluate(s.sink);
            g.commit();
        }
        return s.sink.sum;
    }

    static double feed(Dag s) {
        FormulaGraph g = s.graph;
        long t = ++s.time;
        int[] order = s.feedOrder;
        for (int i = 0; i < order.length; i++) {
            int slot = order[i];
            if (slot >= 0) {
                g.onSample(slot, t, (i & 15) + 1.0, GOOD, s.sink);
            }
        }
        return s.sink.sum;
    }
}
