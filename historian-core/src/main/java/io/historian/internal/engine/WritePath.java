package io.historian.internal.engine;

import io.historian.ColdTierUnavailableException;
import io.historian.DuplicatePolicy;
import io.historian.Durability;
import io.historian.HistorianException;
import io.historian.JournalFullException;
import io.historian.Quality;
import io.historian.RejectReason;
import io.historian.Sample;
import io.historian.SampleBatch;
import io.historian.SampleRejectedException;
import io.historian.TagDefinition;
import io.historian.TagStats;
import io.historian.internal.journal.ChronicleJournal;
import io.historian.internal.journal.JournalEntryCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write path: validates a whole call, registers new tags, derives the formulas' samples and
 * appends the call to the journal as ONE entry, then counts. One call at a time, under
 * {@link #lock}: the journal's appender, the formulas' state and the validation state have one
 * writer.
 *
 * <p><b>All or nothing.</b> Nothing is journaled before the whole call is validated, and a call
 * of any accepted size is one journal entry, which Chronicle Queue writes atomically: a refused
 * or crashed call leaves no sample behind, and the formulas' state changes only for calls that
 * were journaled.
 *
 * <p><b>Counters</b> are written under the lock and read without it by {@code stats()}: a blocked
 * writer must not block monitoring, so a reading may lag by one call.
 */
final class WritePath {
    private final Settings settings;
    private final TagRegistry registry;
    private final ChronicleJournal journal;
    private final JournalLedger ledger;
    private final Horizons horizons;
    private final Reads reads;
    private final Status status;
    private final ReentrantLock lock = new ReentrantLock();
    private final JournalEntryCodec entryCodec = new JournalEntryCodec();
    private final CallScratch call = new CallScratch();
    private final Derivation derivation;

    // Written only under the lock, with ordered stores (lazySet): a volatile store would fence
    // every call, which cost about a tenth of a single-sample write; readers see them at most one
    // call late.
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong journaled = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLongArray rejectedByReason = new AtomicLongArray(RejectReason.values().length);
    private long[] tagReceived = new long[64];
    private long[] tagRejected = new long[64];
    private long[] tagJournaled = new long[64];
    /** Newest timestamp journaled per tag, for the REJECT duplicate check, once known. */
    private long[] newestTs = new long[64];
    private boolean[] newestKnown = new boolean[64];

    WritePath(Settings settings, TagRegistry registry, ChronicleJournal journal, JournalLedger ledger,
            Horizons horizons, Reads reads, Status status) {
        this.settings = settings;
        this.ledger = ledger;
        this.registry = registry;
        this.journal = journal;
        this.horizons = horizons;
        this.reads = reads;
        this.status = status;
        this.derivation = new Derivation(settings, registry, reads, call);
    }

    /** The write lock: held for one call; also by whoever must stop appends for a moment (a subscription's seam, a horizon's move). */
    ReentrantLock lock() {
        return lock;
    }

    /** Compiles the formulas; once, at open, before any write. */
    void compileFormulas(StoreWriter storeWriter) {
        lock.lock();
        try {
            derivation.compile();
            storeWriter.derivedTags(Derivation.outputIds(settings, registry));
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- calls

    void write(String tag, long epochMillis, double value, Quality quality) {
        lock.lock();
        try {
            status.check();
            call.tagOf(tag);
            call.timestamps[0] = epochMillis;
            call.values[0] = value;
            call.qualities[0] = quality.code();
            try {
                accept(1);
            } finally {
                call.releaseTags();
            }
        } finally {
            lock.unlock();
        }
    }

    void write(SampleBatch batch) {
        int n = batch.size();
        if (n == 0) {
            return;
        }
        lock.lock();
        try {
            status.check();
            if (n > settings.maxBatchSize()) {
                add(received, n);
                reject(RejectReason.BATCH_TOO_LARGE, n);
                throw new SampleRejectedException(batch.tag(0), RejectReason.BATCH_TOO_LARGE, settings.maxBatchSize(),
                        "batch of " + n + " samples exceeds the maximum of " + settings.maxBatchSize());
            }
            call.ensure(n);
            call.tagsOf(batch);
            for (int i = 0; i < n; i++) {
                call.timestamps[i] = batch.epochMillis(i);
                call.values[i] = batch.value(i);
                call.qualities[i] = batch.qualityCode(i);
            }
            try {
                accept(n);
            } finally {
                call.releaseTags();
            }
        } finally {
            lock.unlock();
        }
    }

    TagDefinition register(TagDefinition definition) {
        lock.lock();
        try {
            status.check();
            registry.register(List.of(definition), settings.durability() == Durability.POWER_LOSS);
            growTagCounters(registry.size());
            return registry.definition(registry.idOf(definition.name()));
        } finally {
            lock.unlock();
        }
    }

    /** Validates, registers, derives, journals and counts the call's {@code n} samples. */
    private void accept(int n) {
        add(received, n);
        long now = horizons.now();
        long earliest = settings.earliestTimestamp().toEpochMilli();
        long latest = Timestamps.saturatedAdd(now, settings.futureTolerance().toMillis());
        long cutoff = horizons.tieringCutoff();
        long expired = horizons.retentionHorizon(now);
        List<TagDefinition> newTags = null;
        Map<String, Integer> newIds = null;
        int known = registry.size();
        for (int i = 0; i < n; i++) {
            String tag = call.tag(i);
            if (tag == null) {
                rejectCall(RejectReason.INVALID_TAG_NAME, n, i, "null", "tag name is null");
            }
            int id = registry.idOf(tag);
            TagDefinition def;
            if (id < 0) {
                if (newIds != null && newIds.containsKey(tag)) {
                    id = newIds.get(tag);
                    def = newTags.get(id - known);
                } else {
                    String problem = TagDefinition.nameProblem(tag);
                    if (problem != null) {
                        rejectCall(RejectReason.INVALID_TAG_NAME, n, i, tag, "invalid tag name: " + problem);
                    }
                    if (settings.strictTags()) {
                        rejectCall(RejectReason.UNKNOWN_TAG, n, i, tag, "unknown tag in strict mode");
                    }
                    if (newTags == null) {
                        newTags = new ArrayList<>();
                        newIds = new HashMap<>();
                    }
                    def = TagDefinition.of(tag);
                    id = known + newTags.size();
                    newTags.add(def);
                    newIds.put(tag, id);
                }
            } else {
                def = registry.definition(id);
                if (derivation.computed(id)) {
                    rejectCall(RejectReason.COMPUTED_TAG, n, i, tag, "tag is computed by the formula "
                            + settings.formulas().get(tag) + "; write its inputs instead");
                }
            }
            long ts = call.timestamps[i];
            if (ts < earliest || ts > latest) {
                rejectCall(RejectReason.TIMESTAMP_OUT_OF_RANGE, n, i, tag, "timestamp " + Timestamps.describe(ts)
                        + " outside the accepted window [" + Timestamps.describe(earliest) + ", "
                        + Timestamps.describe(latest) + "]");
            }
            if (ts < cutoff) {
                rejectCall(RejectReason.BEHIND_TIERING_CUTOFF, n, i, tag, "timestamp " + Timestamps.describe(ts)
                        + " lies before the tiering cutoff " + Timestamps.describe(cutoff) + ", where data is immutable");
            }
            if (ts < expired) {
                rejectCall(RejectReason.BEHIND_RETENTION, n, i, tag, "timestamp " + Timestamps.describe(ts)
                        + " lies before the retention horizon " + Timestamps.describe(expired) + " (retention "
                        + settings.retention() + "): it would be expired at once");
            }
            double v = call.values[i];
            if (def.rejectNonFinite() && !Double.isFinite(v)) {
                rejectCall(RejectReason.NON_FINITE_VALUE, n, i, tag, "value " + v
                        + " is not finite and the tag rejects it");
            }
            call.ids[i] = id;
        }
        if (settings.duplicatePolicy() == DuplicatePolicy.REJECT) {
            try {
                checkDuplicates(n, known);
            } catch (ColdTierUnavailableException e) {
                reject(RejectReason.COLD_TIER_UNAVAILABLE, n);
                throw e;
            }
        }
        if (newTags != null) {
            registry.register(newTags, settings.durability() == Durability.POWER_LOSS);
        }
        growTagCounters(registry.size());
        int total = n;
        long index;
        try {
            if (derivation.active()) {
                total = derivation.derive(n);
            }
            index = append(n, total);
        } catch (RuntimeException | Error e) {
            derivation.rollback();
            for (int i = 0; i < n; i++) {
                tagReceived[call.ids[i]]++;
                tagRejected[call.ids[i]]++;
            }
            reject(e instanceof SampleRejectedException ? RejectReason.BATCH_TOO_LARGE
                    : e instanceof io.historian.DiskFullException ? RejectReason.DISK_FULL
                    : e instanceof ColdTierUnavailableException ? RejectReason.COLD_TIER_UNAVAILABLE
                    : RejectReason.JOURNAL_FULL, n);
            throw e;
        }
        derivation.commit(total);
        add(received, total - n);
        for (int i = 0; i < total; i++) {
            countJournaled(call.ids[i], call.timestamps[i]);
        }
        add(journaled, total);
        // After the entry is counted: a failure to record it in the store fails the call, yet the
        // entry is journaled and replays; a retry writes the same samples again, which is idempotent.
        ledger.appended(index, total);
        if (settings.durability() == Durability.POWER_LOSS) {
            journal.sync();
        }
    }

    /** Appends the call as one entry; returns its index. Throws before anything is appended. */
    private long append(int inputs, int total) {
        int length = entryCodec.encode(call.ids, call.timestamps, call.values, call.qualities, 0, total);
        if (length > journal.maxEntryBytes()) {
            throw new SampleRejectedException(call.tag(0), RejectReason.BATCH_TOO_LARGE, inputs, "the call of " + inputs
                    + " samples (" + total + " with derived ones) takes " + length + " bytes in the journal, more"
                    + " than its limit of " + journal.maxEntryBytes() + "; write smaller batches");
        }
        long index;
        try {
            index = journal.append(entryCodec.buffer(), length);
        } catch (JournalFullException e) {
            throw e;
        } catch (HistorianException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new HistorianException("cannot append to the journal [dir=" + journal.directory() + "]: " + e, e);
        }
        return index;
    }

    private void countJournaled(int id, long ts) {
        tagReceived[id]++;
        tagJournaled[id]++;
        if (newestKnown[id] && ts > newestTs[id]) {
            newestTs[id] = ts;
        }
    }

    /** REJECT policy: refuses the call if a sample's (tag, time) repeats in it or exists in the store. */
    private void checkDuplicates(int n, int known) {
        reads.awaitApplied();
        Map<Integer, Set<Long>> seen = new HashMap<>();
        for (int i = 0; i < n; i++) {
            int id = call.ids[i];
            long ts = call.timestamps[i];
            if (!seen.computeIfAbsent(id, k -> new HashSet<>()).add(ts)) {
                rejectCall(RejectReason.DUPLICATE, n, i, call.tag(i), "timestamp " + Timestamps.describe(ts)
                        + " appears twice in the batch");
            }
            if (id >= known) {
                continue;
            }
            growTagCounters(id + 1);
            if (!newestKnown[id]) {
                newestTs[id] = reads.previous(id, Long.MAX_VALUE).map(x -> x.timestamp().toEpochMilli())
                        .orElse(Long.MIN_VALUE);
                newestKnown[id] = true;
            }
            if (ts <= newestTs[id] && existsAt(id, ts)) {
                rejectCall(RejectReason.DUPLICATE, n, i, call.tag(i), "a sample at " + Timestamps.describe(ts)
                        + " exists");
            }
        }
    }

    /**
     * Whether the tag holds a sample at {@code ts}. Looked up forward, from {@code ts} on: a walk
     * back from a time after the tiering cutoff that finds no local chunk before it would go on
     * into the cold tier, which cannot hold that time, and fail the write while the tier is down.
     */
    private boolean existsAt(int id, long ts) {
        Optional<Sample> s = reads.next(id, ts);
        return s.isPresent() && s.get().timestamp().toEpochMilli() == ts;
    }

    private void rejectCall(RejectReason reason, int n, int index, String tag, String detail) {
        rejectedByReason.incrementAndGet(reason.ordinal());
        rejectedByReason.addAndGet(RejectReason.BATCH_REJECTED.ordinal(), n - 1);
        add(rejected, n);
        int id = tag == null ? -1 : registry.idOf(tag);
        if (id >= 0) {
            growTagCounters(id + 1);
            tagReceived[id]++;
            tagRejected[id]++;
        }
        throw new SampleRejectedException(tag, reason, index, detail);
    }

    private void reject(RejectReason reason, int n) {
        rejectedByReason.addAndGet(reason.ordinal(), n);
        add(rejected, n);
    }

    /** Adds to a counter that only the lock holder writes. */
    private static void add(AtomicLong counter, long n) {
        counter.lazySet(counter.get() + n);
    }

    private void growTagCounters(int size) {
        if (tagReceived.length < size) {
            int c = Math.max(size, tagReceived.length * 2);
            tagReceived = Arrays.copyOf(tagReceived, c);
            tagRejected = Arrays.copyOf(tagRejected, c);
            tagJournaled = Arrays.copyOf(tagJournaled, c);
            newestTs = Arrays.copyOf(newestTs, c);
            newestKnown = Arrays.copyOf(newestKnown, c);
        }
    }

    // ---------------------------------------------------------------- counters

    Derivation derivation() {
        return derivation;
    }

    long received() {
        return received.get();
    }

    long journaled() {
        return journaled.get();
    }

    long rejected() {
        return rejected.get();
    }

    Map<RejectReason, Long> rejectedByReason() {
        Map<RejectReason, Long> byReason = new EnumMap<>(RejectReason.class);
        for (RejectReason r : RejectReason.values()) {
            long count = rejectedByReason.get(r.ordinal());
            if (count > 0) {
                byReason.put(r, count);
            }
        }
        return byReason;
    }

    TagStats stats(String tag, int id) {
        long[] rec = tagReceived;
        long[] rej = tagRejected;
        long[] jour = tagJournaled;
        return new TagStats(tag, id < rec.length ? rec[id] : 0, id < rej.length ? rej[id] : 0,
                id < jour.length ? jour[id] : 0);
    }
}
