package io.historian.internal.engine;

import io.historian.DuplicatePolicy;
import java.util.Arrays;

/**
 * A chunk being built or changed in memory: samples sorted by timestamp, no duplicate timestamps.
 * Owned by the store writer thread; readers copy from it under the store state's read lock.
 */
final class MutableChunk {
    static final long NO_KEY = Long.MIN_VALUE;
    /** Insert results. */
    static final int ADDED = 1;
    static final int REPLACED = 2;
    static final int IGNORED = 0;

    long[] timestamps;
    double[] values;
    int[] qualities;
    int count;
    /** The key this chunk has in the store, or {@link #NO_KEY} for a chunk the store has not seen. */
    long storedKey = NO_KEY;
    /** The journal index of the oldest entry that put a sample here and is not yet committed. */
    long firstEntryIndex = Long.MAX_VALUE;
    /** When the chunk was opened, in the historian clock's milliseconds. */
    long openedAtMillis;
    /** Samples new to the store since the chunk was last committed. */
    int newSamples;

    MutableChunk(int capacity) {
        timestamps = new long[capacity];
        values = new double[capacity];
        qualities = new int[capacity];
    }

    static MutableChunk of(long[] ts, double[] vs, int[] qs, int count) {
        MutableChunk c = new MutableChunk(Math.max(count, 16));
        System.arraycopy(ts, 0, c.timestamps, 0, count);
        System.arraycopy(vs, 0, c.values, 0, count);
        System.arraycopy(qs, 0, c.qualities, 0, count);
        c.count = count;
        return c;
    }

    /**
     * Appends samples {@code order[from, from + len)} of the given arrays, which the caller has
     * checked lie after this chunk's last sample in strictly rising time.
     */
    void appendAll(long[] ts, double[] vs, int[] qs, int[] order, int from, int len) {
        ensureCapacity(count + len);
        long[] t = timestamps;
        double[] v = values;
        int[] q = qualities;
        int c = count;
        for (int k = 0; k < len; k++) {
            int i = order[from + k];
            t[c + k] = ts[i];
            v[c + k] = vs[i];
            q[c + k] = qs[i];
        }
        count = c + len;
    }

    /** Empties the chunk for reuse, keeping its arrays. */
    void reset() {
        count = 0;
        storedKey = NO_KEY;
        firstEntryIndex = Long.MAX_VALUE;
        openedAtMillis = 0;
        newSamples = 0;
    }

    long first() {
        return timestamps[0];
    }

    long last() {
        return timestamps[count - 1];
    }

    /** Inserts in time order; a sample at an existing timestamp follows the duplicate policy. */
    int insert(long ts, double v, int q, DuplicatePolicy policy) {
        if (count == 0 || ts > timestamps[count - 1]) {
            ensureCapacity(count + 1);
            timestamps[count] = ts;
            values[count] = v;
            qualities[count] = q;
            count++;
            return ADDED;
        }
        int pos = Arrays.binarySearch(timestamps, 0, count, ts);
        if (pos >= 0) {
            if (policy == DuplicatePolicy.LAST_WRITE_WINS) {
                values[pos] = v;
                qualities[pos] = q;
                return REPLACED;
            }
            return IGNORED;
        }
        int at = -pos - 1;
        ensureCapacity(count + 1);
        System.arraycopy(timestamps, at, timestamps, at + 1, count - at);
        System.arraycopy(values, at, values, at + 1, count - at);
        System.arraycopy(qualities, at, qualities, at + 1, count - at);
        timestamps[at] = ts;
        values[at] = v;
        qualities[at] = q;
        count++;
        return ADDED;
    }

    private void ensureCapacity(int needed) {
        if (needed > timestamps.length) {
            int capacity = Math.max(needed, timestamps.length * 2);
            timestamps = Arrays.copyOf(timestamps, capacity);
            values = Arrays.copyOf(values, capacity);
            qualities = Arrays.copyOf(qualities, capacity);
        }
    }

    /** A copy of the samples in {@code [from, to)}, or null if there are none. */
    MutableChunk copyRange(long from, long to) {
        int lo = lowerBound(from);
        int hi = lowerBound(to);
        if (hi <= lo) {
            return null;
        }
        MutableChunk c = new MutableChunk(hi - lo);
        System.arraycopy(timestamps, lo, c.timestamps, 0, hi - lo);
        System.arraycopy(values, lo, c.values, 0, hi - lo);
        System.arraycopy(qualities, lo, c.qualities, 0, hi - lo);
        c.count = hi - lo;
        return c;
    }

    /** The index of the first sample at or after {@code ts}. */
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
}
