package io.historian.internal.engine;

import io.historian.internal.store.RocksChunkStore;
import io.historian.internal.tier.SegmentCodec;
import org.rocksdb.Snapshot;

/**
 * One tag's stored chunks in key order, cold and local together: the tiered chunks (keys below
 * the manifest's watermark) come from segments, the rest from the store. Local chunks below the
 * watermark are skipped: they are copies the tiering job has recorded in the manifest but not yet
 * deleted, so the same snapshot never shows a chunk twice.
 *
 * <p>Positioning matches {@link RocksChunkStore.ChunkIterator}: forward walks start at the chunk
 * with the greatest start at or before {@code at} (or the first chunk after it), backward walks
 * at that chunk and move to earlier ones.
 */
final class ChunkSource implements AutoCloseable {
    private final RocksChunkStore.ChunkIterator it;
    private final ColdView cold;
    private final boolean forward;
    private final long at;
    private final long watermark;
    private boolean inCold;
    private boolean storePeeked;
    private boolean storeValid;
    private int entry = -1;
    private SegmentCodec.Decoded segment;
    private int chunk;
    private long start;
    private byte[] value;
    private int length;
    private boolean fromCold;
    /** The store's chunks are copied here, one at a time, when asked for: a scan allocates no array per chunk. */
    private byte[] storeBuffer = new byte[16 * 1024];

    ChunkSource(RocksChunkStore store, int tagId, long at, Snapshot snapshot, ColdView cold, boolean forward) {
        this.cold = cold == null || cold.isEmpty() ? null : cold;
        this.forward = forward;
        this.at = at;
        this.watermark = this.cold == null ? Long.MIN_VALUE : this.cold.watermark;
        this.it = forward ? store.chunks(tagId, at, snapshot) : store.chunksBackward(tagId, at, snapshot);
        if (forward) {
            try {
                storeValid = advanceStoreForward();
                storePeeked = true;
                // Cold only when the walk starts before the first local chunk and the cold data
                // reaches that far: a read of recent data must not need the cold tier.
                inCold = this.cold != null && !(storeValid && it.start() <= at) && at <= this.cold.lastTimestamp;
                if (inCold) {
                    entry = Math.max(this.cold.floorEntry(at), 0);
                    segment = this.cold.segment(entry);
                    chunk = Math.max(ColdView.floorChunk(segment, at), 0);
                }
            } catch (RuntimeException e) {
                // A segment that cannot be fetched must not leak the store iterator.
                it.close();
                throw e;
            }
        }
    }

    private boolean advanceStoreForward() {
        while (it.next()) {
            if (it.start() >= watermark) {
                return true;
            }
        }
        return false;
    }

    /** Moves to the next chunk; false at the end. */
    boolean next() {
        return forward ? nextForward() : nextBackward();
    }

    private boolean nextForward() {
        if (inCold) {
            if (coldForward()) {
                return true;
            }
            inCold = false;
        }
        if (storePeeked) {
            storePeeked = false;
        } else {
            storeValid = advanceStoreForward();
        }
        if (!storeValid) {
            return false;
        }
        start = it.start();
        value = null;
        fromCold = false;
        return true;
    }

    private boolean coldForward() {
        while (chunk >= segment.starts().length) {
            if (entry + 1 >= cold.entries.size()) {
                return false;
            }
            entry++;
            segment = cold.segment(entry);
            chunk = 0;
        }
        start = segment.starts()[chunk];
        value = segment.chunks()[chunk];
        length = value.length;
        chunk++;
        fromCold = true;
        return true;
    }

    private boolean nextBackward() {
        if (!inCold) {
            if (it.next() && it.start() >= watermark) {
                start = it.start();
                value = null;
                fromCold = false;
                return true;
            }
            if (cold == null) {
                return false;
            }
            inCold = true;
            entry = cold.floorEntry(at);
            if (entry < 0) {
                return false;
            }
            segment = cold.segment(entry);
            chunk = ColdView.floorChunk(segment, at);
        }
        while (chunk < 0) {
            if (entry <= 0) {
                return false;
            }
            entry--;
            segment = cold.segment(entry);
            chunk = segment.starts().length - 1;
        }
        start = segment.starts()[chunk];
        value = segment.chunks()[chunk];
        length = value.length;
        chunk--;
        fromCold = true;
        return true;
    }

    /** The current chunk's start (its key). */
    long start() {
        return start;
    }

    /**
     * The current chunk's codec bytes: the first {@link #length()} bytes of the array returned.
     * A store chunk's array is a buffer that the next call of this method after a {@link #next()}
     * overwrites.
     */
    byte[] value() {
        if (value == null) {
            int n = it.valueInto(storeBuffer);
            if (n > storeBuffer.length) {
                storeBuffer = new byte[Math.max(n, storeBuffer.length * 2)];
                n = it.valueInto(storeBuffer);
            }
            value = storeBuffer;
            length = n;
        }
        return value;
    }

    /** The length of the current chunk's bytes; call {@link #value()} first. */
    int length() {
        return length;
    }

    /** Whether the current chunk came from the cold tier. */
    boolean fromCold() {
        return fromCold;
    }

    @Override
    public void close() {
        it.close();
    }
}
