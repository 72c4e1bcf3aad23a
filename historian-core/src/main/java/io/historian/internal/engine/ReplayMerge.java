package io.historian.internal.engine;

import io.historian.internal.query.ChunkWalk;
import java.util.List;
import java.util.concurrent.locks.Lock;

/**
 * Merges the stored samples of several tags from a start time on, in timestamp order (ties in
 * the order the views are given), one chunk per tag in memory at a time.
 *
 * <p><b>Invariants:</b> {@code heap[0, size)} holds the tags that still have samples, ordered by
 * their current sample; a tag's current sample is {@code pos[k]} in its loaded chunk. Chunks of a
 * tag never overlap, so walking them in order yields its samples in time order.
 *
 * <p><b>Threads:</b> the subscription's thread. Every touch of a walk (which reads RocksDB) is
 * made under {@code io}, the lock under which the subscription closes the views, so a close from
 * another thread never frees a walk while it is in use; per-sample steps read only heap arrays.
 */
final class ReplayMerge implements AutoCloseable {
    private final List<TagView> views;
    private final ChunkWalk[] walks;
    private final int[] tagIds;
    private final long from;
    private final Lock io;
    private final long[][] ts;
    private final double[][] vs;
    private final int[][] qs;
    private final int[] pos;
    private final int[] count;
    private final int[] heap;
    private int size;
    private boolean started;

    /** Takes ownership of the views: {@link #close()} closes them. */
    ReplayMerge(List<TagView> views, int[] tagIds, long from, Lock io) {
        int n = views.size();
        this.views = views;
        this.tagIds = tagIds;
        this.from = from;
        this.io = io;
        this.walks = new ChunkWalk[n];
        this.ts = new long[n][];
        this.vs = new double[n][];
        this.qs = new int[n][];
        this.pos = new int[n];
        this.count = new int[n];
        this.heap = new int[n];
    }

    /**
     * Moves to the next sample; false at the end. Returns false as well when the views were closed
     * underneath (the caller then finds itself closed).
     */
    boolean next() {
        if (!started) {
            started = true;
            for (int k = 0; k < walks.length; k++) {
                if (load(k, true)) {
                    heap[size] = k;
                    up(size++);
                }
            }
            return size > 0;
        }
        if (size == 0) {
            return false;
        }
        int k = heap[0];
        if (++pos[k] >= count[k] && !load(k, false)) {
            heap[0] = heap[--size];
        }
        if (size > 0) {
            down(0);
        }
        return size > 0;
    }

    /** The current sample's tag id. */
    int tagId() {
        return tagIds[heap[0]];
    }

    long timestamp() {
        int k = heap[0];
        return ts[k][pos[k]];
    }

    double value() {
        int k = heap[0];
        return vs[k][pos[k]];
    }

    int quality() {
        int k = heap[0];
        return qs[k][pos[k]];
    }

    /** Loads tag k's next chunk holding a sample at or after {@code from}; false if none is left. */
    private boolean load(int k, boolean first) {
        io.lock();
        try {
            TagView view = views.get(k);
            if (view.isClosed()) {
                return false;
            }
            if (first) {
                walks[k] = view.chunks(from);
            }
            ChunkWalk walk = walks[k];
            while (walk.nextHeader(Long.MAX_VALUE)) {
                if (walk.headerLast() < from) {
                    continue;
                }
                walk.load();
                int n = walk.count();
                long[] t = walk.timestamps();
                int i = first || t[0] < from ? lowerBound(t, n, from) : 0;
                if (i < n) {
                    ts[k] = t;
                    vs[k] = walk.values();
                    qs[k] = walk.qualities();
                    pos[k] = i;
                    count[k] = n;
                    return true;
                }
            }
            return false;
        } finally {
            io.unlock();
        }
    }

    private static int lowerBound(long[] t, int n, long key) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (t[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private boolean less(int a, int b) {
        long ta = ts[a][pos[a]];
        long tb = ts[b][pos[b]];
        return ta < tb || (ta == tb && a < b);
    }

    private void up(int i) {
        int x = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(x, heap[parent])) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = x;
    }

    private void down(int i) {
        int x = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && less(heap[child + 1], heap[child])) {
                child++;
            }
            if (!less(heap[child], x)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = x;
    }

    /** Closes the walks and views; the caller holds {@code io}. Idempotent. */
    @Override
    public void close() {
        for (int k = 0; k < walks.length; k++) {
            if (walks[k] != null) {
                walks[k].close();
                walks[k] = null;
            }
        }
        for (TagView view : views) {
            view.close();
        }
    }
}
