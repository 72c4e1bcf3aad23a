package io.historian.internal.formula;

import io.historian.FormulaException;
import io.historian.Quality;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.Predicate;

/**
 * The calculated tags: formulas compiled to code, ordered as a DAG, evaluated when a sample of one of
 * their inputs arrives. Internal (public only so that {@code historian-bench} can measure it); the
 * engine is its only user.
 *
 * <pre>{@code
 * Map<String, String> formulas = new LinkedHashMap<>();
 * formulas.put("boiler.eff", "if(fuel.flow > 0.1, steam.flow * 2.26 / (fuel.flow * 50.0), 0)");
 * FormulaGraph graph = new FormulaGraph(formulas, registry::contains, true, Duration.ofMinutes(5), history);
 * int slot = graph.slotOf("fuel.flow");     // cache per tag; -1 when no formula reads it
 * graph.onSample(slot, t, 3.2, Quality.GOOD.code(), sink);
 * }</pre>
 *
 * <p><b>Invariants.</b> Formulas are indexed in topological order (ties broken by the order of the
 * map given to the constructor): a formula's index is greater than that of every formula whose
 * output it reads. Every tag a formula reads or writes has a slot; {@code dependents[slot]} lists,
 * ascending, every formula that depends on the slot directly (as {@code f}) or through other
 * formulas (as {@code ~f}), merged so that each appears once. A sample
 * therefore evaluates exactly those formulas, each at most once, in an order where inputs come first,
 * without looking at any other formula. Within one trigger a formula further down is evaluated only
 * if one of its inputs changed in that trigger (per-slot generation stamps, kept only for slots that
 * have such formulas), so a formula skipped for a missing input does not make its readers re-emit
 * old values. Per formula, the graph keeps the number of inputs never seen, the number of inputs
 * whose quality is not Good, and a time up to which no input can be stale (input times only grow;
 * an output that goes back in time resets it for its readers), so that the common case (all inputs
 * seen, Good and fresh) reads neither the inputs' times nor their qualities.
 *
 * <p><b>Semantics of one evaluation.</b> The derived sample takes the trigger's timestamp; the other
 * inputs contribute their latest values. An input never seen means no result (the formula is
 * skipped and counted in {@link #skippedCount()}). The quality is the worst of the inputs'
 * ({@link Quality#worst(int, int)}); an input older than the staleness limit at the trigger's time
 * makes it at least {@code Uncertain_LastUsableValue}. A Bad input, a division by zero or a NaN or
 * infinite result gives NaN with {@code Bad_CalculationFailed}. A derived output updates its own slot,
 * so formulas that read it see it in the same trigger.
 *
 * <p><b>Late samples.</b> A sample older than its slot's latest does not replace the latest value.
 * The graph recomputes the dependents at the sample's time instead, in a scratch view: the late
 * sample is the value of its slot, each recomputed output the value of its slot, and every other
 * input is fetched from {@link History} at that time (once per input per trigger). Samples in order
 * per tag but out of order across the inputs of one formula are not late: they are evaluated against
 * the other inputs' latest values, as any other sample.
 *
 * <p><b>Thread safety:</b> none inside. The engine calls {@link #onSample} under its write lock, one
 * thread at a time; the sink and the {@link History} are called on that thread. The counters may be
 * read from that thread (or after it has published them, under the same lock).
 *
 * <p><b>Allocation:</b> {@link #onSample} allocates nothing.
 */
public final class FormulaGraph {
    private static final long NEVER = Long.MIN_VALUE;
    private static final int GOOD = Quality.GOOD.code();
    private static final int BAD_CALCULATION_FAILED = Quality.BAD_CALCULATION_FAILED.code();
    private static final int UNCERTAIN_LAST_USABLE = Quality.UNCERTAIN_LAST_USABLE_VALUE.code();

    private final long staleMillis;
    private final History history;
    private final History.SampleHolder holder = new History.SampleHolder();

    // per slot
    private final Map<String, Integer> slots;
    private final String[] slotTag;
    /** Dependents in topological order: f for a direct reader of the slot, ~f for one further down. */
    private final int[][] dependents;
    /** True when the slot has dependents further down, which need the per-trigger change stamps. */
    private final boolean[] indirect;
    private final double[] value;
    private final long[] time;
    private final int[] quality;
    private final long[] changed;
    private final double[] lateValue;
    private final long[] lateTime;
    private final int[] lateQuality;
    private final long[] lateStamp;

