package io.historian.internal.engine;

import io.historian.DuplicatePolicy;
import io.historian.Sample;
import io.historian.TagDefinition;
import io.historian.internal.formula.DerivedSink;
import io.historian.internal.formula.FormulaGraph;
import io.historian.internal.formula.History;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The calculated tags inside the write path. At open it compiles the formulas and primes them with
 * the stored latest values; for each write call it runs one pass of the graph over the call's
 * samples (each derived value computed once per call and time, late inputs recalculating what
 * they change, see {@link FormulaGraph}) and appends the derived samples after the call's own, so
 * that both go into the call's one journal entry. The pass is committed if the entry was
 * journaled and rolled back if it was refused: the formulas never keep a refused input.
 *
 * <p>The graph sees the samples the store will keep: under {@code KEEP_FIRST}, a sample at a time
 * its tag already has (stored, or earlier in the call) is not an input.
 *
 * <p>When the graph recalculates, it reads the past from the store ({@link History}): the first
 * read of a call waits until the store writer has applied every earlier call.
 *
 * <p><b>Threads:</b> the write path's thread, under the write lock.
 */
final class Derivation {
    private final Settings settings;
    private final TagRegistry registry;
    private final Reads reads;
    private final CallScratch call;
    private final DerivedSink sink = this::derived;
    private final StoreHistory history = new StoreHistory();

    /** The compiled formulas, or null when there are none. */
    private FormulaGraph graph;
    /** Per tag id: whether a formula computes the tag. */
    private boolean[] computed = new boolean[0];
    /** Per tag id: the graph's slot + 2; 0 = not looked up yet, 1 = no formula reads the tag. */
    private int[] slots = new int[0];
    /** Per tag id a formula reads: the newest time journaled (KEEP_FIRST needs no lookup after it). */
    private long[] newest = new long[0];
    /** Per formula index: the output's tag id. */
    private int[] outputIds;
    private int derivedEnd;

    Derivation(Settings settings, TagRegistry registry, Reads reads, CallScratch call) {
        this.settings = settings;
        this.registry = registry;
        this.reads = reads;
        this.call = call;
    }

    boolean active() {
        return graph != null;
    }

    /** Formula results computed since open (read without the write lock: a figure for monitoring). */
    long evaluations() {
        FormulaGraph g = graph;
        return g == null ? 0 : g.evaluationCount();
    }

    /** Formula results that came out Bad_CalculationFailed since open. */
    long failures() {
        FormulaGraph g = graph;
        return g == null ? 0 : g.failedCount();
    }

    /** Whether a formula computes the tag (writes to it are refused). */
    boolean computed(int id) {
        return id < computed.length && computed[id];
    }

    /** The ids of the formulas' output tags that are registered. */
    static Set<Integer> outputIds(Settings settings, TagRegistry registry) {
        Set<Integer> ids = new HashSet<>();
        for (String output : settings.formulas().keySet()) {
            int id = registry.idOf(output);
            if (id >= 0) {
                ids.add(id);
            }
        }
        return ids;
    }

    /**
     * Parses, checks and compiles the formulas, registers their outputs and primes them with the
     * stored latest values. Called once at open, after the replay and before any write, under the
     * write lock; a bad formula fails the open.
     */
    void compile() {
        if (settings.formulas().isEmpty()) {
            return;
        }
        Set<String> declared = new HashSet<>();
        for (TagDefinition d : settings.tags()) {
            declared.add(d.name());
        }
        FormulaGraph g = new FormulaGraph(settings.formulas(),
                tag -> declared.contains(tag) || registry.idOf(tag) >= 0, settings.strictTags(),
                settings.formulaStaleness(), history);
        List<TagDefinition> outputs = new ArrayList<>();
        for (int f = 0; f < g.formulaCount(); f++) {
            if (registry.idOf(g.outputTag(f)) < 0) {
                outputs.add(TagDefinition.of(g.outputTag(f)));
            }
        }
        if (!outputs.isEmpty()) {
            registry.register(outputs, true);
        }
        int[] ids = new int[g.formulaCount()];
        boolean[] isComputed = new boolean[registry.size()];
        for (int f = 0; f < ids.length; f++) {
            ids[f] = registry.idOf(g.outputTag(f));
            isComputed[ids[f]] = true;
        }
        // Formulas carry on from the last stored values (the journal has been replayed by now).
        reads.awaitApplied();
        for (int slot = 0; slot < g.slotCount(); slot++) {
            int id = registry.idOf(g.slotTag(slot));
            if (id >= 0) {
                Optional<Sample> last = reads.previous(id, Long.MAX_VALUE);
                if (last.isPresent()) {
                    Sample x = last.get();
                    g.prime(slot, x.timestamp().toEpochMilli(), x.value(), x.quality().code());
                }
            }
        }
        this.outputIds = ids;
        this.computed = isComputed;
        this.graph = g;
    }

