package io.historian.internal.engine;

import io.historian.Interpolation;
import io.historian.Quality;
import io.historian.Sample;
import io.historian.internal.codec.ChunkCodec;
import io.historian.internal.codec.CorruptChunkException;
import io.historian.internal.query.ChunkWalk;
import io.historian.internal.query.SeriesView;
import io.historian.internal.store.CorruptStoreException;
import io.historian.internal.store.RocksChunkStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.rocksdb.Snapshot;

/**
 * A consistent read view of one tag: a store snapshot plus copies of the tag's in-memory chunks,
 * taken together under the store state's read lock. Chunks of a tag never overlap in time, so
 * walking them by first timestamp yields samples in time order.
 *
 * <p><b>Threads:</b> used by one reader thread; {@link #close()} releases the snapshot.
 */
final class TagView implements SeriesView {
    private final RocksChunkStore store;
    private final Reads reads;
    private final int tagId;
    private final String tag;
    private final Interpolation interpolation;
    private final Snapshot snapshot;
    /** The tag's tiered segments as the snapshot's manifest lists them; null without a cold tier. */
    private final ColdView cold;
    private final List<MutableChunk> memory = new ArrayList<>();
    private final Set<Long> hidden;
    private final List<Walk> walks = new ArrayList<>();
    // Volatile, not synchronized: cursors check it per sample, and a monitor there cost more than decoding.
    private volatile boolean closed;

    /** Called under the state read lock. */
    TagView(RocksChunkStore store, TagRegistry registry, Reads reads, int tagId, String tag, TagState state) {
        this.store = store;
        this.reads = reads;
        this.tagId = tagId;
        this.tag = tag;
        this.interpolation = registry.definition(tagId).interpolation();
        this.snapshot = store.snapshot();
        this.cold = reads.coldView(tagId, tag, snapshot);
        reads.remember(this);
        if (state != null) {
            for (MutableChunk c : state.pending.values()) {
                copy(c);
            }
            if (state.open != null) {
                copy(state.open);
            }
            hidden = new HashSet<>(state.hiddenKeys);
        } else {
            hidden = Set.of();
        }
        memory.sort(Comparator.comparingLong(MutableChunk::first));
    }

    private void copy(MutableChunk c) {
        if (c.count > 0) {
            memory.add(copyAll(c));
        }
    }