    // per formula, in topological order
    private final String[] outputTag;
    private final Map<String, Integer> formulaIndex;
    private final int[] outputSlot;
    private final int[][] inputs;
    private final CompiledFormula[] code;
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
    /** Formulas reading each slot directly, for the bookkeeping above. */
    private final int[][] readers;

    private long generation;
    private long skippedCount;
    private long lateCount;

    /**
     * Parses, checks and compiles the formulas.
     *
     * @param formulas output tag to expression; the iteration order breaks ties in the evaluation order
     * @param knownTag tells whether a tag exists (in the registry, or from a source)
     * @param strict when true, a formula that references a tag that is neither known nor the output of
     *     a formula is an error; when false such a tag is an ordinary input that has not been seen yet
     * @param staleness an input older than this at the time of the trigger makes the result Uncertain
     * @param history where late samples look up the other inputs' past values
     * @throws FormulaException for a formula that does not parse or compile, an unknown tag in strict
     *     mode, or a cycle (naming every formula in it)
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

        // parse, in the caller's order
        int n = formulas.size();
        String[] names = new String[n];
        String[] texts = new String[n];
        Node[] trees = new Node[n];
        Map<String, Integer> byName = new HashMap<>();
        int i = 0;
        for (Map.Entry<String, String> e : formulas.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "formula output tag");
            String text = Objects.requireNonNull(e.getValue(), () -> "expression of formula " + name);
            if (name.isEmpty()) {
                throw new FormulaException(name, -1, "formula output tag is empty: " + FormulaParser.excerpt(text, 0));
            }
            names[i] = name;
            texts[i] = text;
            trees[i] = FormulaParser.parse(name, text);
            byName.put(name, i);
            i++;
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

        // dependents: formulas reading each slot directly, closed transitively over outputs in
        // reverse topological order so each output's set is complete before its readers use it
        BitSet[] direct = new BitSet[slotCount];
        for (int r = 0; r < n; r++) {
            for (int s : inputs[r]) {
                if (direct[s] == null) {
                    direct[s] = new BitSet(n);
                }
                direct[s].set(r);
            }
        }
        BitSet[] closure = new BitSet[n];
        for (int r = n - 1; r >= 0; r--) {
            BitSet readers = direct[outputSlot[r]];
            BitSet all = new BitSet(n);
            if (readers != null) {
                all.or(readers);
                for (int d = readers.nextSetBit(0); d >= 0; d = readers.nextSetBit(d + 1)) {
                    all.or(closure[d]);
                }
            }
            closure[r] = all;
        }
        dependents = new int[slotCount][];
        indirect = new boolean[slotCount];
        for (int s = 0; s < slotCount; s++) {
            BitSet readers = direct[s];
            if (readers == null) {
                dependents[s] = new int[0];
                continue;
            }
            BitSet all = (BitSet) readers.clone();
            for (int d = readers.nextSetBit(0); d >= 0; d = readers.nextSetBit(d + 1)) {
                all.or(closure[d]);
            }
            int[] deps = all.stream().toArray();
            for (int k = 0; k < deps.length; k++) {
                if (!readers.get(deps[k])) {
                    deps[k] = ~deps[k];
                    indirect[s] = true;
                }
            }
            dependents[s] = deps;
        }

        code = FormulaCompiler.compile(outputTag, sortedTrees, slots::get);
        evaluations = new long[n];
        unseen = new int[n];
        notGood = new int[n];
        freshUntil = new long[n];
        Arrays.fill(freshUntil, Long.MIN_VALUE);
        for (int r = 0; r < n; r++) {
            unseen[r] = inputs[r].length;
        }
        readers = new int[slotCount][];
        for (int s = 0; s < slotCount; s++) {
            readers[s] = direct[s] == null ? new int[0] : direct[s].stream().toArray();
        }
        value = new double[slotCount];
        time = new long[slotCount];
        quality = new int[slotCount];
        changed = new long[slotCount];
        lateValue = new double[slotCount];
        lateTime = new long[slotCount];
        lateQuality = new int[slotCount];
        lateStamp = new long[slotCount];
        Arrays.fill(time, NEVER);
        Arrays.fill(value, Double.NaN);
    }

    /**
     * The slot of a tag that formulas read, to pass to {@link #onSample}; -1 when no formula reads it,
     * in which case the engine need not call the graph for it. Stable for the graph's life.
     */
    public int slotOf(String tag) {
        Integer s = slots.get(tag);
        return s == null || dependents[s].length == 0 ? -1 : s;
    }

