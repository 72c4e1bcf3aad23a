package io.historian.internal.formula;

import io.historian.FormulaException;
import io.historian.Quality;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * The calculated tags: formulas compiled to code, ordered as a DAG, evaluated once per write call
 * for every timestamp at which one of their inputs changed. Internal (public only so that
 * {@code historian-bench} can measure it); the engine is its only user.
 *
 * <pre>{@code
 * Map<String, String> formulas = new LinkedHashMap<>();
 * formulas.put("boiler.eff", "if(fuel.flow > 0.1, steam.flow * 2.26 / (fuel.flow * 50.0), 0)");
 * FormulaGraph graph = new FormulaGraph(formulas, registry::contains, true, Duration.ofMinutes(5), history);
 * int fuel = graph.slotOf("fuel.flow");      // cache per tag; -1 when no formula reads it
 * int steam = graph.slotOf("steam.flow");
 * graph.begin();
 * graph.input(fuel, t, 3.2, Quality.GOOD.code());
 * graph.input(steam, t, 120.0, Quality.GOOD.code());
 * graph.evaluate(sink);                      // boiler.eff at t, once
 * journal(...) ? graph.commit() : graph.rollback();
 * }</pre>
 *
 * <p><b>Semantics (the oracle the tests check).</b> For formula f, T(f) is the union of its inputs'
 * timestamps (a raw tag's sample times; a formula output's times are those at which it is defined).
 * f is defined at t in T(f) when every input has a sample at or before t, and its value there is f
 * of each input's latest sample at or before t (stepped). The quality is the worst of those samples'
 * ({@link Quality#worst(int, int)}, in the order the formula first names them); one older than the
 * staleness limit at t makes it at least {@code Uncertain_LastUsableValue}. A Bad input, a division
 * by zero or a NaN or infinite result gives NaN with {@code Bad_CalculationFailed}. After every call,
 * the last value emitted per (output, time) over all committed calls equals this on every input
 * sample given so far, and a call emits at most one sample per (output, time).
 *
 * <p><b>Invariants.</b> Formulas are indexed in topological order (ties broken by the order of the
 * map given to the constructor): a formula's index is greater than that of every formula whose
 * output it reads. Every tag a formula reads or writes has a slot; {@code readers[slot]} lists the
 * formulas reading it directly. Per slot the graph holds the latest sample (the greatest time; a
 * formula output's latest defined time), so slot times only grow. Per formula it holds the
 * <em>frontier</em>, the greatest time in T(f) so far, which always equals the greatest of its
 * inputs' slot times; the number of inputs never seen ({@code unseen}); the number of inputs whose
 * latest quality is not 0 ({@code notGood}); and {@code freshUntil}, a time up to which no input can
 * be stale (valid because input times only grow), so that the common case reads neither the inputs'
 * times nor their qualities.
 *
 * <p><b>Two paths.</b> The samples of a call are stably sorted by time (skipped when already in
 * order) and grouped by timestamp. <em>In order</em>: while every formula a group reaches has its
 * frontier at or before the group's time, the latest values are exactly the inputs' values at that
 * time, so the group sets its slots and each reached formula is evaluated once on the latest values,
 * lowest index first (a {@link FormulaBitQueue}); a formula further down only when one of its inputs
 * changed. This path reads no history and allocates nothing. <em>Late</em>: the first group that
 * reaches a formula whose frontier is after the group's time abandons the in-order pass (restoring
 * what it changed and discarding what it would have emitted) and hands the whole call to
 * {@link Recalculation}, which recomputes, formula by formula, every value the call's samples change
 * (from each sample's time to the next sample of its tag), reading history only for inputs whose
 * latest sample lies inside such a window.
 *
 * <p><b>Transactions.</b> {@link #begin()}, {@link #input}, {@link #evaluate}, then {@link #commit()}
 * or {@link #rollback()}. A slot's old sample is saved before its first change in a call, and a
 * formula's counters before they change ({@code unseen}, {@code notGood} and {@code freshUntil}
 * change rarely); frontiers are not saved, since a rollback recomputes the frontier of every reader
 * of a restored slot from its inputs. So rollback leaves every slot and counter as before
 * {@code begin} (evaluation counters excepted). A call none of whose samples is before the greatest
 * frontier cannot be abandoned and emits as it goes; any other holds its derived samples back until
 * the end of {@code evaluate}, so an abandoned in-order pass emits nothing. {@link #onSample} is a call of one
 * sample; when that sample reaches no frontier after its time it takes a direct path (the old
 * per-sample evaluation, walking the readers) that saves and holds back nothing.
 *
 * <p><b>Thread safety:</b> none inside. The engine calls the graph under its write lock, one thread
 * at a time; the sink and the {@link History} are called on that thread. The counters may be read
 * from that thread (or after it has published them, under the same lock).
 *
 * <p><b>Allocation:</b> the in-order path allocates nothing; scratch arrays grow to the largest call
 * and are kept.
 */
public final class FormulaGraph {
    static final long NEVER = Long.MIN_VALUE;
    static final int GOOD = Quality.GOOD.code();
    static final int BAD_CALCULATION_FAILED = Quality.BAD_CALCULATION_FAILED.code();
    static final int UNCERTAIN_LAST_USABLE = Quality.UNCERTAIN_LAST_USABLE_VALUE.code();

    private static final int IDLE = 0;
    private static final int OPEN = 1;
    private static final int EVALUATED = 2;

    final long staleMillis;
    final History history;

    /**
     * The most formula text one graph takes, all formulas together: 200 formulas of the maximum
     * length, or 20,000 of 100 characters. Checked before parsing, so that an oversized set fails
     * fast instead of spending minutes or the heap in the compiler.
     */
    static final int MAX_TOTAL_CHARS = 2_000_000;
    /**
     * The most tree nodes (numbers, tag references, operators, calls, conditionals) one graph takes,
     * all formulas together; checked after parsing and before any code is generated. The generated
     * code and the build time grow with the nodes, and a node takes at least one character, so this
     * limit bites before {@link #MAX_TOTAL_CHARS} only for formulas denser than 4 characters a node
     * (typical formulas take about 5; terse ones such as {@code a*b+c} fewer).
     */
    static final int MAX_TOTAL_NODES = 500_000;

    // per slot
    private final Map<String, Integer> slots;
    final String[] slotTag;
    /** The formula writing each slot, or -1 for a raw input. */
    private final int[] producer;
    /** Whether a slot takes input samples: no formula writes it and one reads it. */
    private final boolean[] isInput;
    final double[] value;
    final long[] time;
    final int[] quality;

    // per formula, in topological order
    private final String[] outputTag;
    private final Map<String, Integer> formulaIndex;
    final int[] outputSlot;
    final int[][] inputs;
    final CompiledFormula[] code;
    private final long[] evaluations;
    /** Inputs never seen yet; the formula has no result while this is non-zero. */
    private final int[] unseen;
    /** Inputs whose latest quality code is not 0 (Good); when 0 the result is Good unless stale. */
    private final int[] notGood;
    /**
     * The oldest input's time plus the staleness limit, as of the last check: no input can be stale
     * at or before it, because input times only grow. Long.MIN_VALUE forces a check.
     */
    private final long[] freshUntil;
    /** The greatest time in T(f): the greatest of the inputs' slot times. */
    final long[] frontier;
    /**
     * At least the greatest frontier: a sample at or after it cannot be late for any formula, which
     * makes the common check O(1).
     */
    private long maxFrontier = NEVER;
    /** Formulas reading each slot directly. */
    final int[][] readers;

    long skippedCount;
    private long failedCount;
    long lateCount;

    // ---------------------------------------------------------------- the current write call
    private int phase = IDLE;
    /** Stamp of the current call (and of each restart within it); a slot or formula stamped with it has been saved. */
    private long call;
    private final long[] slotSaved;
    private final long[] formulaSaved;
    private final FormulaBitQueue due;
    private Recalculation recalculation;
    /** The quality of the last {@link #resultOnLatest}. */
    private int resultQuality;

    /** The call's input samples, in call order until sorted by time. */
    int inputCount;
    int[] inSlot = new int[16];
    long[] inTime = new long[16];
    double[] inValue = new double[16];
    int[] inQuality = new int[16];
    private boolean inOrder;
    private int[] sortIndex = new int[16];
    private int[] sortScratch = new int[16];
    private int[] altSlot = new int[16];
    private long[] altTime = new long[16];
    private double[] altValue = new double[16];
    private int[] altQuality = new int[16];

    /** Undo log: old states of the slots and formulas changed in this call. */
    private int savedSlots;
    private int[] undoSlot = new int[16];
    private double[] undoValue = new double[16];
    private long[] undoTime = new long[16];
    private int[] undoQuality = new int[16];
    private int savedFormulas;
    private int[] undoFormula = new int[16];
    private int[] undoUnseen = new int[16];
    private int[] undoNotGood = new int[16];
    private long[] undoFresh = new long[16];
    private long skippedBefore;
    private long lateBefore;
    private long maxFrontierBefore;
    /** The earliest input time of the call. */
    private long minInputTime;
    /** Where the in-order pass emits when it cannot be abandoned; null to hold samples back. */
    private DerivedSink passSink;

    /** Derived samples of the call, emitted at the end of {@link #evaluate}. */
    private int emitted;
    private int[] emitFormula = new int[16];
    private long[] emitTime = new long[16];
    private double[] emitValue = new double[16];
    private int[] emitQuality = new int[16];

    /**
     * Parses, checks and compiles the formulas.
     *
     * @param formulas output tag to expression; the iteration order breaks ties in the evaluation order
     * @param knownTag tells whether a tag exists (in the registry, or from a source)
     * @param strict when true, a formula that references a tag that is neither known nor the output of
     *     a formula is an error; when false such a tag is an ordinary input that has not been seen yet
     * @param staleness an input older than this at the time of an evaluation makes the result Uncertain
     * @param history where recalculations read the inputs' past values
     * @throws FormulaException for a formula that does not parse or compile, an unknown tag in strict
     *     mode, a cycle (naming every formula in it), or formulas over {@link #MAX_TOTAL_CHARS} or
     *     {@link #MAX_TOTAL_NODES} together
     */
    public FormulaGraph(Map<String, String> formulas, Predicate<String> knownTag, boolean strict,
            Duration staleness, History history) {
        Objects.requireNonNull(formulas, "formulas");
        Objects.requireNonNull(knownTag, "knownTag");
        Objects.requireNonNull(staleness, "staleness");
        this.history = Objects.requireNonNull(history, "history");
        if (staleness.isNegative() || staleness.isZero()) {
            throw new IllegalArgumentException("staleness must be positive: " + staleness);
        }
        this.staleMillis = staleness.toMillis();

        int n = formulas.size();
        String[] names = new String[n];
        String[] texts = new String[n];
        Map<String, Integer> byName = new HashMap<>();
        int i = 0;
        long totalChars = 0;
        for (Map.Entry<String, String> e : formulas.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "formula output tag");
            String text = Objects.requireNonNull(e.getValue(), () -> "expression of formula " + name);
            if (name.isEmpty()) {
                throw new FormulaException(name, -1, "formula output tag is empty: " + FormulaParser.excerpt(text, 0));
            }
            names[i] = name;
            texts[i] = text;
            totalChars += text.length();
            byName.put(name, i);
            i++;
        }
        if (totalChars > MAX_TOTAL_CHARS) {
            throw overBudget(names, k -> texts[k].length(), "characters", totalChars, MAX_TOTAL_CHARS);
        }

        // parse, in the caller's order, on a stack that fits the deepest legal formula
        Node[] trees = FormulaBuildThread.call(() -> {
            Node[] parsed = new Node[n];
            for (int k = 0; k < n; k++) {
                parsed[k] = FormulaParser.parse(names[k], texts[k]);
            }
            return parsed;
        });
        long totalNodes = 0;
        for (Node tree : trees) {
            totalNodes += tree.size;
        }
        if (totalNodes > MAX_TOTAL_NODES) {
            throw overBudget(names, k -> trees[k].size, "nodes", totalNodes, MAX_TOTAL_NODES);
        }

        // references, unknown tags and the "reads" edges between formulas
        List<LinkedHashMap<String, Integer>> refs = new ArrayList<>(n);
        int[][] reads = new int[n][];
        for (i = 0; i < n; i++) {
            LinkedHashMap<String, Integer> r = new LinkedHashMap<>();
            collectRefs(trees[i], r);
            refs.add(r);
            int[] edges = new int[r.size()];
            int k = 0;
            for (Map.Entry<String, Integer> ref : r.entrySet()) {
                Integer producer = byName.get(ref.getKey());
                if (producer != null) {
                    edges[k++] = producer;
                } else if (strict && !knownTag.test(ref.getKey())) {
                    throw FormulaParser.error(names[i], texts[i], ref.getValue(),
                            "unknown tag '" + FormulaParser.printable(ref.getKey()) + "'");
                }
            }
            reads[i] = Arrays.copyOf(edges, k);
        }

        int[] order = topologicalOrder(names, reads);

        // renumber formulas in topological order and give every tag a slot
        int[] rank = new int[n];
        for (int r = 0; r < n; r++) {
            rank[order[r]] = r;
        }
        outputTag = new String[n];
        formulaIndex = new HashMap<>();
        Node[] sortedTrees = new Node[n];
        slots = new HashMap<>();
        List<String> tags = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            outputTag[r] = names[order[r]];
            formulaIndex.put(outputTag[r], r);
            sortedTrees[r] = trees[order[r]];
            slot(outputTag[r], tags);
        }
        outputSlot = new int[n];
        inputs = new int[n][];
        for (int r = 0; r < n; r++) {
            outputSlot[r] = slots.get(outputTag[r]);
            int[] in = new int[refs.get(order[r]).size()];
            int k = 0;
            for (String tag : refs.get(order[r]).keySet()) {
                in[k++] = slot(tag, tags);
            }
            inputs[r] = in;
        }
        slotTag = tags.toArray(new String[0]);
        int slotCount = slotTag.length;
        producer = new int[slotCount];
        Arrays.fill(producer, -1);
        for (int r = 0; r < n; r++) {
            producer[outputSlot[r]] = r;
        }

        // readers: the formulas reading each slot directly, ascending (filled in index order). Only
        // direct edges are kept, so memory is linear in the formulas' references; what a sample
        // reaches further down is found by walking them (see onSampleInOrder).
        int[] readerCount = new int[slotCount];
        for (int r = 0; r < n; r++) {
            for (int s : inputs[r]) {
                readerCount[s]++;
            }
        }
        readers = new int[slotCount][];
        for (int s = 0; s < slotCount; s++) {
            readers[s] = new int[readerCount[s]];
        }
        int[] fill = new int[slotCount];
        for (int r = 0; r < n; r++) {
            for (int s : inputs[r]) { // a formula's inputs are distinct slots, so each reader once
                readers[s][fill[s]++] = r;
            }
        }

        Map<String, Integer> slotMap = slots;
        code = FormulaBuildThread.call(() -> FormulaCompiler.compile(outputTag, sortedTrees, slotMap::get));
        evaluations = new long[n];
        unseen = new int[n];
        notGood = new int[n];
        freshUntil = new long[n];
        frontier = new long[n];
        Arrays.fill(freshUntil, Long.MIN_VALUE);
        Arrays.fill(frontier, NEVER);
        for (int r = 0; r < n; r++) {
            unseen[r] = inputs[r].length;
        }
        value = new double[slotCount];
        time = new long[slotCount];
        quality = new int[slotCount];
        Arrays.fill(time, NEVER);
        Arrays.fill(value, Double.NaN);
        isInput = new boolean[slotCount];
        for (int sl = 0; sl < slotCount; sl++) {
            isInput[sl] = producer[sl] < 0 && readers[sl].length != 0;
        }
        slotSaved = new long[slotCount];
        formulaSaved = new long[n];
        due = new FormulaBitQueue(n);
    }

    /**
     * The slot of a tag that formulas read, to pass to {@link #input}; -1 when no formula reads it,
     * in which case the engine need not pass its samples. Stable for the graph's life.
     */
    public int slotOf(String tag) {
        Integer s = slots.get(tag);
        return s == null || readers[s].length == 0 ? -1 : s;
    }

    // ---------------------------------------------------------------- write calls

    /**
     * Starts a write call. Everything the call changes is saved first, so that {@link #rollback()}
     * can restore it.
     *
     * @throws IllegalStateException when a call is open (neither committed nor rolled back)
     */
    public void begin() {
        if (phase != IDLE) {
            throw new IllegalStateException("a formula write call is already open; commit or roll it back first");
        }
        phase = OPEN;
        call++;
        inputCount = 0;
        inOrder = true;
        savedSlots = 0;
        savedFormulas = 0;
        emitted = 0;
        skippedBefore = skippedCount;
        lateBefore = lateCount;
        maxFrontierBefore = maxFrontier;
        minInputTime = Long.MAX_VALUE;
    }

    /**
     * Adds an input sample to the call. Samples may come in any order; at equal (slot, time) the later
     * one wins. Pass only the samples the store keeps (see the engine's duplicate policy).
     *
     * @param slot from {@link #slotOf(String)}; a slot that a formula writes is not an input
     * @param epochMillis the sample's time
     * @param sampleValue the sample's value
     * @param qualityCode the sample's OPC UA status code
     */
    public void input(int slot, long epochMillis, double sampleValue, int qualityCode) {
        if (phase != OPEN) {
            throw new IllegalStateException(phase == IDLE ? "no formula write call is open; call begin() first"
                    : "the formula write call was already evaluated");
        }
        if (!isInput(slot)) {
            throw new IllegalArgumentException("not an input slot: " + slot + (slot >= 0 && slot < slotTag.length
                    ? " [tag=" + slotTag[slot] + (producer[slot] >= 0 ? ", written by a formula]" : ", read by no formula]")
                    : " [slots=" + slotTag.length + "]"));
        }
        if (epochMillis == NEVER || epochMillis == Long.MAX_VALUE) {
            throw new IllegalArgumentException("timestamp out of range: " + epochMillis);
        }
        int i = inputCount;
        if (i == inSlot.length) {
            growInputs();
        }
        if (i > 0 && epochMillis < inTime[i - 1]) {
            inOrder = false;
        }
        if (epochMillis < minInputTime) {
            minInputTime = epochMillis;
        }
        inSlot[i] = slot;
        inTime[i] = epochMillis;
        inValue[i] = sampleValue;
        inQuality[i] = qualityCode;
        inputCount = i + 1;
    }

    /**
     * Evaluates the call: emits, once per (formula, time), every derived sample that the call's inputs
     * create or change. Reads history only when a sample is late for a formula it reaches.
     *
     * @param sink receives the derived samples; it must not call back into the graph
     */
    public void evaluate(DerivedSink sink) {
        Objects.requireNonNull(sink, "sink");
        if (phase != OPEN) {
            throw new IllegalStateException(phase == IDLE ? "no formula write call is open; call begin() first"
                    : "the formula write call was already evaluated");
        }
        phase = EVALUATED;
        if (inputCount == 0) {
            return;
        }
        if (!inOrder) {
            sortInputsByTime();
        }
        // When no sample of the call is before any frontier the pass cannot be abandoned, so it
        // emits as it goes; otherwise it holds its samples back until it has finished.
        passSink = minInputTime >= maxFrontier ? sink : null;
        boolean finished;
        try {
            finished = inOrderPass();
        } finally {
            passSink = null;
        }
        if (!finished) {
            due.clear();
            undo();
            if (recalculation == null) {
                recalculation = new Recalculation(this);
            }
            recalculation.run();
        }
        for (int i = 0; i < emitted; i++) {
            int f = emitFormula[i];
            evaluations[f]++;
            sink.derived(f, outputTag[f], emitTime[i], emitValue[i], emitQuality[i]);
        }
    }

    /**
     * Keeps what the call changed: its samples were journaled.
     *
     * @throws IllegalStateException when no call was evaluated
     */
    public void commit() {
        if (phase != EVALUATED) {
            throw new IllegalStateException(phase == IDLE ? "no formula write call is open"
                    : "the formula write call was not evaluated");
        }
        phase = IDLE;
        savedSlots = 0;
        savedFormulas = 0;
    }

    /**
     * Undoes the call: the graph is as it was before {@link #begin()} (evaluation counters excepted).
     * Valid after {@code begin}, whether or not the call was evaluated, and after {@link #evaluate}
     * threw.
     *
     * @throws IllegalStateException when no call is open
     */
    public void rollback() {
        if (phase == IDLE) {
            throw new IllegalStateException("no formula write call is open");
        }
        due.clear();
        undo();
        phase = IDLE;
    }

    /**
     * Feeds one sample as a call of its own (begin, input, evaluate, commit): the sink receives each
     * derived sample. For tests and benchmarks; the engine passes whole calls.
     *
     * <p>When no formula the sample can reach has its frontier after the sample's time, the in-order
     * pass cannot be abandoned and there is nothing to roll back, so the sample takes a direct path
     * that saves nothing and emits as it goes (a sink that throws then leaves the graph as far as it
     * got, as it would have before write calls existed).
     */
    public void onSample(int slot, long epochMillis, double sampleValue, int qualityCode, DerivedSink sink) {
        if (phase == IDLE && slot >= 0 && slot < isInput.length && isInput[slot] && epochMillis != NEVER
                && epochMillis != Long.MAX_VALUE && sink != null
                && (epochMillis >= maxFrontier || reachesNoFrontierAfter(slot, epochMillis))) {
            onSampleInOrder(slot, epochMillis, sampleValue, qualityCode, sink);
        } else {
            onSampleAsCall(slot, epochMillis, sampleValue, qualityCode, sink);
        }
    }

    private void onSampleAsCall(int slot, long epochMillis, double sampleValue, int qualityCode, DerivedSink sink) {
        begin();
        boolean done = false;
        try {
            input(slot, epochMillis, sampleValue, qualityCode);
            evaluate(sink);
            done = true;
        } finally {
            if (done) {
                commit();
            } else {
                rollback();
            }
        }
    }

    private boolean isInput(int slot) {
        return slot >= 0 && slot < isInput.length && isInput[slot];
    }

    /**
     * Whether no formula a sample of the slot can reach, directly or further down, has its frontier
     * after t. Walks the readers lowest index first with the (idle, hence empty) due queue, which
     * visits each reachable formula once.
     */
    private boolean reachesNoFrontierAfter(int slot, long t) {
        for (int f : readers[slot]) {
            due.mark(f);
        }
        for (int f = due.poll(); f >= 0; f = due.poll()) {
            if (t < frontier[f]) {
                due.clear();
                return false;
            }
            for (int r : readers[outputSlot[f]]) {
                due.mark(r);
            }
        }
        return true;
    }

    /**
     * The in-order path for one sample, outside any call: the slot's readers and, further down, the
     * readers of every output that changed, each once and in topological order (the due queue polls
     * the lowest index first, and a formula only marks readers with higher indices).
     */
    private void onSampleInOrder(int slot, long t, double v, int q, DerivedSink sink) {
        setSlot(slot, t, v, q);
        if (t > maxFrontier) {
            maxFrontier = t; // the slot's readers take t as their frontier
        }
        for (int f : readers[slot]) {
            due.mark(f);
        }
        try {
            for (int f = due.poll(); f >= 0; f = due.poll()) {
                if (runDirect(f, t, sink)) {
                    for (int r : readers[outputSlot[f]]) {
                        due.mark(r);
                    }
                }
            }
        } finally {
            due.clear(); // a sink that threw leaves marks the next call must not see
        }
    }

    /** One formula of {@link #onSampleInOrder}: at t, on the latest values; false when it has no result. */
    private boolean runDirect(int f, long t, DerivedSink sink) {
        frontier[f] = t;
        if (unseen[f] != 0) {
            skippedCount++;
            return false;
        }
        double r = resultOnLatest(f, t);
        int rq = resultQuality;
        setSlot(outputSlot[f], t, r, rq);
        evaluations[f]++;
        sink.derived(f, outputTag[f], t, r, rq);
        return true;
    }

    /**
     * Restores a tag's latest sample without evaluating anything, if it is newer than what the
     * slot holds: the engine primes every slot (formula outputs included) from the store when it
     * opens, so formulas carry on after a restart with the inputs' last values instead of waiting for
     * every input again, and samples older than a primed time count as late.
     */
    public void prime(int slot, long epochMillis, double sampleValue, int qualityCode) {
        if (phase != IDLE) {
            throw new IllegalStateException("cannot prime during a formula write call");
        }
        long previous = time[slot];
        if (previous != NEVER && epochMillis <= previous) {
            return;
        }
        for (int f : readers[slot]) {
            frontier[f] = Math.max(frontier[f], epochMillis);
            freshUntil[f] = Long.MIN_VALUE;
            maxFrontier = Math.max(maxFrontier, epochMillis);
        }
        setSlot(slot, epochMillis, sampleValue, qualityCode);
    }

    // ---------------------------------------------------------------- the in-order path

    /**
     * Evaluates the call group by group on the latest values; false as soon as a group reaches a
     * formula whose frontier is after the group's time (the caller then undoes what this did).
     */
    private boolean inOrderPass() {
        int n = inputCount;
        int[] slotOf = inSlot;
        long[] timeOf = inTime;
        int i = 0;
        while (i < n) {
            long t = timeOf[i];
            do {
                if (!advance(slotOf[i], t, inValue[i], inQuality[i])) {
                    return false;
                }
                i++;
            } while (i < n && timeOf[i] == t);
            if (t > maxFrontier) {
                maxFrontier = t; // the group's readers take t as their frontier
            }
            for (int f = due.poll(); f >= 0; f = due.poll()) {
                if (!evaluateLatest(f, t)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Sets a slot's latest sample to one at t, which must not be before any reader's frontier, and
     * marks its readers due; false when it is (the caller undoes the partial change).
     */
    private boolean advance(int slot, long t, double v, int q) {
        saveSlot(slot); // first: an undo recomputes the frontiers of its readers
        for (int f : readers[slot]) {
            if (t < frontier[f]) {
                return false;
            }
            frontier[f] = t; // not saved: a rollback recomputes it from the restored slots
            due.mark(f);
        }
        writeSlot(slot, t, v, q);
        return true;
    }

    /** Evaluates formula f at t on the latest values; false when its output is late for a reader. */
    private boolean evaluateLatest(int f, long t) {
        if (unseen[f] != 0) {
            skippedCount++;
            return true;
        }
        double r = resultOnLatest(f, t);
        int q = resultQuality;
        if (!advance(outputSlot[f], t, r, q)) {
            return false;
        }
        emit(f, t, r, q);
        return true;
    }

    /** Formula f at t on the latest values, every input seen; the quality goes to resultQuality. */
    private double resultOnLatest(int f, long t) {
        boolean stale = t > freshUntil[f] && checkStale(f, t);
        int q = notGood[f] != 0 || stale ? worstQuality(inputs[f], quality, stale) : GOOD;
        double r = q == GOOD || Quality.severity(q) < 2 ? code[f].evaluate(value) : Double.NaN;
        if (r - r != 0) { // NaN or infinite, Bad input included
            r = Double.NaN;
            q = BAD_CALCULATION_FAILED;
            failedCount++;
        }
        resultQuality = q;
        return r;
    }

    /** Recomputes freshUntil[f]; true when an input is older than the limit at epochMillis. */
    private boolean checkStale(int f, long epochMillis) {
        long oldest = Long.MAX_VALUE;
        for (int s : inputs[f]) {
            oldest = Math.min(oldest, time[s]);
        }
        long until = oldest > Long.MAX_VALUE - staleMillis ? Long.MAX_VALUE : oldest + staleMillis;
        saveFormula(f);
        freshUntil[f] = until;
        return epochMillis > until;
    }

    static int worstQuality(int[] in, int[] qs, boolean stale) {
        int q = GOOD;
        for (int s : in) {
            q = Quality.worst(q, qs[s]);
        }
        return stale ? Quality.worst(q, UNCERTAIN_LAST_USABLE) : q;
    }

    // ---------------------------------------------------------------- state changes, saved first

    /**
     * Sets a slot's latest sample and the bookkeeping of its readers, saving what changes. Slot times
     * only grow: callers pass a time at or after the slot's.
     */
    void writeSlot(int slot, long t, double v, int q) {
        saveSlot(slot);
        setSlot(slot, t, v, q);
    }

    private void setSlot(int slot, long t, double v, int q) {
        long previous = time[slot];
        value[slot] = v;
        time[slot] = t;
        if (previous == NEVER) {
            for (int f : readers[slot]) {
                saveFormula(f);
                unseen[f]--;
            }
        }
        if ((quality[slot] == GOOD) != (q == GOOD)) {
            int delta = q != GOOD ? 1 : -1;
            for (int f : readers[slot]) {
                saveFormula(f);
                notGood[f] += delta;
            }
        }
        quality[slot] = q;
    }

    /** Raises a formula's frontier (the recalculation's final step; restored with the slots). */
    void raiseFrontier(int f, long t) {
        if (t > frontier[f]) {
            frontier[f] = t;
            if (t > maxFrontier) {
                maxFrontier = t;
            }
        }
    }

    private void saveSlot(int s) {
        if (slotSaved[s] == call || phase == IDLE) {
            return;
        }
        slotSaved[s] = call;
        int k = savedSlots;
        if (k == undoSlot.length) {
            int c = k * 2;
            undoSlot = Arrays.copyOf(undoSlot, c);
            undoValue = Arrays.copyOf(undoValue, c);
            undoTime = Arrays.copyOf(undoTime, c);
            undoQuality = Arrays.copyOf(undoQuality, c);
        }
        undoSlot[k] = s;
        undoValue[k] = value[s];
        undoTime[k] = time[s];
        undoQuality[k] = quality[s];
        savedSlots = k + 1;
    }

    private void saveFormula(int f) {
        if (formulaSaved[f] == call || phase == IDLE) {
            return;
        }
        formulaSaved[f] = call;
        int k = savedFormulas;
        if (k == undoFormula.length) {
            int c = k * 2;
            undoFormula = Arrays.copyOf(undoFormula, c);
            undoUnseen = Arrays.copyOf(undoUnseen, c);
            undoNotGood = Arrays.copyOf(undoNotGood, c);
            undoFresh = Arrays.copyOf(undoFresh, c);
        }
        undoFormula[k] = f;
        undoUnseen[k] = unseen[f];
        undoNotGood[k] = notGood[f];
        undoFresh[k] = freshUntil[f];
        savedFormulas = k + 1;
    }

    /** Restores everything saved since begin() and forgets the call's derived samples. */
    private void undo() {
        for (int k = savedSlots - 1; k >= 0; k--) {
            int s = undoSlot[k];
            value[s] = undoValue[k];
            time[s] = undoTime[k];
            quality[s] = undoQuality[k];
        }
        for (int k = savedFormulas - 1; k >= 0; k--) {
            int f = undoFormula[k];
            unseen[f] = undoUnseen[k];
            notGood[f] = undoNotGood[k];
            freshUntil[f] = undoFresh[k];
        }
        // a frontier is the latest of its inputs' times, so it follows the restored slots; only the
        // readers of a changed slot can have moved
        for (int k = 0; k < savedSlots; k++) {
            for (int f : readers[undoSlot[k]]) {
                long max = NEVER;
                for (int s : inputs[f]) {
                    max = Math.max(max, time[s]);
                }
                frontier[f] = max;
            }
        }
        savedSlots = 0;
        savedFormulas = 0;
        skippedCount = skippedBefore;
        lateCount = lateBefore;
        maxFrontier = maxFrontierBefore;
        emitted = 0;
        call++; // what was saved under the old stamp is restored: save again from here
    }

    void emit(int f, long t, double v, int q) {
        if (passSink != null) {
            evaluations[f]++;
            passSink.derived(f, outputTag[f], t, v, q);
            return;
        }
        int i = emitted;
        if (i == emitFormula.length) {
            int c = i * 2;
            emitFormula = Arrays.copyOf(emitFormula, c);
            emitTime = Arrays.copyOf(emitTime, c);
            emitValue = Arrays.copyOf(emitValue, c);
            emitQuality = Arrays.copyOf(emitQuality, c);
        }
        emitFormula[i] = f;
        emitTime[i] = t;
        emitValue[i] = v;
        emitQuality[i] = q;
        emitted = i + 1;
    }

    // ---------------------------------------------------------------- the call's inputs

    private void growInputs() {
        int c = inSlot.length * 2;
        inSlot = Arrays.copyOf(inSlot, c);
        inTime = Arrays.copyOf(inTime, c);
        inValue = Arrays.copyOf(inValue, c);
        inQuality = Arrays.copyOf(inQuality, c);
        altSlot = new int[c];
        altTime = new long[c];
        altValue = new double[c];
        altQuality = new int[c];
        sortIndex = new int[c];
        sortScratch = new int[c];
    }

    /** A stable bottom-up merge sort of the call's samples by time; equal times keep the call order. */
    private void sortInputsByTime() {
        int n = inputCount;
        int[] idx = sortIndex;
        int[] tmp = sortScratch;
        long[] key = inTime;
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        for (int width = 1; width < n; width <<= 1) {
            for (int lo = 0; lo + width < n; lo += width << 1) {
                int mid = lo + width;
                int hi = Math.min(lo + (width << 1), n);
                if (key[idx[mid - 1]] <= key[idx[mid]]) {
                    continue; // the two runs are already in order
                }
                int a = lo;
                int b = mid;
                int o = lo;
                while (a < mid && b < hi) {
                    tmp[o++] = key[idx[b]] < key[idx[a]] ? idx[b++] : idx[a++];
                }
                while (a < mid) {
                    tmp[o++] = idx[a++];
                }
                while (b < hi) {
                    tmp[o++] = idx[b++];
                }
                System.arraycopy(tmp, lo, idx, lo, hi - lo);
            }
        }
        for (int i = 0; i < n; i++) {
            int j = idx[i];
            altSlot[i] = inSlot[j];
            altTime[i] = inTime[j];
            altValue[i] = inValue[j];
            altQuality[i] = inQuality[j];
        }
        int[] s = inSlot;
        inSlot = altSlot;
        altSlot = s;
        long[] t = inTime;
        inTime = altTime;
        altTime = t;
        double[] v = inValue;
        inValue = altValue;
        altValue = v;
        int[] q = inQuality;
        inQuality = altQuality;
        altQuality = q;
        inOrder = true;
    }

    // ---------------------------------------------------------------- accessors and counters

    /** The compiled code of a formula (for measuring it alone). */
    public CompiledFormula compiled(int formula) {
        return code[formula];
    }

    /** The number of slots: every tag a formula reads or writes. */
    public int slotCount() {
        return slotTag.length;
    }

    /** The tag of a slot. */
    public String slotTag(int slot) {
        return slotTag[slot];
    }

    /** The number of formulas. */
    public int formulaCount() {
        return outputTag.length;
    }

    /** The output tag of formula {@code index}, in evaluation (topological) order. */
    public String outputTag(int index) {
        return outputTag[index];
    }

    /** The index of the formula writing that tag, or -1. */
    public int formulaIndex(String outputTag) {
        Integer i = formulaIndex.get(outputTag);
        return i == null ? -1 : i;
    }

    /** Derived samples emitted since construction (rolled-back calls included). */
    public long evaluationCount() {
        long sum = 0;
        for (long e : evaluations) {
            sum += e;
        }
        return sum;
    }

    /** Derived samples one formula emitted since construction; -1 when no formula writes that tag. */
    public long evaluationCount(String outputTag) {
        int i = formulaIndex(outputTag);
        return i < 0 ? -1 : evaluations[i];
    }

    /** Results that came out Bad_CalculationFailed (NaN, an infinity, or a Bad input), rolled-back calls included. */
    public long failedCount() {
        return failedCount;
    }

    /** (Formula, time) pairs with no result because an input had no sample at or before the time. */
    public long skippedCount() {
        return skippedCount;
    }

    /** Input samples that were before the frontier of a formula reading them, and so recalculated it. */
    public long lateSampleCount() {
        return lateCount;
    }

    /**
     * How many formulas a sample of this tag evaluates at most (its transitive dependents). Walks
     * the graph on each call, with a queue of its own so that it touches no state of a write call.
     */
    public int dependentCount(String tag) {
        int s = slotOf(tag);
        if (s < 0) {
            return 0;
        }
        FormulaBitQueue walk = new FormulaBitQueue(outputTag.length);
        for (int f : readers[s]) {
            walk.mark(f);
        }
        int count = 0;
        for (int f = walk.poll(); f >= 0; f = walk.poll()) {
            count++;
            for (int r : readers[outputSlot[f]]) {
                walk.mark(r);
            }
        }
        return count;
    }

    /** Every observable state, exactly (value bits included), for tests of rollback. */
    String describeState() {
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < slotTag.length; s++) {
            sb.append(slotTag[s]).append('=').append(Long.toHexString(Double.doubleToRawLongBits(value[s])))
                    .append('@').append(time[s]).append('/').append(Integer.toHexString(quality[s])).append(' ');
        }
        for (int f = 0; f < outputTag.length; f++) {
            sb.append(outputTag[f]).append('{').append(unseen[f]).append(',').append(notGood[f]).append(',')
                    .append(freshUntil[f]).append(',').append(frontier[f]).append("} ");
        }
        return sb.append("skipped=").append(skippedCount).append(" late=").append(lateCount)
                .append(" maxFrontier=").append(maxFrontier).toString();
    }

    // ---------------------------------------------------------------- construction

    /**
     * The error for a set of formulas over a build budget. It names the formula that took the total
     * past the limit (a budget belongs to no single formula, but the exception needs one), the total
     * and the limit.
     */
    private static FormulaException overBudget(String[] names, ToIntFunction<Integer> amount, String unit,
            long total, int limit) {
        String at = names.length > 0 ? names[0] : "?";
        long running = 0;
        for (int k = 0; k < names.length; k++) {
            running += amount.applyAsInt(k);
            if (running > limit) {
                at = names[k];
                break;
            }
        }
        return new FormulaException(at, -1, "formulas too large together: " + total + " " + unit + " in "
                + names.length + " formulas, more than the limit of " + limit + " " + unit
                + " for all formulas of a historian (the limit is passed at formula " + at
                + "); split them across historians or shorten them");
    }

    private int slot(String tag, List<String> tags) {
        Integer s = slots.get(tag);
        if (s == null) {
            s = tags.size();
            slots.put(tag, s);
            tags.add(tag);
        }
        return s;
    }

    /**
     * Tag name to the position of its first reference, in order of appearance. Iterative: operator
     * chains make trees up to {@link FormulaParser#MAX_DEPTH} deep.
     */
    private static void collectRefs(Node root, Map<String, Integer> into) {
        ArrayDeque<Node> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Node node = todo.pop();
            if (node instanceof Node.TagRef ref) {
                into.putIfAbsent(ref.tag, ref.pos);
            } else if (node instanceof Node.Unary u) {
                todo.push(u.operand);
            } else if (node instanceof Node.Binary b) {
                todo.push(b.right);
                todo.push(b.left);
            } else if (node instanceof Node.Conditional c) {
                todo.push(c.otherwise);
                todo.push(c.then);
                todo.push(c.condition);
            } else if (node instanceof Node.Call call) {
                for (int k = call.args.length - 1; k >= 0; k--) {
                    todo.push(call.args[k]);
                }
            }
        }
    }

    /**
     * Kahn's algorithm, taking the lowest ready index first so that independent formulas keep the
     * caller's order. Formulas left over read, directly or not, a formula on a cycle; the cycles are
     * found by walking "reads" edges among them and reported with every member.
     */
    private static int[] topologicalOrder(String[] names, int[][] reads) {
        int n = names.length;
        int[] pending = new int[n];
        int[][] readers = invert(reads, n);
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int f = 0; f < n; f++) {
            pending[f] = reads[f].length;
            if (pending[f] == 0) {
                ready.add(f);
            }
        }
        int[] order = new int[n];
        int done = 0;
        while (!ready.isEmpty()) {
            int f = ready.poll();
            order[done++] = f;
            for (int r : readers[f]) {
                if (--pending[r] == 0) {
                    ready.add(r);
                }
            }
        }
        if (done < n) {
            throw cycles(names, reads, pending);
        }
        return order;
    }

    private static int[][] invert(int[][] reads, int n) {
        int[] count = new int[n];
        for (int[] edges : reads) {
            for (int g : edges) {
                count[g]++;
            }
        }
        int[][] readers = new int[n][];
        for (int g = 0; g < n; g++) {
            readers[g] = new int[count[g]];
        }
        int[] fill = new int[n];
        for (int f = 0; f < n; f++) {
            for (int g : reads[f]) {
                readers[g][fill[g]++] = f;
            }
        }
        return readers;
    }

    private static FormulaException cycles(String[] names, int[][] reads, int[] pending) {
        int n = names.length;
        int[] walk = new int[n]; // 0 unvisited, w+1 visited by walk w
        List<List<String>> found = new ArrayList<>();
        int walks = 0;
        for (int start = 0; start < n; start++) {
            if (pending[start] == 0 || walk[start] != 0) {
                continue;
            }
            int id = ++walks;
            List<Integer> path = new ArrayList<>();
            int f = start;
            while (walk[f] == 0) {
                walk[f] = id;
                path.add(f);
                int next = -1;
                for (int g : reads[f]) {
                    if (pending[g] != 0) { // g is unresolved too: it leads to a cycle
                        next = g;
                        break;
                    }
                }
                f = next;
            }
            if (walk[f] == id) {
                List<String> cycle = new ArrayList<>();
                for (int k = path.indexOf(f); k < path.size(); k++) {
                    cycle.add(names[path.get(k)]);
                }
                found.add(cycle);
            }
        }
        StringBuilder sb = new StringBuilder(found.size() == 1 ? "formula cycle: " : "formula cycles: ");
        List<String> members = new ArrayList<>();
        for (int c = 0; c < found.size(); c++) {
            List<String> cycle = found.get(c);
            if (c > 0) {
                sb.append("; ");
            }
            // A reads B: A's value needs B's first
            for (String name : cycle) {
                sb.append(name).append(" reads ");
            }
            sb.append(cycle.get(0));
            members.addAll(cycle);
        }
        sb.append(" [formulas=").append(String.join(", ", members)).append(']');
        return new FormulaException(members.get(0), -1, sb.toString());
    }
}