    /**
     * Runs the formulas over the call's {@code n} accepted samples and appends the derived samples
     * after them. Returns the call's new sample count. {@link #commit} or {@link #rollback} follows.
     */
    int derive(int n) {
        if (slots.length < registry.size()) {
            int c = Math.max(registry.size(), slots.length * 2);
            slots = Arrays.copyOf(slots, c);
            int old = newest.length;
            newest = Arrays.copyOf(newest, c);
            Arrays.fill(newest, old, c, Long.MAX_VALUE);
        }
        history.waited = false;
        graph.begin();
        boolean keepFirst = settings.duplicatePolicy() == DuplicatePolicy.KEEP_FIRST;
        Set<CallSample> seen = null;
        for (int i = 0; i < n; i++) {
            int id = call.ids[i];
            int slot = slotOf(id);
            if (slot < 0) {
                continue;
            }
            long ts = call.timestamps[i];
            if (keepFirst) {
                // The store keeps the first sample at a time: a repeat, in the call or of a stored
                // sample, is no input.
                if (seen == null) {
                    seen = new HashSet<>();
                }
                if (!seen.add(new CallSample(id, ts)) || ts <= newestOf(id) && existsInStore(id, ts)) {
                    continue;
                }
            }
            graph.input(slot, ts, call.values[i], call.qualities[i]);
        }
        derivedEnd = n;
        graph.evaluate(sink);
        return derivedEnd;
    }

    private record CallSample(int id, long ts) {
    }

    private int slotOf(int id) {
        int slot = slots[id];
        if (slot == 0) {
            slot = graph.slotOf(registry.definition(id).name()) + 2;
            slots[id] = slot;
        }
        return slot - 2;
    }

    /** The newest time journaled for a formula input, read from the store the first time. */
    private long newestOf(int id) {
        if (newest[id] == Long.MAX_VALUE) {
            history.await();
            newest[id] = reads.previous(id, Long.MAX_VALUE).map(s -> s.timestamp().toEpochMilli())
                    .orElse(Long.MIN_VALUE);
        }
        return newest[id];
    }

    private boolean existsInStore(int id, long ts) {
        history.await();
        Optional<Sample> s = reads.previous(id, ts);
        return s.isPresent() && s.get().timestamp().toEpochMilli() == ts;
    }

    private void derived(int formula, String tag, long epochMillis, double value, int qualityCode) {
        int i = derivedEnd++;
        call.grow(i + 1);
        call.ids[i] = outputIds[formula];
        call.timestamps[i] = epochMillis;
        call.values[i] = value;
        call.qualities[i] = qualityCode;
    }

    /** The call was refused: the formulas forget it. */
    void rollback() {
        if (graph != null) {
            graph.rollback();
        }
    }

    /** The call's {@code n} samples (inputs and outputs) were journaled: the formulas keep them. */
    void commit(int n) {
        if (graph == null) {
            return;
        }
        graph.commit();
        for (int i = 0; i < n; i++) {
            int id = call.ids[i];
            if (id < newest.length && newest[id] != Long.MAX_VALUE && call.timestamps[i] > newest[id]) {
                newest[id] = call.timestamps[i];
            }
        }
    }

    /**
     * The past as the store holds it, for recalculations. The first read of a call waits until the
     * store writer has applied every earlier call; the call's own samples are laid over it by the graph.
     */
    private final class StoreHistory implements History {
        boolean waited;

        void await() {
            if (!waited) {
                reads.awaitApplied();
                waited = true;
            }
        }

        @Override
        public boolean sampleAtOrBefore(String tag, int slot, long epochMillis, SampleHolder into) {
            int id = registry.idOf(tag);
            if (id < 0) {
                return false;
            }
            await();
            try (TagView view = reads.view(id, tag)) {
                return fill(view.previous(epochMillis), into);
            }
        }

        @Override
        public boolean sampleAfter(String tag, int slot, long epochMillis, SampleHolder into) {
            int id = registry.idOf(tag);
            if (id < 0 || epochMillis == Long.MAX_VALUE) {
                return false;
            }
            await();
            try (TagView view = reads.view(id, tag)) {
                return fill(view.next(epochMillis + 1), into);
            }
        }

        @Override
        public void samples(String tag, int slot, long fromInclusive, long toExclusive, SampleConsumer each) {
            int id = registry.idOf(tag);
            if (id < 0 || fromInclusive >= toExclusive) {
                return;
            }
            await();
            try (RawCursor c = new RawCursor(reads.view(id, tag), fromInclusive, toExclusive, null, null)) {
                while (c.next()) {
                    each.accept(c.epochMillis(), c.value(), c.qualityCode());
                }
            }
        }

        private boolean fill(Sample s, SampleHolder into) {
            if (s == null) {
                return false;
            }
            into.set(s.timestamp().toEpochMilli(), s.value(), s.quality().code());
            return true;
        }
    }
}
