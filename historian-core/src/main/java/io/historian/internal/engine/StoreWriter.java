package io.historian.internal.engine;

import io.historian.DuplicatePolicy;
import io.historian.FilterStats;
import io.historian.HistorianException;
import io.historian.TagDefinition;
import io.historian.internal.codec.ChunkCodec;
import io.historian.internal.codec.ChunkHeader;
import io.historian.internal.codec.CorruptChunkException;
import io.historian.internal.filter.Emitter;
import io.historian.internal.filter.SampleFilter;
import io.historian.internal.journal.ChronicleJournal;
import io.historian.internal.journal.CorruptEntryException;
import io.historian.internal.journal.JournalEntryCodec;
import io.historian.internal.store.RocksChunkStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import net.openhft.chronicle.queue.ExcerptTailer;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store writer: a journal tailer that turns entries into chunks and commits them.
 *
 * <p><b>Thread:</b> one thread, {@code historian-store-writer}, owns the tailer, the open and
 * pending chunks ({@link TagState}) and every chunk write. Readers copy what they need under
 * {@link #stateLock}'s read lock; this thread takes the write lock while it changes chunks.
 *
 * <p><b>Invariants.</b> A sample is in exactly one place: the tag's open chunk, a pending chunk,
 * or a committed chunk (a pending chunk hides the committed chunk it replaces). The open chunk
 * starts after every committed or pending sample of its tag. The checkpoint committed with a
 * batch of chunks is the journal position from which a replay restores everything that batch
 * did not hold: the oldest entry feeding an open chunk, or, with no open chunk, just after the
 * last entry applied.
 *
 * <p><b>Recovery.</b> At start the tailer moves to the checkpoint and re-applies the entries
 * after it. Applying is idempotent (a sample at an existing timestamp replaces or is ignored by
 * the duplicate policy, and journal order decides), so entries whose samples were partly
 * committed already come out the same. Replay streams entry by entry; memory holds only open
 * chunks (sealed at {@code chunkMaxSamples}) and pending chunks (committed every
 * {@code commitInterval} or when too many wait).
 *
 * <p><b>Journal release.</b> After a commit moves the checkpoint into a later segment, the
 * store's log is synced and the journal segments before it are deleted.
 */
final class StoreWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreWriter.class);
    /** Commit when this many samples wait in pending chunks. */
    private static final int PENDING_COMMIT_SAMPLES = 1 << 20;
    /**
     * Heap an open sample takes, on average: 20 bytes in its chunk's arrays, which grow by
     * doubling, so they are about three quarters full.
     */
    static final int BYTES_PER_OPEN_SAMPLE = 32;
    /** Heap one sample's place in a chunk's arrays takes: a timestamp, a value and a quality. */
    private static final int BYTES_PER_SLOT = 20;
    /** Raw inputs a filter buffers between two archived samples to measure its error. */
    private static final int FIDELITY_CAPACITY = 4096;

    private final Settings settings;
    private final DuplicatePolicy storePolicy;
    private final TagRegistry registry;
    private final RocksChunkStore store;
    private final ChronicleJournal journal;
    private final java.util.function.LongSupplier clockMillis;
    final ReentrantReadWriteLock stateLock = new ReentrantReadWriteLock();
    private TagState[] states = new TagState[64];
    private final List<TagState> withPending = new ArrayList<>();
    private final List<Integer> withPendingIds = new ArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ChunkCodec codec = new ChunkCodec();
    private final RocksChunkStore.PutBuffers putBuffers = new RocksChunkStore.PutBuffers();
    /** Committed chunks kept for reuse as open chunks; readers only ever hold copies. */
    private final java.util.ArrayDeque<MutableChunk> spareChunks = new java.util.ArrayDeque<>();
    /** Seal open chunks when this many samples are open in all, to bound memory. */
    private final long openSamplesLimit;
    /**
     * The samples the spare chunks have room for, at most {@link #spareCapacityLimit}: chunks are
     * taken from the pool as fast as they return to it, so open and spare ones together stay
     * about that size.
     */
    private long spareCapacity;
    /**
     * The open chunks' memory in array slots (20 bytes each). With many tags at the memory bound
     * every open chunk is sealed at once, with arrays up to twice its samples; a bound of
     * {@link #openSamplesLimit} slots took back only two in three of them, and the tags left over
     * grew fresh chunks by doubling, most of the store writer's allocation.
     */
    private final long spareCapacityLimit;

    private final ExcerptTailer tailer;
    private final ChronicleJournal.EntryReader reader = new ChronicleJournal.EntryReader();
    private final JournalEntryCodec.Slices slices = new JournalEntryCodec.Slices();
    // The samples of the entries being applied together; grown with the number of tags (see groupCapacity).
    private int[] tagIds = new int[JournalEntryCodec.MAX_SAMPLES];
    private long[] timestamps = new long[JournalEntryCodec.MAX_SAMPLES];
    private double[] values = new double[JournalEntryCodec.MAX_SAMPLES];
    private int[] qualities = new int[JournalEntryCodec.MAX_SAMPLES];
    private long[] decodeTs = new long[4096];
    private double[] decodeValues = new double[4096];
    private int[] decodeQualities = new int[4096];

    /** The index of the last entry applied to memory; readers wait for it. */
    private volatile long appliedIndex = -1;
    private long lastReadIndex = -1;
    private int releasedCycle = Integer.MIN_VALUE;
    private long openSamples;
    /** Samples whose state {@link #touch} loads before they are applied. */
    private static final int TOUCH_GROUP = 32;
    /**
     * {@link #applyByTag} sorts a slice by tag only when it holds at least this many samples per
     * tag id below its largest: shorter runs would not repay the sort.
     */
    private static final int MIN_SAMPLES_PER_RUN = 8;
    /** Scratch of {@link #applyByTag}: the slice's sample positions grouped by tag, and where each tag's run ends. */
    private int[] runOrder = new int[JournalEntryCodec.MAX_SAMPLES];
    /**
     * The entries of the group in the scratch: entry {@code k} starts at sample
     * {@code groupStarts[k]} and has index {@code groupEntries[k]}. Empty while a single entry is
     * applied slice by slice, whose index {@link #sliceIndex} is then.
     */
    private int[] groupStarts = new int[64];
    private long[] groupEntries = new long[64];
    private int groupSize;
    private long sliceIndex;
    /** The most samples the scratch grows to for applying entries together: 24 MiB of it, with the run order. */
    private static final int MAX_GROUP_SAMPLES = 1 << 20;
    private int[] runEnds = new int[64];
    /** Keeps {@link #touch}'s loads from being optimized away. */
    private long touchSink;
    private long entryNew;
    private long entryDuplicates;
    private long pendingSamples;
    private long lastCommitMillis;
    private long lastAgeCheckMillis;
    private volatile boolean running = true;
    private volatile boolean paused;
    private volatile Throwable failure;
    private final long replayTarget;
    private volatile boolean replayDone;

    final AtomicLong stored = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong pending = new AtomicLong();
    final AtomicLong replayed = new AtomicLong();
    final AtomicLong committedChunks = new AtomicLong();
    final AtomicLong corruptEntries = new AtomicLong();
    final AtomicLong retentionDeleted = new AtomicLong();
    final AtomicLong appliedSamples = new AtomicLong();
    final AtomicLong readSamples = new AtomicLong();
    final AtomicLong commits = new AtomicLong();
    final AtomicLong commitNanos = new AtomicLong();
    /** When this thread last found the journal drained: the oldest unapplied entry is younger. */
    volatile long caughtUpNanos = System.nanoTime();
    /** Samples below which a pass that caught up waits before the next; see {@link #run}. */
    private static final int SMALL_PASS = 1_024;

    StoreWriter(Settings settings, TagRegistry registry, RocksChunkStore store, ChronicleJournal journal,
            java.util.function.LongSupplier clockMillis, java.util.Set<Integer> derivedTags) {
        this.settings = settings;
        this.openSamplesLimit = settings.openChunkMemory().bytes() / BYTES_PER_OPEN_SAMPLE;
        this.spareCapacityLimit = settings.openChunkMemory().bytes() / BYTES_PER_SLOT;
        this.registry = registry;
        this.store = store;
        this.journal = journal;
        this.clockMillis = clockMillis;
        // REJECT is enforced when writing; a duplicate that reaches the store is a replay: keep the first.
        this.storePolicy = settings.duplicatePolicy() == DuplicatePolicy.LAST_WRITE_WINS
                ? DuplicatePolicy.LAST_WRITE_WINS : DuplicatePolicy.KEEP_FIRST;
        derivedTags(derivedTags);
        this.tailer = journal.createTailer();
        long[] checkpoint = store.readCheckpoint();
        positionTailer(checkpoint);
        // Replay covers what the journal held at open; entries appended later are live.
        this.replayTarget = tailer.queue().lastIndex();
        this.replayDone = replayTarget < 0 || paused;
        this.lastCommitMillis = clockMillis.getAsLong();
        this.lastAgeCheckMillis = lastCommitMillis;
    }

    private void positionTailer(long[] checkpoint) {
        if (checkpoint == null) {
            tailer.toStart();
            return;
        }
        long index = checkpoint[0];
        boolean after = checkpoint[1] != 0;
        if (tailer.moveToIndex(index)) {
            if (after) {
                reader.read(tailer);
            }
            lastReadIndex = index;
            return;
        }
        int cycle = journal.cycleOf(index);
        var files = journal.segmentFiles();
        if (files.isEmpty() || ((java.util.TreeMap<Integer, ?>) files).firstKey() > cycle) {
            // The checkpoint's segment was released: everything before what remains is committed.
            tailer.toStart();
            return;
        }
        LOG.warn("journal checkpoint {} (segment {}) not found; replaying the whole journal [dir={}]", index, cycle,
                journal.directory());
        tailer.toStart();
    }

    long appliedIndex() {
        return appliedIndex;
    }

    boolean replayDone() {
        return replayDone;
    }

    Throwable failure() {
        return failure;
    }

    /** Runs a task on the store writer thread and waits for its result. */
    <T> T call(java.util.concurrent.Callable<T> task, long timeoutMillis) {
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HistorianException("interrupted while waiting for the store writer", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new HistorianException("store writer task failed", e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new HistorianException("store writer did not answer within " + timeoutMillis + " ms", e, true);
        }
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        try {
            int idle = 0;
            while (running) {
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                if (paused) {
                    LockSupport.parkNanos(1_000_000);
                    continue;
                }
                int applied = applyAvailable();
                housekeeping(applied == 0);
                if (applied == 0) {
                    caughtUpNanos = System.nanoTime();
                    idle = Math.min(idle + 1, 20);
                    LockSupport.parkNanos(idle < 10 ? 20_000 : 500_000);
                } else if (applied < SMALL_PASS) {
                    // Caught up with a writer of small calls: going straight back to the journal's head
                    // took two thirds of a core during single-sample writes, a few entries per pass.
                    // Waiting a moment lets the next pass take many at once (about half a core).
                    // The pass ended on an empty read, so the journal was drained: that is caught up;
                    // else the reported lag would grow for as long as a steady writer never leaves a
                    // pass empty.
                    caughtUpNanos = System.nanoTime();
                    idle = 0;
                    LockSupport.parkNanos(20_000);
                } else {
                    idle = 0;
                }
            }
            Runnable task;
            while ((task = tasks.poll()) != null) {
                task.run();
            }
            if (!paused) {
                applyAvailable();
                while (applyAvailable() > 0) {
                    // drain everything written before close
                }
                flushFilters();
                sealAll();
                commit();
            }
        } catch (Throwable t) {
            failure = t;
            LOG.error("store writer stopped by an error; writes stay in the journal and are replayed at the next open", t);
        }
    }

    /**
     * Applies entries until none is available or a batch is done; returns the samples applied.
     *
     * <p>Entries already in the journal are decoded one after another into the scratch and applied
     * together, as one slice: with many tags a single write call holds a sample or two per tag,
     * and only a slice with several samples per tag can be applied tag by tag
     * ({@link #applyByTag}). Nothing waits for entries not yet written. Every sample is applied
     * with the index of its own entry ({@link #entryOf}), so open chunks and filters pin the
     * journal exactly as when entries are applied one by one; the last entry read moves only once
     * the whole group is applied, so a commit in between keeps the checkpoint before the group.
     */
    private int applyAvailable() {
        int total = 0;
        growScratch();
        int limit = Math.max(4 * JournalEntryCodec.MAX_SAMPLES, tagIds.length);
        int grouped = 0;
        while (total + grouped < limit && reader.read(tailer)) {
            long index = reader.index();
            int count;
            int n;
            try {
                count = slices.open(reader.bytes(), 0, reader.length(), registry.size(), tagIds.length - grouped);
                if (count > tagIds.length - grouped && grouped > 0) {
                    total += applyGroup(grouped);
                    grouped = 0;
                }
                n = slices.next(tagIds, timestamps, values, qualities, grouped);
            } catch (CorruptEntryException e) {
                if (grouped > 0) {
                    total += applyGroup(grouped);
                    grouped = 0;
                }
                corruptEntries.incrementAndGet();
                LOG.error("skipping corrupt journal entry [index={}, dir={}]: {}", Long.toHexString(index),
                        journal.directory(), e.getMessage());
                lastReadIndex = index;
                continue;
            }
            if (n < count) {
                // Larger than the scratch (so alone in it): applied slice by slice. A commit between
                // two slices keeps the checkpoint at or before this entry, so a replay re-applies all of it.
                groupSize = 0;
                while (n > 0) {
                    applySlice(n, index);
                    total += n;
                    n = nextSlice();
                }
                entryApplied(index);
                continue;
            }
            if (grouped == 0) {
                groupSize = 0;
            }
            if (groupSize == groupStarts.length) {
                groupStarts = java.util.Arrays.copyOf(groupStarts, groupSize * 2);
                groupEntries = java.util.Arrays.copyOf(groupEntries, groupSize * 2);
            }
            groupStarts[groupSize] = grouped;
            groupEntries[groupSize] = index;
            groupSize++;
            grouped += n;
        }
        if (grouped > 0) {
            total += applyGroup(grouped);
        }
        return total;
    }

    /** Applies the {@code n} samples of the group's entries in the scratch; returns n. */
    private int applyGroup(int n) {
        long last = groupEntries[groupSize - 1];
        applySlice(n, groupEntries[0]);
        groupSize = 0;
        entryApplied(last);
        return n;
    }

    /** The index of the entry the sample at {@code position} of the slice came from. */
    private long entryOf(int position) {
        if (groupSize <= 1) {
            return groupSize == 0 ? sliceIndex : groupEntries[0];
        }
        int lo = 0;
        int hi = groupSize - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (groupStarts[mid] <= position) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return groupEntries[lo];
    }

    /** Everything up to this entry is applied to memory. */
    private void entryApplied(long index) {
        lastReadIndex = index;
        appliedIndex = index;
        if (!replayDone && index >= replayTarget) {
            replayDone = true;
        }
    }

    /**
     * Grows the scratch so that entries applied together can hold {@link #MIN_SAMPLES_PER_RUN}
     * samples of every registered tag, up to {@link #MAX_GROUP_SAMPLES} and a quarter of the
     * open samples' bound.
     */
    private void growScratch() {
        // Open chunks are checked against their memory bound after each slice: a group may add
        // at most a quarter of the bound before that check.
        long wanted = Math.min(Math.min(MAX_GROUP_SAMPLES, (long) MIN_SAMPLES_PER_RUN * registry.size()),
                Math.max(JournalEntryCodec.MAX_SAMPLES, openSamplesLimit / 4));
        if (wanted <= tagIds.length) {
            return;
        }
        int capacity = Math.min(MAX_GROUP_SAMPLES, Math.max((int) wanted, tagIds.length * 2));
        tagIds = new int[capacity];
        timestamps = new long[capacity];
        values = new double[capacity];
        qualities = new int[capacity];
        runOrder = new int[capacity];
    }

    /** The next slice of an entry already validated as a whole (an entry of one slice has none). */
    private int nextSlice() {
        try {
            return slices.next(tagIds, timestamps, values, qualities);
        } catch (CorruptEntryException e) {
            throw new IllegalStateException("a validated journal entry failed to decode", e);
        }
    }

    private void applySlice(int n, long index) {
        sliceIndex = index;
        var lock = stateLock.writeLock();
        lock.lock();
        try {
            if (!applyByTag(n)) {
                applyInOrder(n);
            }
        } finally {
            lock.unlock();
        }
        publishCounts();
        readSamples.addAndGet(n);
        if (!replayDone) {
            replayed.addAndGet(n);
        }
        if (openSamples > openSamplesLimit) {
            sealLargest();
        }
        if (pendingSamples >= PENDING_COMMIT_SAMPLES) {
            commit();
        }
    }

    /** Applies the slice sample by sample, in entry order. */
    private void applyInOrder(int n) {
        // The entry of each sample, followed along the slice: positions only grow.
        int entry = 0;
        long index = groupSize == 0 ? sliceIndex : groupEntries[0];
        for (int from = 0; from < n; from += TOUCH_GROUP) {
            int to = Math.min(n, from + TOUCH_GROUP);
            long touched = 0;
            for (int i = from; i < to; i++) {
                touched += touch(tagIds[i]);
            }
            touchSink = touched;
            for (int i = from; i < to; i++) {
                while (entry + 1 < groupSize && groupStarts[entry + 1] <= i) {
                    entry++;
                    index = groupEntries[entry];
                }
                apply(tagIds[i], timestamps[i], values[i], qualities[i], index);
            }
        }
    }

    /**
     * Applies a slice of few tags tag by tag: a stable counting sort by tag id gives each tag's
     * samples as one run, in entry order, and a run that only extends the tag's open chunk is
     * copied in with the per-tag checks done once, not per sample. Samples of different tags never
     * meet in one chunk, and each tag's samples keep their order, so the outcome is what
     * {@link #applyInOrder} gives; any run that is not a plain append (late, duplicate or unsorted
     * samples, a filtered tag) goes through {@link #apply} sample by sample.
     *
     * @return false, having done nothing, when the slice has too few samples per tag to gain
     */
    private boolean applyByTag(int n) {
        int maxId = -1;
        for (int i = 0; i < n; i++) {
            maxId = Math.max(maxId, tagIds[i]);
        }
        int tags = maxId + 1;
        if (n < MIN_SAMPLES_PER_RUN * tags) {
            return false;
        }
        if (runEnds.length < tags) {
            runEnds = new int[Math.max(tags, runEnds.length * 2)];
        }
        int[] ends = runEnds;
        java.util.Arrays.fill(ends, 0, tags, 0);
        for (int i = 0; i < n; i++) {
            ends[tagIds[i]]++;
        }
        int sum = 0;
        for (int t = 0; t < tags; t++) {
            int c = ends[t];
            ends[t] = sum;
            sum += c;
        }
        int[] order = runOrder;
        for (int i = 0; i < n; i++) {
            order[ends[tagIds[i]]++] = i;
        }
        // ends[t] is now where tag t's run ends, and so where tag t + 1's begins.
        int from = 0;
        for (int group = 0; group < tags; group += TOUCH_GROUP) {
            int groupEnd = Math.min(tags, group + TOUCH_GROUP);
            // With many tags, entries applied together give each a short run: load the group's
            // states and open chunks first, so that their cache misses overlap (see touch).
            long touched = 0;
            for (int t = group; t < groupEnd; t++) {
                touched += touch(t);
            }
            touchSink = touched;
            for (int t = group; t < groupEnd; t++) {
                int to = ends[t];
                if (to > from) {
                    applyRun(t, from, to);
                }
                from = to;
            }
        }
        return true;
    }

    /** Applies the samples {@code runOrder[from, to)} of one tag, in that order. */
    private void applyRun(int tagId, int from, int to) {
        TagState st = current(tagId);
        int[] order = runOrder;
        if (st.filter == null && appendsOnly(st, from, to)) {
            int maxSamples = settings.chunkMaxSamples();
            for (int k = from; k < to; ) {
                MutableChunk open = openChunk(st);
                int len = Math.min(to - k, maxSamples - open.count);
                if (len <= 0) {
                    seal(tagId, st);
                    continue;
                }
                // A run keeps entry order, so the piece's first sample comes from its earliest entry.
                long index = entryOf(order[k]);
                open.appendAll(timestamps, values, qualities, order, k, len);
                open.newSamples += len;
                entryNew += len;
                openSamples += len;
                if (index < open.firstEntryIndex) {
                    open.firstEntryIndex = index;
                }
                k += len;
                if (open.count >= maxSamples) {
                    seal(tagId, st);
                }
            }
            return;
        }
        for (int k = from; k < to; k++) {
            int i = order[k];
            apply(tagId, timestamps[i], values[i], qualities[i], entryOf(i));
        }
    }

    /** True if every sample of the run lies after all the tag holds, in strictly rising time, and after the tiering cutoff. */
    private boolean appendsOnly(TagState st, int from, int to) {
        int[] order = runOrder;
        long prev = st.lastStoredTs;
        MutableChunk open = st.open;
        if (open != null && open.count > 0) {
            prev = Math.max(prev, open.last());
        }
        long first = timestamps[order[from]];
        if (first < tieringCutoff) {
            return false;
        }
        for (int k = from; k < to; k++) {
            long ts = timestamps[order[k]];
            if (ts <= prev) {
                return false;
            }
            prev = ts;
        }
        return true;
    }

    /** The tag's open chunk, taken from the spare chunks (or made) if it has none. */
    private MutableChunk openChunk(TagState st) {
        MutableChunk open = st.open;
        if (open == null) {
            open = spareChunks.poll();
            if (open == null) {
                open = new MutableChunk(64);
            } else {
                spareCapacity -= open.timestamps.length;
                open.reset();
            }
            open.openedAtMillis = clockMillis.getAsLong();
            st.open = open;
        }
        return open;
    }

    /**
     * Loads what {@link #apply} will read for a tag: its state, its open chunk and the chunk's
     * append slot. With many tags every sample's state is a cache miss, and {@code apply} chases
     * it one pointer at a time; a loop of these independent loads over a group of samples lets
     * the processor wait for the group's misses together, so {@code apply} then finds them cached.
     */
    private long touch(int tagId) {
        TagState[] s = states;
        if (tagId >= s.length) {
            return 0;
        }
        TagState st = s[tagId];
        if (st == null) {
            return 0;
        }
        MutableChunk open = st.open;
        if (open == null) {
            return st.lastStoredTs;
        }
        int slot = Math.min(open.count, open.timestamps.length - 1);
        return open.timestamps[slot] + open.qualities[slot] + Double.doubleToRawLongBits(open.values[slot]);
    }

    private void housekeeping(boolean idle) {
        long now = clockMillis.getAsLong();
        if (now - lastAgeCheckMillis >= 100 || now < lastAgeCheckMillis) {
            lastAgeCheckMillis = now;
            sealAged(now);
        }
        if (journal.underPressure()) {
            sealPinningOldestSegment();
            commit();
        } else if (pendingSamples > 0 && (idle || now - lastCommitMillis >= settings.commitInterval().toMillis())) {
            commit();
        } else if (idle && !replayDone) {
            replayDone = true;
        }
    }

    // ---- applying samples ----

    private TagState state(int tagId) {
        if (tagId >= states.length) {
            states = java.util.Arrays.copyOf(states, Math.max(tagId + 1, states.length * 2));
        }
        TagState st = states[tagId];
        if (st == null) {
            st = new TagState();
            redefine(tagId, st, registry.definition(tagId));
            states[tagId] = st;
        }
        if (!st.lastStoredKnown) {
            st.lastStoredKnown = true;
            try (RocksChunkStore.ChunkIterator it = store.chunksBackward(tagId, Long.MAX_VALUE, null)) {
                if (it.next()) {
                    st.lastStoredTs = header(tagId, it.start(), it.value()).lastTimestamp();
                }
            }
        }
        return st;
    }

    /** Read access for readers holding the read lock. */
    TagState peek(int tagId) {
        TagState[] s = states;
        return tagId < s.length ? s[tagId] : null;
    }

    /** The tag's state, brought up to its current definition (a filter or interpolation may have changed). */
    private TagState current(int tagId) {
        TagState st = state(tagId);
        TagDefinition def = registry.definition(tagId);
        if (def != st.definition) {
            redefine(tagId, st, def);
        }
        return st;
    }

    private void apply(int tagId, long ts, double v, int q, long entryIndex) {
        TagState st = current(tagId);
        SampleFilter f = st.filter;
        if (f == null) {
            store(tagId, st, ts, v, q, entryIndex);
            return;
        }
        filtering.begin(tagId, st, ts, entryIndex);
        f.offer(ts, v, q, filtering);
        filtering.end();
    }

    /**
     * Feeds a filter's output to the chunks, each sample with the journal entry it came from, and
     * afterwards records the entries of what the filter still holds: the journal checkpoint must
     * not pass them, or a crash would lose them (the filter's state lives only in memory).
     */
    private final class FilterOutput implements Emitter {
        private int tagId;
        private TagState st;
        private long offeredT;
        private long offeredEntry;
        private long snapshotT;
        private long snapshotEntry;
        private long heldBackT;
        private long heldBackEntry;

        void begin(int tagId, TagState st, long ts, long entryIndex) {
            this.tagId = tagId;
            this.st = st;
            SampleFilter f = st.filter;
            offeredT = ts;
            offeredEntry = entryIndex;
            snapshotT = f.hasSnapshot() ? f.snapshotTime() : Long.MIN_VALUE;
            snapshotEntry = st.snapshotEntry;
            heldBackT = f.hasHeldBack() ? f.heldBackTime() : Long.MIN_VALUE;
            heldBackEntry = st.heldBackEntry;
        }

        /** The entry a sample the filter emits or holds came from: it is the offered one or one it held. */
        private long entryOf(long t) {
            if (t == offeredT) {
                return offeredEntry;
            }
            long e = Long.MAX_VALUE;
            if (t == snapshotT) {
                e = snapshotEntry;
            }
            if (t == heldBackT) {
                e = Math.min(e, heldBackEntry);
            }
            // Unknown: the oldest candidate keeps the checkpoint safe.
            return e != Long.MAX_VALUE ? e : Math.min(offeredEntry, Math.min(snapshotEntry, heldBackEntry));
        }

        @Override
        public void emit(long t, double v, int quality) {
            store(tagId, st, t, v, quality, entryOf(t));
        }

        void end() {
            SampleFilter f = st.filter;
            st.snapshotEntry = f.hasSnapshot() ? entryOf(f.snapshotTime()) : Long.MAX_VALUE;
            st.heldBackEntry = f.hasHeldBack() ? entryOf(f.heldBackTime()) : Long.MAX_VALUE;
            st = null;
        }

        void flush(int tagId, TagState st) {
            begin(tagId, st, Long.MIN_VALUE, Long.MAX_VALUE);
            st.filter.flush(this);
            end();
        }
    }

    private final FilterOutput filtering = new FilterOutput();

    /**
     * Follows a tag's definition: a filter set or changed by {@code register} applies from the next
     * sample on; what the old filter held is archived first, so nothing is lost in the change.
     */
    private void redefine(int tagId, TagState st, TagDefinition def) {
        if (st.filter != null) {
            filtering.flush(tagId, st);
        }
        st.filter = def.hasFilter() ? SampleFilter.of(def, FIDELITY_CAPACITY) : null;
        st.definition = def;
    }

    /** Archives what every filter still holds (at close), so that nothing accepted is lost. */
    private void flushFilters() {
        var lock = stateLock.writeLock();
        lock.lock();
        try {
            for (int id = 0; id < states.length; id++) {
                TagState st = states[id];
                if (st != null && st.filter != null) {
                    filtering.flush(id, st);
                }
            }
        } finally {
            lock.unlock();
        }
        publishCounts();
    }

    /** Publishes what the samples applied since the last call counted: once per slice, not per sample. */
    private void publishCounts() {
        pending.addAndGet(entryNew);
        duplicates.addAndGet(entryDuplicates);
        appliedSamples.addAndGet(entryNew + entryDuplicates);
        entryNew = 0;
        entryDuplicates = 0;
    }

    /** The filter report of a tag, or null when it has no filter (or no sample yet). */
    FilterStats filterStats(int tagId) {
        var lock = stateLock.readLock();
        lock.lock();
        try {
            TagState st = peek(tagId);
            return st == null || st.filter == null ? null : st.filter.stats();
        } finally {
            lock.unlock();
        }
    }

    /** Per tag id: whether a formula computes the tag. */
    private volatile boolean[] derived = new boolean[0];

    /** The tags formulas compute; set before replay and again once the formulas are compiled. */
    void derivedTags(java.util.Set<Integer> ids) {
        boolean[] d = new boolean[ids.stream().mapToInt(Integer::intValue).max().orElse(-1) + 1];
        for (int id : ids) {
            d[id] = true;
        }
        derived = d;
    }

    /** Samples before it are in the cold tier; set by the engine before replay and when tiering raises it. */
    volatile long tieringCutoff = Long.MIN_VALUE;

    private void store(int tagId, TagState st, long ts, double v, int q, long entryIndex) {
        if (ts < tieringCutoff) {
            // Only a replayed entry brings one: the write path refuses them, so this sample was tiered already.
            entryDuplicates++;
            return;
        }
        boolean[] derivedIds = derived;
        // A derived sample at an existing time is a recalculation: it replaces whatever the duplicate policy.
        DuplicatePolicy policy = tagId < derivedIds.length && derivedIds[tagId] ? DuplicatePolicy.LAST_WRITE_WINS
                : storePolicy;
        if (ts > st.lastStoredTs) {
            MutableChunk open = openChunk(st);
            if (count(open.insert(ts, v, q, policy), open)) {
                openSamples++;
            }
            if (entryIndex < open.firstEntryIndex) {
                open.firstEntryIndex = entryIndex;
            }
            if (open.count >= settings.chunkMaxSamples()) {
                seal(tagId, st);
            }
            return;
        }
        MutableChunk target = chunkFor(tagId, st, ts);
        count(target.insert(ts, v, q, policy), target);
        pendingSamples++;
    }


    private boolean count(int result, MutableChunk chunk) {
        if (result == MutableChunk.ADDED) {
            chunk.newSamples++;
            entryNew++;
            return true;
        }
        entryDuplicates++;
        return false;
    }

    /**
     * The chunk a late sample (at or before the tag's newest stored sample) belongs to: the one
     * with the greatest start at or before it, or the tag's first chunk, made pending.
     */
    private MutableChunk chunkFor(int tagId, TagState st, long ts) {
        Map.Entry<Long, MutableChunk> memFloor = st.pending.floorEntry(ts);
        if (memFloor != null && memFloor.getValue().last() >= ts) {
            // Inside a pending chunk's span: chunks never overlap, so no stored chunk starts nearer.
            // A late batch thus opens a store iterator per chunk it touches, not per sample.
            return memFloor.getValue();
        }
        long storeFloor = Long.MIN_VALUE;
        byte[] storeBytes = null;
        try (RocksChunkStore.ChunkIterator it = store.chunksBackward(tagId, ts, null)) {
            while (it.next()) {
                if (!st.hiddenKeys.contains(it.start())) {
                    storeFloor = it.start();
                    storeBytes = it.value();
                    break;
                }
            }
        }
        if (memFloor != null && (storeBytes == null || memFloor.getKey() >= storeFloor)) {
            return memFloor.getValue();
        }
        if (storeBytes != null) {
            return loadPending(tagId, st, storeFloor, storeBytes);
        }
        // Before every chunk: merge into the first one, which then starts earlier.
        Map.Entry<Long, MutableChunk> memFirst = st.pending.firstEntry();
        long storeFirst = Long.MAX_VALUE;
        byte[] firstBytes = null;
        try (RocksChunkStore.ChunkIterator it = store.chunks(tagId, Long.MIN_VALUE, null)) {
            while (it.next()) {
                if (!st.hiddenKeys.contains(it.start())) {
                    storeFirst = it.start();
                    firstBytes = it.value();
                    break;
                }
            }
        }
        MutableChunk first;
        if (memFirst != null && (firstBytes == null || memFirst.getKey() < storeFirst)) {
            first = memFirst.getValue();
        } else if (firstBytes != null) {
            first = loadPending(tagId, st, storeFirst, firstBytes);
        } else {
            // No chunk at all (retention or tiering removed every one): the sample starts a new one.
            MutableChunk fresh = new MutableChunk(16);
            st.pending.put(ts, fresh);
            markPending(tagId, st);
            return fresh;
        }
        // Re-key: the chunk's first timestamp becomes ts.
        st.pending.remove(first.first());
        st.pending.put(ts, first);
        return first;
    }

    private MutableChunk loadPending(int tagId, TagState st, long start, byte[] bytes) {
        ChunkHeader h = header(tagId, start, bytes);
        int n = h.count();
        ensureDecodeCapacity(n);
        decode(tagId, start, bytes);
        MutableChunk c = MutableChunk.of(decodeTs, decodeValues, decodeQualities, n);
        c.storedKey = start;
        st.hiddenKeys.add(start);
        st.pending.put(c.first(), c);
        markPending(tagId, st);
        return c;
    }

    private void markPending(int tagId, TagState st) {
        if (!st.listedPending) {
            st.listedPending = true;
            withPending.add(st);
            withPendingIds.add(tagId);
        }
    }

    private void seal(int tagId, TagState st) {
        MutableChunk open = st.open;
        st.open = null;
        if (open == null || open.count == 0) {
            return;
        }
        openSamples -= open.count;
        pendingSamples += open.count;
        st.pending.put(open.first(), open);
        st.lastStoredTs = Math.max(st.lastStoredTs, open.last());
        markPending(tagId, st);
    }

    private void sealAged(long now) {
        long maxAge = settings.chunkMaxAge().toMillis();
        var lock = stateLock.writeLock();
        lock.lock();
        try {
            for (int id = 0; id < states.length; id++) {
                TagState st = states[id];
                if (st != null && st.open != null && now - st.open.openedAtMillis >= maxAge) {
                    seal(id, st);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    void sealAll() {
        var lock = stateLock.writeLock();
        lock.lock();
        try {
            for (int id = 0; id < states.length; id++) {
                TagState st = states[id];
                if (st != null && st.open != null) {
                    seal(id, st);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under journal pressure: seals the open chunks whose first sample came from the oldest journal
     * segment any of them pins, when that segment lies before the one being read; the commit that
     * follows releases it. Sealing every open chunk instead releases nothing more while the store
     * writer trails the journal (its backlog is then what fills the journal), yet cuts every tag's
     * chunk short on each pass: with 100,000 tags, chunks of a few samples.
     */
    private void sealPinningOldestSegment() {
        if (lastReadIndex < 0) {
            return;
        }
        int readCycle = journal.cycleOf(lastReadIndex);
        int oldest = Integer.MAX_VALUE;
        for (TagState st : states) {
            if (st != null && st.open != null && st.open.firstEntryIndex != Long.MAX_VALUE) {
                oldest = Math.min(oldest, journal.cycleOf(st.open.firstEntryIndex));
            }
        }
        if (oldest >= readCycle) {
            return;
        }
        var lock = stateLock.writeLock();
        lock.lock();
        try {
            for (int id = 0; id < states.length; id++) {
                TagState st = states[id];
                if (st != null && st.open != null && st.open.firstEntryIndex != Long.MAX_VALUE
                        && journal.cycleOf(st.open.firstEntryIndex) <= oldest) {
                    seal(id, st);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void sealLargest() {
        var lock = stateLock.writeLock();
        lock.lock();
        try {
            int threshold = Math.max(16, settings.chunkMaxSamples() / 4);
            for (int id = 0; id < states.length && openSamples > openSamplesLimit / 2; id++) {
                TagState st = states[id];
                if (st != null && st.open != null && st.open.count >= threshold) {
                    seal(id, st);
                }
            }
            if (openSamples > openSamplesLimit / 2) {
                for (int id = 0; id < states.length; id++) {
                    TagState st = states[id];
                    if (st != null && st.open != null) {
                        seal(id, st);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        commit();
    }

    // ---- committing ----

    /** Writes every pending chunk and the checkpoint in one batch, then releases journal segments. */
    void commit() {
        commit(null);
    }

    /**
     * Like {@link #commit()}, with {@code extra} staging more records in the same batch, which is
     * then written synced: what it records becomes durable exactly with the chunks.
     */
    void commit(java.util.function.Consumer<WriteBatch> extra) {
        if (lastReadIndex < 0 && withPending.isEmpty() && extra == null) {
            return;
        }
        long startNanos = System.nanoTime();
        long checkpoint = Long.MAX_VALUE;
        for (TagState st : states) {
            if (st == null) {
                continue;
            }
            if (st.open != null && st.open.firstEntryIndex < checkpoint) {
                checkpoint = st.open.firstEntryIndex;
            }
            checkpoint = Math.min(checkpoint, Math.min(st.snapshotEntry, st.heldBackEntry));
        }
        boolean after = checkpoint == Long.MAX_VALUE;
        if (after) {
            checkpoint = lastReadIndex;
        }
        long newSamples = 0;
        long chunks = 0;
        try (WriteBatch batch = new WriteBatch()) {
            for (int i = 0; i < withPending.size(); i++) {
                TagState st = withPending.get(i);
                int tagId = withPendingIds.get(i);
                if (!st.hiddenKeys.isEmpty()) {
                    for (long hidden : st.hiddenKeys) {
                        store.deleteChunk(batch, tagId, hidden);
                    }
                }
                for (MutableChunk c : st.pending.values()) {
                    chunks += stage(batch, tagId, c);
                    newSamples += c.newSamples;
                }
            }
            if (checkpoint >= 0) {
                store.putCheckpoint(batch, checkpoint, after);
            }
            if (extra != null) {
                extra.accept(batch);
            }
            // The store write and the removal of the pending copies happen under the write lock, so
            // a reader sees either the old snapshot with the pending chunks or the new one without.
            var lock = stateLock.writeLock();
            lock.lock();
            try {
                store.write(batch, extra != null);
                clearPending();
            } finally {
                lock.unlock();
            }
        }
        stored.addAndGet(newSamples);

        pending.addAndGet(-newSamples);
        committedChunks.addAndGet(chunks);
        commits.incrementAndGet();
        commitNanos.addAndGet(System.nanoTime() - startNanos);
        pendingSamples = 0;
        lastCommitMillis = clockMillis.getAsLong();
        if (checkpoint >= 0) {
            int cycle = journal.cycleOf(checkpoint);
            if (cycle > releasedCycle) {
                store.syncWal();
                journal.release(checkpoint);
                releasedCycle = cycle;
            }
        }
    }

    private void clearPending() {
        int full = settings.chunkMaxSamples();
        for (TagState st : withPending) {
            for (MutableChunk c : st.pending.values()) {
                // Committed chunks go back to the pool: growing a fresh open chunk allocates about
                // 40 bytes per sample, and with many tags chunks are sealed early, all at once.
                int capacity = c.timestamps.length;
                if (capacity >= 64 && capacity <= 2 * full && spareCapacity + capacity <= spareCapacityLimit) {
                    spareChunks.add(c);
                    spareCapacity += capacity;
                }
            }
            st.pending.clear();
            st.hiddenKeys.clear();
            st.listedPending = false;
        }
        withPending.clear();
        withPendingIds.clear();
    }

    /** Stages a chunk, split in pieces of chunkMaxSamples when merges made it too large. */
    private int stage(WriteBatch batch, int tagId, MutableChunk c) {
        int max = settings.chunkMaxSamples();
        if (c.count <= 2 * max) {
            int length = codec.encodeToBuffer(c.timestamps, c.values, c.qualities, c.count);
            store.putChunk(batch, tagId, c.first(), codec.encoded(), length, putBuffers);
            return 1;
        }
        int pieces = 0;
        for (int off = 0; off < c.count; off += max) {
            int n = Math.min(max, c.count - off);
            long[] ts = java.util.Arrays.copyOfRange(c.timestamps, off, off + n);
            double[] vs = java.util.Arrays.copyOfRange(c.values, off, off + n);
            int[] qs = java.util.Arrays.copyOfRange(c.qualities, off, off + n);
            int length = codec.encodeToBuffer(ts, vs, qs, n);
            store.putChunk(batch, tagId, ts[0], codec.encoded(), length, putBuffers);
            pieces++;
        }
        return pieces;
    }

    // ---- merging short chunks ----

    /** Bytes of merged chunks staged before they are written, so that a merge of many tags stays in bounded memory. */
    private static final long MERGE_BATCH_BYTES = 8 << 20;

    /** Chunks one merge task looks at (whole tags) before it hands the thread back to applying the journal. */
    static final int MERGE_SLICE_CHUNKS = 16_384;

    /**
     * Rewrites each tag's runs of consecutive committed chunks that together hold at most
     * {@code chunkMaxSamples} samples and start in the same tiering partition as one chunk each;
     * the samples are unchanged. Chunks are cut short when many tags share the open chunks'
     * memory bound, by age, and at close, and every chunk costs a header and a key: merged, they
     * take less disk and fewer reads. Chunks behind the tiering cutoff are left to tiering, and a
     * chunk that does not decode is left as it is, for {@code verify} to report.
     *
     * <p>Works from tag {@code fromTag} on, a slice of about {@link #MERGE_SLICE_CHUNKS} chunks,
     * so that the journal is applied between slices. Commits first: a merge reads the store, so
     * no tag may have pending chunks; open chunks start after every stored sample and are not
     * touched.
     *
     * @return the tag to go on from, or -1 when every tag is done
     */
    int mergeShortChunks(int fromTag) {
        commit();
        int max = settings.chunkMaxSamples();
        // Within one tiering partition (a UTC day by default): a merged chunk reaching into the next
        // partition would hold this one back from tiering, and from retention, until that one goes.
        long partition = settings.tiering() != null ? settings.tiering().partition().toMillis()
                : java.time.Duration.ofDays(1).toMillis();
        long[] ts = new long[max];
        double[] vs = new double[max];
        int[] qs = new int[max];
        byte[] scratch = new byte[64 << 10];
        List<Long> runStarts = new ArrayList<>();
        int visited = 0;
        int tagId = fromTag;
        WriteBatch batch = new WriteBatch();
        try {
            for (; tagId < registry.size() && visited < MERGE_SLICE_CHUNKS; tagId++) {
                runStarts.clear();
                int runCount = 0;
                long runLast = Long.MIN_VALUE;
                long runPartition = Long.MIN_VALUE;
                long cutoff = tieringCutoff;
                try (RocksChunkStore.ChunkIterator it = store.chunks(tagId, cutoff, null)) {
                    while (it.next()) {
                        if (it.start() < cutoff) {
                            continue;
                        }
                        visited++;
                        // Only the header is needed here; the bytes of a run are read again to merge it.
                        int length = it.valueInto(scratch);
                        byte[] bytes = length <= scratch.length ? scratch : it.value();
                        ChunkHeader h;
                        try {
                            h = ChunkCodec.readHeader(bytes, length);
                        } catch (CorruptChunkException e) {
                            h = null;
                        }
                        long part = Math.floorDiv(it.start(), partition);
                        boolean joins = h != null && runCount + h.count() <= max && h.firstTimestamp() > runLast
                                && part == runPartition;
                        if (!joins) {
                            mergeRun(batch, tagId, runStarts, ts, vs, qs);
                            runStarts.clear();
                            runCount = 0;
                        }
                        if (h == null) {
                            runLast = Long.MIN_VALUE;
                            continue;
                        }
                        runStarts.add(it.start());
                        runPartition = part;
                        runCount += h.count();
                        runLast = h.lastTimestamp();
                    }
                }
                mergeRun(batch, tagId, runStarts, ts, vs, qs);
                if (batch.getDataSize() >= MERGE_BATCH_BYTES) {
                    writeMerged(batch);
                    batch.close();
                    batch = new WriteBatch();
                }
            }
            writeMerged(batch);
        } finally {
            batch.close();
        }
        return tagId < registry.size() ? tagId : -1;
    }

    /**
     * Stages one chunk for a run of two or more under the first one's key, and the removal of the
     * others. A chunk that does not decode stays as it is, and the chunks on either side of it are
     * merged apart.
     */
    private void mergeRun(WriteBatch batch, int tagId, List<Long> starts, long[] ts, double[] vs, int[] qs) {
        if (starts.size() < 2) {
            return;
        }
        int from = 0;
        int n = 0;
        for (int i = 0; i < starts.size(); i++) {
            byte[] bytes = store.readChunk(tagId, starts.get(i));
            int count;
            try {
                if (bytes == null) {
                    throw new CorruptChunkException("chunk gone while merging");
                }
                count = ChunkCodec.readHeader(bytes).count();
                ensureDecodeCapacity(count);
                codec.decode(bytes, decodeTs, decodeValues, decodeQualities);
            } catch (CorruptChunkException e) {
                stageMerged(batch, tagId, starts, from, i, ts, vs, qs, n);
                from = i + 1;
                n = 0;
                continue;
            }
            System.arraycopy(decodeTs, 0, ts, n, count);
            System.arraycopy(decodeValues, 0, vs, n, count);
            System.arraycopy(decodeQualities, 0, qs, n, count);
            n += count;
        }
        stageMerged(batch, tagId, starts, from, starts.size(), ts, vs, qs, n);
    }

    /** Stages the {@code n} samples of chunks {@code [from, to)} as one chunk when they are two or more. */
    private void stageMerged(WriteBatch batch, int tagId, List<Long> starts, int from, int to, long[] ts, double[] vs,
            int[] qs, int n) {
        if (to - from < 2) {
            return;
        }
        int length = codec.encodeToBuffer(ts, vs, qs, n);
        store.putChunk(batch, tagId, starts.get(from), codec.encoded(), length, putBuffers);
        for (int i = from + 1; i < to; i++) {
            store.deleteChunk(batch, tagId, starts.get(i));
        }
    }

    private void writeMerged(WriteBatch batch) {
        if (batch.count() == 0) {
            return;
        }
        // The same lock as a commit: a reader sees the chunks before the merge or after it.
        var lock = stateLock.writeLock();
        lock.lock();
        try {
            store.write(batch, false);
        } finally {
            lock.unlock();
        }
    }

    // ---- retention ----

    /** Deletes every chunk that lies wholly before {@code horizon}; returns the count. */
    long applyRetention(long horizon) {
        commit();
        long deleted = 0;
        for (int tagId = 0; tagId < registry.size(); tagId++) {
            long keepFrom = Long.MIN_VALUE;
            int n = 0;
            try (RocksChunkStore.ChunkIterator it = store.chunks(tagId, Long.MIN_VALUE, null)) {
                while (it.next()) {
                    ChunkHeader h = header(tagId, it.start(), it.value());
                    if (h.lastTimestamp() >= horizon) {
                        keepFrom = it.start();
                        break;
                    }
                    n++;
                    keepFrom = it.start() + 1;
                }
            }
            if (n > 0) {
                store.deleteRange(tagId, Long.MIN_VALUE, keepFrom);
                deleted += n;
            }
        }
        retentionDeleted.addAndGet(deleted);
        return deleted;
    }

    // ---- moving the tiering cutoff ----

    /**
     * The store writer's part of raising the tiering cutoff (see {@link Lifecycle}): applies every
     * journal entry up to {@code through} (appended before the cutoff rose; the write path refuses
     * samples behind it since), archives what filters hold from before the cutoff (a held
     * snapshot or held-back input), seals the open chunks that start before the cutoff, and commits
     * them with {@code record} staged in the same synced batch. From then on no chunk behind the
     * cutoff changes, and a replay drops samples behind it: every one of them was committed.
     */
    void drain(long through, long cutoff, java.util.function.Consumer<WriteBatch> record) {
        int idle = 0;
        while (lastReadIndex < through) {
            if (applyAvailable() == 0) {
                // Appended before the cutoff rose, so it is in the journal; the tailer sees it shortly.
                LockSupport.parkNanos(Math.min(1_000_000, 10_000L << Math.min(idle++, 6)));
            }
        }
        var lock = stateLock.writeLock();
        lock.lock();
        try {
            for (int id = 0; id < states.length; id++) {
                TagState st = states[id];
                if (st != null && st.filter != null && holdsBefore(st.filter, cutoff)) {
                    // Once the cutoff passes it, a held sample the filter archived later would be dropped.
                    filtering.flush(id, st);
                }
                if (st != null && st.open != null && st.open.count > 0 && st.open.first() < cutoff) {
                    seal(id, st);
                }
            }
        } finally {
            lock.unlock();
        }
        publishCounts();
        commit(record);
        tieringCutoff = Math.max(tieringCutoff, cutoff);
    }

    private static boolean holdsBefore(SampleFilter f, long cutoff) {
        return (f.hasSnapshot() && f.snapshotTime() < cutoff) || (f.hasHeldBack() && f.heldBackTime() < cutoff);
    }

    // ---- chunk decoding ----

    private ChunkHeader header(int tagId, long start, byte[] bytes) {
        try {
            return ChunkCodec.readHeader(bytes);
        } catch (CorruptChunkException e) {
            throw Reads.corrupt(tagId, registry, start, e);
        }
    }

    private void decode(int tagId, long start, byte[] bytes) {
        try {
            codec.decode(bytes, decodeTs, decodeValues, decodeQualities);
        } catch (CorruptChunkException e) {
            throw Reads.corrupt(tagId, registry, start, e);
        }
    }

    private void ensureDecodeCapacity(int n) {
        if (decodeTs.length < n) {
            decodeTs = new long[n];
            decodeValues = new double[n];
            decodeQualities = new int[n];
        }
    }

    /** Pauses or resumes applying; a test seam. */
    void paused(boolean paused) {
        this.paused = paused;
    }
}
