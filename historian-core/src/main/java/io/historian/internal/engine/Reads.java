package io.historian.internal.engine;

import io.historian.HistorianException;
import io.historian.Interpolation;
import io.historian.Quality;
import io.historian.Sample;
import io.historian.TagDefinition;
import io.historian.TagNotFoundException;
import io.historian.ValueAt;
import io.historian.internal.codec.CorruptChunkException;
import io.historian.internal.journal.ChronicleJournal;
import io.historian.internal.query.AggregatingCursor;
import io.historian.internal.query.Downsamplers;
import io.historian.internal.query.InterpolatingCursor;
import io.historian.internal.query.SeriesView;
import io.historian.internal.query.TagPattern;
import io.historian.internal.query.TagSequence;
import io.historian.internal.store.CorruptStoreException;
import io.historian.internal.store.RocksChunkStore;
import io.historian.internal.tier.Manifest;
import io.historian.internal.tier.SegmentCache;
import io.historian.query.Aggregate;
import io.historian.query.AggregateCursor;
import io.historian.internal.query.Downsampling;
import io.historian.internal.query.QueryReader;
import io.historian.query.PointCursor;
import io.historian.query.RawQuery;
import io.historian.query.SampleCursor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.rocksdb.Snapshot;

/**
 * The read path: every query mode, {@code latest} and {@code valueAt}.
 *
 * <p>A read first waits until the store writer has applied every journal entry appended before
 * it began, so a write is readable as soon as it returns; then it takes a {@link TagView} (a
 * store snapshot, the manifest as that snapshot sees it, and copies of the tag's in-memory
 * chunks, taken together under the store state's read lock) and streams from it without locks.
 *
 * <p><b>Threads:</b> caller threads; a view and its cursor belong to one thread. Open views are
 * tracked so that the historian's close can release their snapshots.
 */
final class Reads {
    private final Settings settings;
    private final TagRegistry registry;
    private final RocksChunkStore store;
    private final ChronicleJournal journal;
    private final StoreWriter storeWriter;
    private final Thread storeWriterThread;
    private final Manifest manifest;
    /** Fetched cold segments; null without a cold tier. */
    private final SegmentCache coldCache;
    private final Status status;
    private final Set<TagView> openViews = ConcurrentHashMap.newKeySet();
    private final LongAdder chunkDecodes = new LongAdder();
    final AtomicLong corruptChunks = new AtomicLong();

    Reads(Settings settings, TagRegistry registry, RocksChunkStore store, ChronicleJournal journal,
            StoreWriter storeWriter, Thread storeWriterThread, Manifest manifest, SegmentCache coldCache, Status status) {
        this.settings = settings;
        this.registry = registry;
        this.store = store;
        this.journal = journal;
        this.storeWriter = storeWriter;
        this.storeWriterThread = storeWriterThread;
        this.manifest = manifest;
        this.coldCache = coldCache;
        this.status = status;
    }

    // ---------------------------------------------------------------- waiting for the store writer

    /** Waits until every entry appended before now has been applied by the store writer. */
    void awaitApplied() {
        awaitApplied(journal.lastAppendedIndex());
    }

    /** Waits until the store writer has applied the journal entry {@code target} (a no-op if negative). */
    void awaitApplied(long target) {
        if (target < 0 || storeWriter.appliedIndex() >= target) {
            return;
        }
        // The store writer parks for up to half a millisecond when idle; a reader should not wait that out.
        LockSupport.unpark(storeWriterThread);
        long deadline = System.nanoTime() + settings.readWaitTimeout().toNanos();
        int spins = 0;
        while (storeWriter.appliedIndex() < target) {
            Throwable failure = storeWriter.failure();
            if (failure != null) {
                throw status.failed(failure);
            }
            if (System.nanoTime() > deadline) {
                throw new HistorianException("the store writer is behind the journal; reads wait for it [dir="
                        + settings.dataDirectory() + ", waited=" + settings.readWaitTimeout().toMillis() + " ms]", null,
                        true);
            }
            if (spins++ < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(50_000);
            }
        }
    }

    // ---------------------------------------------------------------- views

