package io.historian.simulation;

import io.historian.DuplicatePolicy;
import io.historian.RejectReason;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the historian must hold: per raw tag, the acknowledged samples (time to value and
 * quality, the duplicate policy applied), and the two horizons that decide what may be written
 * and what must still be readable.
 *
 * <p><b>Invariants checked against it.</b> Every acknowledged sample at or after the retention
 * horizon ({@code now - retention}) is readable exactly once with its last value; one before the
 * horizon may be gone, but if it is read it has its last value; nothing else is ever read.
 * Derived tags are not modelled here: {@link FormulaOracle} computes them from the inputs held here.
 *
 * <p><b>Tiering cutoff.</b> Known exactly after a successful {@code tierNow()}; after a failed one
 * it lies somewhere in {@code [cutoffLow, cutoffHigh]}, and a write in between may be accepted or
 * refused with {@link RejectReason#BEHIND_TIERING_CUTOFF}.
 */
final class Model {
    /** One stored sample. */
    record Value(double value, int quality) {
    }

    private final Map<String, TreeMap<Long, Value>> series = new LinkedHashMap<>();
    private final DuplicatePolicy policy;
    private final long retentionMillis;
    private final Clock clock;
    /** Per tag, model entries before this were dropped to bound memory (only in long runs). */
    private final Map<String, Long> prunedBefore = new HashMap<>();
    long cutoffLow = Long.MIN_VALUE;
    long cutoffHigh = Long.MIN_VALUE;
    private long size;

    Model(DuplicatePolicy policy, long retentionMillis, Clock clock) {
        this.policy = policy;
        this.retentionMillis = retentionMillis;
        this.clock = clock;
        for (String t : WorldConfig.RAW_TAGS) {
            series.put(t, new TreeMap<>());
        }
        for (String t : WorldConfig.INPUT_TAGS) {
            series.put(t, new TreeMap<>());
        }
    }

    /** The retention horizon now: samples before it may be gone, and writes before it are refused. */
    long horizon() {
        return retentionMillis > 0 ? clock.millis() - retentionMillis : Long.MIN_VALUE;
    }

    /** The earliest timestamp a write is sure to be accepted at (leaving the duplicate policy aside). */
    long lowBound() {
        return Math.max(horizon(), cutoffHigh);
    }

    TreeMap<Long, Value> series(String tag) {
        return series.get(tag);
    }

    long prunedBefore(String tag) {
        return prunedBefore.getOrDefault(tag, Long.MIN_VALUE);
    }

    long size() {
        return size;
    }

    /** Applies an acknowledged write, sample by sample in call order, under the duplicate policy. */
    void apply(SimWrite w) {
        for (int i = 0; i < w.size; i++) {
            TreeMap<Long, Value> s = series.get(w.tags[i]);
            Value v = new Value(w.values[i], w.qualities[i]);
            if (policy == DuplicatePolicy.KEEP_FIRST) {
                if (s.putIfAbsent(w.ts[i], v) == null) {
                    size++;
                }
            } else if (s.put(w.ts[i], v) == null) {
                size++;
            }
        }
    }

    /** Drops entries before the horizon that the historian no longer holds (bounded memory for soak runs). */
    void prune(String tag, long before) {
        TreeMap<Long, Value> s = series.get(tag);
        var head = s.headMap(before, false);
        size -= head.size();
        head.clear();
        prunedBefore.merge(tag, before, Math::max);
    }

    /** What the model says of a write before it is sent. */
    static final class Expectation {
        /** Per sample: reasons the historian must refuse it for. */
        final List<Set<RejectReason>> must = new ArrayList<>();
        /** Per sample: reasons the historian may refuse it for. */
        final List<Set<RejectReason>> may = new ArrayList<>();
        boolean journalFullRequired;
        boolean journalFullAllowed;
        boolean coldUnavailableAllowed;

        boolean mustRefuse() {
            if (journalFullRequired) {
                return true;
            }
            for (Set<RejectReason> m : must) {
                if (!m.isEmpty()) {
                    return true;
                }
            }
            return false;
        }

        boolean mayRefuse() {
            for (Set<RejectReason> m : may) {
                if (!m.isEmpty()) {
                    return true;
                }
            }
            return false;
        }

        /** Every reason the sample at {@code index} may be refused for. */
        Set<RejectReason> reasonsAt(int index) {
            if (index < 0 || index >= must.size()) {
                return Set.of();
            }
            Set<RejectReason> all = EnumSet.noneOf(RejectReason.class);
            all.addAll(must.get(index));
            all.addAll(may.get(index));
            return all;
        }

        /** The first sample that must be refused, described, for messages. */
        String firstMust(SimWrite w) {
            for (int i = 0; i < must.size(); i++) {
                if (!must.get(i).isEmpty()) {
                    return "sample " + i + " " + w.tags[i] + "@" + java.time.Instant.ofEpochMilli(w.ts[i]) + " must be refused for "
                            + must.get(i);
                }
            }
            return journalFullRequired ? "the write is larger than the whole journal budget" : "none";
        }
    }

    /** The outcomes the spec allows for {@code w}. */
    Expectation expect(SimWrite w, boolean journalReject, boolean tierFaulty) {
        Expectation e = new Expectation();
        long horizon = horizon();
        long now = clock.millis();
        Map<String, Set<Long>> inCall = new HashMap<>();
        Map<String, Set<Long>> repeated = new HashMap<>();
        for (int i = 0; i < w.size; i++) {
            if (!inCall.computeIfAbsent(w.tags[i], k -> new HashSet<>()).add(w.ts[i])) {
                repeated.computeIfAbsent(w.tags[i], k -> new HashSet<>()).add(w.ts[i]);
            }
        }
        boolean touchesInputs = false;
        for (int i = 0; i < w.size; i++) {
            Set<RejectReason> must = EnumSet.noneOf(RejectReason.class);
            Set<RejectReason> may = EnumSet.noneOf(RejectReason.class);
            String tag = w.tags[i];
            long t = w.ts[i];
            if (WorldConfig.DERIVED_TAGS.contains(tag)) {
                must.add(RejectReason.COMPUTED_TAG);
            } else {
                touchesInputs |= WorldConfig.INPUT_TAGS.contains(tag);
                if (t < cutoffLow) {
                    must.add(RejectReason.BEHIND_TIERING_CUTOFF);
                } else if (t < cutoffHigh) {
                    may.add(RejectReason.BEHIND_TIERING_CUTOFF);
                }
                if (t < horizon) {
                    must.add(RejectReason.BEHIND_RETENTION);
                }
                if (t > now + WorldConfig.DAY) {
                    must.add(RejectReason.TIMESTAMP_OUT_OF_RANGE);
                }
                if (policy == DuplicatePolicy.REJECT) {
                    boolean exists = series.get(tag).containsKey(t);
                    boolean repeats = repeated.getOrDefault(tag, Set.of()).contains(t);
                    if (repeats || exists && t >= horizon) {
                        // Which occurrence of a repeat is named is the historian's choice.
                        must.add(RejectReason.DUPLICATE);
                    } else if (exists) {
                        may.add(RejectReason.DUPLICATE);
                    }
                }
            }
            e.must.add(must);
            e.may.add(may);
        }
        e.journalFullAllowed = journalReject;
        // A late formula input reads the other inputs' earlier samples, which may be cold.
        e.coldUnavailableAllowed = tierFaulty && touchesInputs;
        return e;
    }
}