    /**
     * Feeds one sample and evaluates every formula that depends on it, in topological order.
     *
     * @param slot from {@link #slotOf(String)}
     * @param epochMillis the sample's time; older than the slot's latest makes it a late sample
     * @param sampleValue the sample's value
     * @param qualityCode the sample's OPC UA status code
     * @param sink receives each derived sample
     */
    public void onSample(int slot, long epochMillis, double sampleValue, int qualityCode, DerivedSink sink) {
        long previous = time[slot];
        if (epochMillis < previous) {
            late(slot, epochMillis, sampleValue, qualityCode, sink);
            return;
        }
        value[slot] = sampleValue;
        time[slot] = epochMillis;
        if (previous == NEVER) {
            seenFirst(slot);
        }
        if ((quality[slot] == GOOD) != (qualityCode == GOOD)) {
            goodnessChanged(slot, qualityCode != GOOD);
        }
        quality[slot] = qualityCode;
        // Stamps are only needed when a formula further down must tell whether its inputs changed.
        long gen = 0;
        if (indirect[slot]) {
            gen = ++generation;
            changed[slot] = gen;
        }
        for (int d : dependents[slot]) {
            if (d >= 0) {
                run(d, epochMillis, gen, sink);
            } else if (changedIn(inputs[~d], gen)) {
                run(~d, epochMillis, gen, sink);
            }
        }
    }

    /**
     * Restores a tag's latest sample without evaluating anything, if it is newer than what the
     * slot holds: the engine primes every slot from the store when it opens, so formulas carry on
     * after a restart with the inputs' last values instead of waiting for every input again.
     */
    public void prime(int slot, long epochMillis, double sampleValue, int qualityCode) {
        long previous = time[slot];
        if (previous != NEVER && epochMillis <= previous) {
            return;
        }
        value[slot] = sampleValue;
        time[slot] = epochMillis;
        if (previous == NEVER) {
            seenFirst(slot);
        }
        if ((quality[slot] == GOOD) != (qualityCode == GOOD)) {
            goodnessChanged(slot, qualityCode != GOOD);
        }
        quality[slot] = qualityCode;
        recheckStaleness(slot);
    }

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

    private boolean changedIn(int[] in, long gen) {
        for (int s : in) {
            if (changed[s] == gen) {
                return true;
            }
        }
        return false;
    }

    /** Evaluates formula f on the latest values; the hot path. */
    private void run(int f, long epochMillis, long gen, DerivedSink sink) {
        if (unseen[f] != 0) {
            skippedCount++;
            return;
        }
        boolean stale = epochMillis > freshUntil[f] && checkStale(f, epochMillis);
        int q = notGood[f] != 0 || stale ? worstQuality(inputs[f], quality, stale) : GOOD;
        double r = q == GOOD || Quality.severity(q) < 2 ? code[f].evaluate(value) : Double.NaN;
        if (r - r != 0) { // NaN or infinite, Bad input included
            r = Double.NaN;
            q = BAD_CALCULATION_FAILED;
        }
        int out = outputSlot[f];
        value[out] = r;
        if ((quality[out] == GOOD) != (q == GOOD)) {
            goodnessChanged(out, q != GOOD);
        }
        quality[out] = q;
        long previous = time[out];
        time[out] = epochMillis;
        if (previous == NEVER) {
            seenFirst(out);
        } else if (epochMillis < previous) {
            recheckStaleness(out);
        }
        evaluations[f]++;
        if (gen != 0) {
            changed[out] = gen;
        }
        sink.derived(f, outputTag[f], epochMillis, r, q);
    }

    /** Recomputes freshUntil[f]; true when an input is older than the limit at epochMillis. */
    private boolean checkStale(int f, long epochMillis) {
        long oldest = Long.MAX_VALUE;
        for (int s : inputs[f]) {
            oldest = Math.min(oldest, time[s]);
        }
        long until = oldest > Long.MAX_VALUE - staleMillis ? Long.MAX_VALUE : oldest + staleMillis;
        freshUntil[f] = until;
        return epochMillis > until;
    }

    private void seenFirst(int slot) {
        for (int f : readers[slot]) {
            unseen[f]--;
        }
    }