    /** A consistent view of one tag, as of now (call {@link #awaitApplied} first). */
    TagView view(int id, String tag) {
        var lockRead = storeWriter.stateLock.readLock();
        lockRead.lock();
        try {
            return new TagView(store, registry, this, id, tag, storeWriter.peek(id));
        } finally {
            lockRead.unlock();
        }
    }

    /** The tag's cold segments as {@code snapshot} sees the manifest, or null without a cold tier. */
    ColdView coldView(int tagId, String tag, Snapshot snapshot) {
        return coldCache == null ? null : new ColdView(tag, manifest.entries(tagId, snapshot), coldCache);
    }

    void remember(TagView view) {
        openViews.add(view);
    }

    void forget(TagView view) {
        openViews.remove(view);
    }

    /** Closes the views cursors left open, so that their store snapshots go before the store does. */
    void closeViews() {
        for (TagView view : new ArrayList<>(openViews)) {
            view.close();
        }
    }

    /** Counts a chunk decoded for a read (tests check that aggregates use headers instead). */
    void countDecode() {
        chunkDecodes.increment();
    }

    long chunkDecodes() {
        return chunkDecodes.sum();
    }

    SegmentCache coldCache() {
        return coldCache;
    }

    static HistorianException corrupt(int tagId, TagRegistry registry, long chunkStart, CorruptChunkException e) {
        String tag = tagId < registry.size() ? registry.definition(tagId).name() : ("#" + tagId);
        return new HistorianException("corrupt chunk [tag=" + tag + ", chunkStart=" + Timestamps.describe(chunkStart)
                + "]: " + e.getMessage(), e);
    }

    HistorianException corruptOnRead(int tagId, long chunkStart, CorruptChunkException e) {
        corruptChunks.incrementAndGet();
        return corrupt(tagId, registry, chunkStart, e);
    }

    /** A read that RocksDB failed on corrupt data: counted like a chunk that fails its CRC. */
    HistorianException corruptOnRead(int tagId, CorruptStoreException e) {
        corruptChunks.incrementAndGet();
        String tag = tagId < registry.size() ? registry.definition(tagId).name() : ("#" + tagId);
        return new HistorianException("corrupt chunk [tag=" + tag + "]: " + e.getMessage(), e);
    }

    // ---------------------------------------------------------------- single values

    Optional<Sample> latest(String tag) {
        status.check();
        int id = idOrThrow(tag);
        awaitApplied();
        return previous(id, Long.MAX_VALUE);
    }

    /** The stored sample at or before {@code ts} (the caller has waited for the store writer). */
    Optional<Sample> previous(int id, long ts) {
        try (TagView view = view(id, registry.definition(id).name())) {
            return Optional.ofNullable(view.previous(ts));
        }
    }

    /** The stored sample at or after {@code ts} (the caller has waited for the store writer). */
    Optional<Sample> next(int id, long ts) {
        try (TagView view = view(id, registry.definition(id).name())) {
            return Optional.ofNullable(view.next(ts));
        }
    }

    Optional<Sample> valueAt(String tag, Instant time, ValueAt mode) {
        status.check();
        int id = idOrThrow(tag);
        long t = Timestamps.toMillis(time);
        awaitApplied();
        try (TagView view = view(id, tag)) {
            Sample prev = view.previous(t);
            if (mode == ValueAt.PREVIOUS) {
                return Optional.ofNullable(prev);
            }
            if (mode == ValueAt.NEXT || prev == null) {
                return mode == ValueAt.NEXT ? Optional.ofNullable(view.next(t)) : Optional.empty();
            }
            long prevTs = prev.timestamp().toEpochMilli();
            if (prevTs == t) {
                return Optional.of(prev);
            }
            Interpolation interpolation = registry.definition(id).interpolation();
            Sample next = t == Long.MAX_VALUE ? null : view.next(t + 1);
            Instant at = Instant.ofEpochMilli(t);
            if (next == null) {
                Quality q = interpolation == Interpolation.STEPPED ? prev.quality()
                        : Quality.worst(prev.quality(), Quality.UNCERTAIN_LAST_USABLE_VALUE);
                return Optional.of(new Sample(tag, at, prev.value(), q));
            }
            Quality q = Quality.worst(prev.quality(), next.quality());
            if (interpolation == Interpolation.STEPPED) {
                return Optional.of(new Sample(tag, at, prev.value(), prev.quality()));
            }
            long nextTs = next.timestamp().toEpochMilli();
            double fraction = (double) (t - prevTs) / (double) (nextTs - prevTs);
            double value = prev.value() + (next.value() - prev.value()) * fraction;
            return Optional.of(new Sample(tag, at, value, q));
        }
    }

