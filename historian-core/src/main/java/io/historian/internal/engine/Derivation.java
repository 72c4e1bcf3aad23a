package io.historian.internal.engine;

import io.historian.Sample;
import io.historian.TagDefinition;
import io.historian.internal.formula.DerivedSink;
import io.historian.internal.formula.FormulaGraph;
import io.historian.internal.formula.History;
import io.historian.internal.journal.ChronicleJournal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The calculated tags inside the write path: compiles the formulas at open, primes them with the
 * stored latest values, and derives the samples of a write call, which join the call's journal
 * entry after its own samples.
 *
 * <p><b>Threads:</b> the write path's thread, under the write lock.
 */
final class Derivation {
    private final Settings settings;
    private final TagRegistry registry;
    private final Reads reads;
    private final ChronicleJournal journal;
    private final CallScratch call;

    /** The compiled formulas, or null when there are none. */
    private FormulaGraph graph;
    /** Per tag id: whether a formula computes the tag. */
    private boolean[] computed = new boolean[0];
    /** Per tag id: the graph's slot + 2; 0 = not looked up yet, 1 = no formula reads the tag. */
    private int[] slots = new int[0];
    /** Per formula index: the output's tag id. */
    private int[] outputIds;
    private int derivedEnd;
    /** Per tag id a formula reads or writes: the last journal entry of that tag (see {@link #sampleAtOrBefore}). */
    private long[] lastEntries = new long[0];

    private final DerivedSink sink = this::derived;

    Derivation(Settings settings, TagRegistry registry, Reads reads, ChronicleJournal journal, CallScratch call) {
        this.settings = settings;
        this.registry = registry;
        this.reads = reads;
        this.journal = journal;
        this.call = call;
    }

    private void derived(int formula, String tag, long epochMillis, double value, int qualityCode) {
        int i = derivedEnd++;
        call.grow(i + 1);
        call.ids[i] = outputIds[formula];
        call.timestamps[i] = epochMillis;
        call.values[i] = value;
        call.qualities[i] = qualityCode;
    }

    boolean active() {
        return graph != null;
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
                settings.formulaStaleness(), this::sampleAtOrBefore);
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
     * Feeds the call's {@code n} accepted samples to the formulas that read their tags and appends
     * the derived samples after them. Returns the call's new sample count.
     */
    int derive(int n) {
        if (slots.length < registry.size()) {
            slots = Arrays.copyOf(slots, Math.max(registry.size(), slots.length * 2));
        }
        derivedEnd = n;
        for (int i = 0; i < n; i++) {
            int id = call.ids[i];
            int slot = slots[id];
            if (slot == 0) {
                slot = graph.slotOf(registry.definition(id).name()) + 2;
                slots[id] = slot;
            }
            if (slot >= 2) {
                graph.onSample(slot - 2, call.timestamps[i], call.values[i], call.qualities[i], sink);
            }
        }
        return derivedEnd;
    }

    /** The call was refused: the formulas forget it. */
    void rollback() {
    }

    /** The call was journaled as {@code entry} with {@code n} samples (inputs and outputs): the formulas keep it. */
    void commit(int n, long entry) {
        if (graph == null) {
            return;
        }
        if (lastEntries.length < registry.size()) {
            lastEntries = Arrays.copyOf(lastEntries, Math.max(registry.size(), lastEntries.length * 2));
        }
        for (int i = 0; i < n; i++) {
            int id = call.ids[i];
            if (id < slots.length && slots[id] >= 2 || computed(id)) {
                lastEntries[id] = entry;
            }
        }
    }

    /**
     * The formulas' view of the past when a late input makes them recompute at an older time: the
     * stored sample at or before that time. Runs under the write lock, on the writing thread.
     */
    private boolean sampleAtOrBefore(String tag, int slot, long epochMillis, History.SampleHolder into) {
        int id = registry.idOf(tag);
        if (id < 0) {
            return false;
        }
        // Only this tag's last entry has to be in the store, not everything journaled: a backfill
        // behind live data would otherwise wait for the store writer at every sample.
        reads.awaitApplied(id < lastEntries.length ? lastEntries[id] : journal.lastAppendedIndex());
        Optional<Sample> s = reads.previous(id, epochMillis);
        if (s.isEmpty()) {
            return false;
        }
        into.set(s.get().timestamp().toEpochMilli(), s.get().value(), s.get().quality().code());
        return true;
    }
}