    private static MutableChunk copyAll(MutableChunk c) {
        return MutableChunk.of(c.timestamps, c.values, c.qualities, c.count);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String tag() {
        return tag;
    }

    @Override
    public Interpolation interpolation() {
        return interpolation;
    }

    @Override
    public ChunkWalk chunks(long from) {
        return new Walk(from, true);
    }

    /** The last sample at or before {@code ts}, or null. */
    @Override
    public Sample previous(long ts) {
        try (Walk walk = new Walk(ts, false)) {
            while (walk.next()) {
                int i = walk.lowerBound(ts == Long.MAX_VALUE ? ts : ts + 1) - 1;
                if (ts == Long.MAX_VALUE && walk.count > 0 && walk.timestamps[walk.count - 1] == Long.MAX_VALUE) {
                    i = walk.count - 1;
                }
                if (i >= 0) {
                    return walk.sample(i);
                }
            }
            return null;
        }
    }

    @Override
    public Sample previousNonBad(long ts) {
        // One backward walk: a long run of Bad samples costs a decode per chunk, not a seek per sample.
        try (Walk walk = new Walk(ts, false)) {
            while (walk.next()) {
                int i = ts == Long.MAX_VALUE ? walk.count - 1 : walk.lowerBound(ts + 1) - 1;
                for (; i >= 0; i--) {
                    if (Quality.severity(walk.qualities[i]) < 2) {
                        return walk.sample(i);
                    }
                }
            }
            return null;
        }
    }

    /** The first sample at or after {@code ts}, or null. */
    @Override
    public Sample next(long ts) {
        try (Walk walk = new Walk(ts, true)) {
            while (walk.next()) {
                int i = walk.lowerBound(ts);
                if (i < walk.count) {
                    return walk.sample(i);
                }
            }
            return null;
        }
    }

    /** Skips tiered segments the cold tier cannot deliver instead of failing; see {@link #isPartial()}. */
    void allowPartial() {
        if (cold != null) {
            cold.allowPartial = true;
        }
    }

    /** Whether a read skipped tiered segments. */
    boolean isPartial() {
        return cold != null && cold.skipped;
    }

    /** A forward walk over chunks from the one holding {@code from}. */
    Walk walk(long from) {
        return new Walk(from, true);
    }

    /**
     * Walks chunks in time order (forward) or reverse, merging store chunks (skipping hidden keys)
     * with the in-memory copies. The current chunk's samples are in {@link #timestamps} etc.
     */
    final class Walk implements ChunkWalk {
        private final boolean forward;
        private final ChunkSource it;
        private boolean storeHas;
        private int memIndex;
        private final ChunkCodec codec = new ChunkCodec();
        private long[] decodedTs = new long[0];
        private double[] decodedValues = new double[0];
        private int[] decodedQualities = new int[0];
        long[] timestamps;
        double[] values;
        int[] qualities;
        int count;
        boolean oneQuality;
        boolean regularTimestamps;
        long chunkFirst;
        // The chunk nextHeader moved to: either store bytes (not yet decoded) or a memory chunk.
        private byte[] pendingBytes;
        private int pendingLength;
        private MutableChunk pendingMemory;
        private long pendingStart;
        private long hFirst;
        private long hLast;
        private int hCount;
        private double hMin;
        private double hMax;
        private double hSum;
        private int hWorst;
        private double hFirstValue;
        private double hLastValue;
        private int hNumbers;
        private boolean memoryOneQuality;

        Walk(long at, boolean forward) {
            this.forward = forward;
            synchronized (TagView.this) {
                if (closed) {
                    throw new IllegalStateException("historian is closed");
                }
                try {
                    this.it = new ChunkSource(store, tagId, at, snapshot, cold, forward);
                } catch (CorruptStoreException e) {
                    throw reads.corruptOnRead(tagId, e);
                }
                walks.add(this);
                advanceStore();
            }
            // The memory chunk with the greatest first at or before `at` (forward: start there, or at the first).
            int floor = -1;
            for (int i = 0; i < memory.size(); i++) {
                if (memory.get(i).first() <= at) {
                    floor = i;
                }
            }
            memIndex = forward ? Math.max(floor, 0) : floor;
        }

        private void advanceStore() {
            try {
                while ((storeHas = it.next()) && !hidden.isEmpty() && hidden.contains(it.start())) {
                    // superseded by a pending chunk
                }
            } catch (CorruptStoreException e) {
                throw reads.corruptOnRead(tagId, e);
            }
        }

        boolean next() {
            return next(Long.MAX_VALUE);
        }

        /** Moves to the next chunk if it starts before {@code limit} (forward walks) and decodes it. */
        boolean next(long limit) {
            if (!nextHeader(limit)) {
                return false;
            }
            load();
            return true;
        }

        @Override
        public boolean nextHeader(long limit) {
            // Under the view's monitor so that a close from another thread cannot free the store
            // iterator while this thread moves it.
            synchronized (TagView.this) {
                if (closed) {
                    throw new IllegalStateException("historian was closed under an open cursor [tag=" + tag + "]");
                }
                return moveToNextHeader(limit);
            }
        }

        private boolean moveToNextHeader(long limit) {
            pendingBytes = null;
            pendingMemory = null;
            boolean memHas = forward ? memIndex < memory.size() : memIndex >= 0;
            if (!storeHas && !memHas) {
                return false;
            }
            boolean takeStore;
            if (!memHas) {
                takeStore = true;
            } else if (!storeHas) {
                takeStore = false;
            } else {
                long s = it.start();
                long m = memory.get(memIndex).first();
                takeStore = forward ? s < m : s > m;
            }
            long candidate = takeStore ? it.start() : memory.get(memIndex).first();
            if (forward && candidate >= limit) {
                return false;
            }
            if (takeStore) {
                pendingStart = it.start();
                pendingBytes = it.value();
                pendingLength = it.length();
                try {
                    byte[] b = pendingBytes;
                    hCount = ChunkCodec.checkedCount(b, pendingLength);
                    hFirst = ChunkCodec.headerLong(b, ChunkCodec.Field.FIRST_TIMESTAMP);
                    hLast = ChunkCodec.headerLong(b, ChunkCodec.Field.LAST_TIMESTAMP);
                    hMin = ChunkCodec.headerDouble(b, ChunkCodec.Field.MIN);
                    hMax = ChunkCodec.headerDouble(b, ChunkCodec.Field.MAX);
                    hSum = ChunkCodec.headerDouble(b, ChunkCodec.Field.SUM);
                    hWorst = ChunkCodec.headerInt(b, ChunkCodec.Field.WORST_QUALITY);
                    hFirstValue = ChunkCodec.headerDouble(b, ChunkCodec.Field.FIRST_VALUE);
                    hLastValue = ChunkCodec.headerDouble(b, ChunkCodec.Field.LAST_VALUE);
                    hNumbers = ChunkCodec.headerInt(b, ChunkCodec.Field.NUMBERS);
                } catch (CorruptChunkException e) {
                    throw reads.corruptOnRead(tagId, pendingStart, e);
                }
                advanceStore();
            } else {
                MutableChunk c = memory.get(memIndex);
                memIndex += forward ? 1 : -1;
                pendingMemory = c;
                memoryHeader(c);
            }
            return true;
        }

        /** The header of an in-memory chunk, computed as the codec computes it (NaN skipped, in order). */
        private void memoryHeader(MutableChunk c) {
            hFirst = c.first();
            hLast = c.last();
            hCount = c.count;
            double min = Double.NaN;
            double max = Double.NaN;
            double sum = Double.NaN;
            double firstValue = Double.NaN;
            double lastValue = Double.NaN;
            int numbers = 0;
            int worst = c.qualities[0];
            int differ = 0;
            for (int i = 0; i < c.count; i++) {
                differ |= c.qualities[i] ^ c.qualities[0];
                double v = c.values[i];
                if (!Double.isNaN(v)) {
                    min = Double.isNaN(min) ? v : Math.min(min, v);
                    max = Double.isNaN(max) ? v : Math.max(max, v);
                    // By count, as the codec sums: a NaN from +Infinity plus -Infinity stays NaN.
                    sum = numbers == 0 ? v : sum + v;
                    if (numbers == 0) {
                        firstValue = v;
                    }
                    lastValue = v;
                    numbers++;
                }
                worst = Quality.worst(worst, c.qualities[i]);
            }
            hMin = min;
            hMax = max;
            hSum = sum;
            hWorst = worst;
            hFirstValue = firstValue;
            hLastValue = lastValue;
            hNumbers = numbers;
            memoryOneQuality = differ == 0;
        }

        @Override
        public void load() {
            if (pendingBytes != null) {
                decode(pendingStart, pendingBytes, pendingLength);
                pendingBytes = null;
            } else if (pendingMemory != null) {
                MutableChunk c = pendingMemory;
                timestamps = c.timestamps;
                values = c.values;
                qualities = c.qualities;
                count = c.count;
                oneQuality = memoryOneQuality;
                regularTimestamps = false;
                chunkFirst = c.first();
                pendingMemory = null;
            }
        }

        @Override
        public int loadInto(long[] ts, double[] vs, int[] qs) {
            if (pendingBytes != null) {
                reads.countDecode();
                try {
                    int n = codec.decode(pendingBytes, pendingLength, ts, vs, qs);
                    pendingBytes = null;
                    return n;
                } catch (CorruptChunkException e) {
                    throw reads.corruptOnRead(tagId, pendingStart, e);
                }
            }
            if (pendingMemory != null) {
                MutableChunk c = pendingMemory;
                System.arraycopy(c.timestamps, 0, ts, 0, c.count);
                System.arraycopy(c.values, 0, vs, 0, c.count);
                System.arraycopy(c.qualities, 0, qs, 0, c.count);
                pendingMemory = null;
                return c.count;
            }
            return 0;
        }

        @Override
        public long headerFirst() {
            return hFirst;
        }

        @Override
        public long headerLast() {
            return hLast;
        }

        @Override
        public int headerCount() {
            return hCount;
        }

        @Override
        public double headerMin() {
            return hMin;
        }

        @Override
        public double headerMax() {
            return hMax;
        }

        @Override
        public double headerSum() {
            return hSum;
        }

        @Override
        public int headerWorst() {
            return hWorst;
        }

        @Override
        public double headerFirstValue() {
            return hFirstValue;
        }

        @Override
        public double headerLastValue() {
            return hLastValue;
        }

        @Override
        public int headerNumbers() {
            return hNumbers;
        }

        @Override
        public long[] timestamps() {
            return timestamps;
        }

        @Override
        public double[] values() {
            return values;
        }

        @Override
        public int[] qualities() {
            return qualities;
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public boolean oneQuality() {
            return oneQuality;
        }

        @Override
        public boolean regularTimestamps() {
            return regularTimestamps;
        }

        private void decode(long start, byte[] bytes, int length) {
            reads.countDecode();
            try {
                int n = hCount;
                if (decodedTs.length < n) {
                    decodedTs = new long[n];
                    decodedValues = new double[n];
                    decodedQualities = new int[n];
                }
                count = codec.decode(bytes, length, decodedTs, decodedValues, decodedQualities);
                oneQuality = codec.decodedOneQuality();
                regularTimestamps = codec.decodedRegularTimestamps();
            } catch (CorruptChunkException e) {
                throw reads.corruptOnRead(tagId, start, e);
            }
            timestamps = decodedTs;
            values = decodedValues;
            qualities = decodedQualities;
            chunkFirst = start;
        }

        int lowerBound(long ts) {
            int lo = 0;
            int hi = count;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (timestamps[mid] < ts) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        Sample sample(int i) {
            return new Sample(tag, Instant.ofEpochMilli(timestamps[i]), values[i], Quality.of(qualities[i]));
        }

        @Override
        public void close() {
            synchronized (TagView.this) {
                if (walks.remove(this)) {
                    it.close();
                }
            }
        }
    }

    /** Releases the snapshot and any walk still open; idempotent, also called by the historian's close. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            for (Walk w : new ArrayList<>(walks)) {
                w.close();
            }
            store.release(snapshot);
            reads.forget(this);
        }
    }
}