    int idOrThrow(String tag) {
        int id = registry.idOf(tag);
        if (id < 0) {
            throw new TagNotFoundException(tag);
        }
        return id;
    }

    // ---------------------------------------------------------------- query modes

    /** Opens the cursors of every query mode; a pattern runs over the matching tags in turn. */
    final QueryReader queries = new QueryReader() {
        @Override
        public SampleCursor open(RawQuery q) {
            if (q.isPattern()) {
                rejectPartial(q, "a tag pattern");
            }
            return q.isPattern() ? TagSequence.samples(tagsMatching(q.tag()), t -> openCursor(q, t))
                    : openCursor(q, q.tag());
        }

        @Override
        public AggregateCursor aggregate(RawQuery q, Duration interval, List<Aggregate> aggregates) {
            long from = Timestamps.toMillis(q.from());
            long to = Timestamps.toMillis(q.to());
            AggregatingCursor.validate(q.tag(), from, to, interval, q.zone(), q.maxBuckets());
            rejectPartial(q, "aggregate");
            Function<String, AggregateCursor> open = t -> AggregatingCursor.open(
                    series(t), from, to, interval, aggregates, q.fill(), q.zone(), q.maxBuckets());
            return q.isPattern() ? TagSequence.aggregates(tagsMatching(q.tag()), aggregates, open) : open.apply(q.tag());
        }

        @Override
        public PointCursor interpolated(RawQuery q, Duration step) {
            long from = Timestamps.toMillis(q.from());
            long to = Timestamps.toMillis(q.to());
            InterpolatingCursor.validate(q.tag(), from, to, step, q.maxBuckets());
            rejectPartial(q, "interpolated");
            Function<String, PointCursor> open = t -> InterpolatingCursor.open(series(t), from, to, step, q.maxBuckets());
            return q.isPattern() ? TagSequence.points(tagsMatching(q.tag()), open) : open.apply(q.tag());
        }

        @Override
        public PointCursor downsample(RawQuery q, Downsampling mode, int points) {
            rejectPartial(q, mode.toString());
            long from = Timestamps.toMillis(q.from());
            long to = Timestamps.toMillis(q.to());
            Function<String, PointCursor> open = t -> Downsamplers.open(series(t), from, to, mode, points);
            return q.isPattern() ? TagSequence.points(tagsMatching(q.tag()), open) : open.apply(q.tag());
        }
    };

    private static void rejectPartial(RawQuery q, String mode) {
        if (q.allowsPartial()) {
            throw new IllegalArgumentException("allowPartial() applies to raw queries only, not " + mode
                    + " [tag=" + q.tag() + "]");
        }
    }

    /** The registered tags matching a pattern, in registration order; possibly none. */
    private List<String> tagsMatching(String pattern) {
        status.check();
        return TagPattern.select(pattern, registry.all().stream().map(TagDefinition::name).toList());
    }

    /** A read view of a tag for the query modes, once the store writer has caught up. */
    private SeriesView series(String tag) {
        status.check();
        int id = idOrThrow(tag);
        awaitApplied();
        return view(id, tag);
    }

    private SampleCursor openCursor(RawQuery q, String tag) {
        status.check();
        int id = idOrThrow(tag);
        long from = Timestamps.toMillis(q.from());
        long to = Timestamps.toMillis(q.to());
        awaitApplied();
        TagView view = view(id, tag);
        if (q.allowsPartial()) {
            view.allowPartial();
        }
        try {
            Sample before = null;
            Sample after = null;
            if (q.includesBounds()) {
                if (from != Long.MIN_VALUE) {
                    before = view.previous(from - 1);
                }
                after = view.next(to);
            }
            return new RawCursor(view, from, to, before, after);
        } catch (RuntimeException e) {
            view.close();
            throw e;
        }
    }
}