    private void goodnessChanged(int slot, boolean nowNotGood) {
        for (int f : readers[slot]) {
            notGood[f] += nowNotGood ? 1 : -1;
        }
    }

    /** An output went back in time (inputs out of order across tags): its readers must re-check. */
    private void recheckStaleness(int slot) {
        for (int f : readers[slot]) {
            freshUntil[f] = Long.MIN_VALUE;
        }
    }

    /**
     * Evaluates formula f over the given view and stores the result in its output slot of that view.
     * A NaN check on the result is cheaper than checking every operation: NaN propagates.
     */
    private void evaluate(int f, double[] v, int[] in, int[] qs, int anyQuality, boolean stale) {
        int q = GOOD;
        if (anyQuality != 0 || stale) {
            q = worstQuality(in, qs, stale);
        }
        double r;
        if (Quality.severity(q) >= 2) {
            r = Double.NaN;
            q = BAD_CALCULATION_FAILED;
        } else {
            r = code[f].evaluate(v);
            if (r - r != 0) { // NaN or infinite
                r = Double.NaN;
                q = BAD_CALCULATION_FAILED;
            }
        }
        int out = outputSlot[f];
        v[out] = r;
        qs[out] = q;
        evaluations[f]++;
    }

    private static int worstQuality(int[] in, int[] qs, boolean stale) {
        int q = GOOD;
        for (int s : in) {
            q = Quality.worst(q, qs[s]);
        }
        return stale ? Quality.worst(q, UNCERTAIN_LAST_USABLE) : q;
    }

    private void late(int slot, long epochMillis, double sampleValue, int qualityCode, DerivedSink sink) {
        int[] deps = dependents[slot];
        if (deps.length == 0) {
            return;
        }
        lateCount++;
        long gen = ++generation;
        lateStamp[slot] = gen;
        lateValue[slot] = sampleValue;
        lateTime[slot] = epochMillis;
        lateQuality[slot] = qualityCode;
        changed[slot] = gen;
        for (int d : deps) {
            int f = d >= 0 ? d : ~d;
            int[] in = inputs[f];
            boolean fresh = false;
            for (int s : in) {
                fresh |= changed[s] == gen;
            }
            if (!fresh) {
                continue;
            }
            boolean missing = false;
            boolean stale = false;
            int anyQuality = 0;
            for (int s : in) {
                if (lateStamp[s] != gen) {
                    lateStamp[s] = gen;
                    if (history.sampleAtOrBefore(slotTag[s], s, epochMillis, holder)) {
                        lateValue[s] = holder.value;
                        lateTime[s] = holder.epochMillis;
                        lateQuality[s] = holder.qualityCode;
                    } else {
                        lateValue[s] = Double.NaN;
                        lateTime[s] = NEVER;
                        lateQuality[s] = Quality.BAD_NO_DATA.code();
                    }
                }
                long t = lateTime[s];
                missing |= t == NEVER;
                stale |= epochMillis - t > staleMillis;
                anyQuality |= lateQuality[s];
            }
            if (missing) {
                skippedCount++;
                continue;
            }
            int out = outputSlot[f];
            evaluate(f, lateValue, in, lateQuality, anyQuality, stale);
            lateTime[out] = epochMillis;
            lateStamp[out] = gen;
            changed[out] = gen;
            sink.derived(f, outputTag[f], epochMillis, lateValue[out], lateQuality[out]);
        }
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

    /** Evaluations of all formulas since construction (each result, Good or Bad, counts once). */
    public long evaluationCount() {
        long sum = 0;
        for (long e : evaluations) {
            sum += e;
        }
        return sum;
    }

    /** Evaluations of one formula since construction; -1 when no formula writes that tag. */
    public long evaluationCount(String outputTag) {
        int i = formulaIndex(outputTag);
        return i < 0 ? -1 : evaluations[i];
    }

    /** Formulas skipped because an input had never been seen (or had no history at a late time). */
    public long skippedCount() {
        return skippedCount;
    }

    /** Late samples that triggered a recomputation at their own time. */
    public long lateSampleCount() {
        return lateCount;
    }

    /** How many formulas a sample of this tag evaluates at most (its transitive dependents). */
    public int dependentCount(String tag) {
        int s = slotOf(tag);
        return s < 0 ? 0 : dependents[s].length;
    }

    // ---------------------------------------------------------------- construction

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
