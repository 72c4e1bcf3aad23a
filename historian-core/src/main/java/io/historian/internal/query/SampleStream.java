package io.historian.internal.query;

import io.historian.Sample;

/**
 * Streams one tag's samples in {@code [from, to)} with a one-sample lookahead, chunk by chunk,
 * then (optionally) the first sample at or after {@code to}, the right bounding sample. Between
 * chunks it can show the next chunk's header so that a caller may use the header instead of the
 * samples ({@link #chunkWithin(long)}, {@link #skipChunk()}).
 *
 * <p>Invariant: when {@link #has} is true, {@link #t}, {@link #v}, {@link #q} hold the lookahead;
 * otherwise the walk sits between samples. Memory: one decoded chunk. One thread.
 */
final class SampleStream {
    private final SeriesView view;
    private final ChunkWalk walk;
    private final long from;
    private final long to;
    private final boolean afterBound;
    private boolean loaded;
    private boolean pending;
    private boolean chunksDone;
    private boolean afterServed;
    private int pos;
    // The loaded chunk's arrays, its count and the end of its part in [from, to).
    private int count;
    private int end;
    private long[] ts;
    private double[] vs;
    private int[] qs;
    boolean has;
    long t;
    double v;
    int q;
    /** Whether the lookahead is the right bounding sample (at or after {@code to}). */
    boolean isAfter;
    /**
     * Whether every sample of the loaded chunk has a number (not NaN) and all share one quality
     * code: then a run of it needs no per-sample checks ({@link #runEnd}).
     */
    boolean chunkClean;

    SampleStream(SeriesView view, long from, long to, boolean afterBound) {
        this.view = view;
        this.from = from;
        this.to = to;
        this.afterBound = afterBound;
        this.walk = view.chunks(from);
        this.chunksDone = from >= to;
    }

    /** Ensures the lookahead; false when no sample is left. */
    boolean peek() {
        if (has) {
            return true;
        }
        if (pos < end) {
            checkOpen();
            t = ts[pos];
            v = vs[pos];
            q = qs[pos];
            pos++;
            has = true;
            return true;
        }
        return peekAcrossChunks();
    }

    private void checkOpen() {
        if (view.isClosed()) {
            throw new IllegalStateException("historian was closed under an open cursor [tag=" + view.tag() + "]");
        }
    }

    private boolean peekAcrossChunks() {
        checkOpen();
        while (!chunksDone) {
            if (loaded && pos < end) {
                t = ts[pos];
                v = vs[pos];
                q = qs[pos];
                pos++;
                has = true;
                return true;
            }
            if (loaded && end < count) {
                // The loaded chunk reaches past `to`: the range ends inside it.
                chunksDone = true;
                break;
            }
            loaded = false;
            end = 0;
            if (!loadNextChunk()) {
                chunksDone = true;
                break;
            }
            loaded = true;
            pos = lowerBound(from, count);
            end = lowerBound(to, count);
        }
        if (afterBound && !afterServed) {
            afterServed = true;
            Sample s = to == Long.MAX_VALUE ? null : view.next(to);
            if (s != null) {
                t = s.timestamp().toEpochMilli();
                v = s.value();
                q = s.quality().code();
                has = true;
                isAfter = true;
                return true;
            }
        }
        return false;
    }

    /** Moves to the next chunk and points {@link #ts} etc. at its samples; false after the last. */
    private boolean loadNextChunk() {
        if (!pending && !walk.nextHeader(to)) {
            return false;
        }
        pending = false;
        walk.load();
        ts = walk.timestamps();
        vs = walk.values();
        qs = walk.qualities();
        count = walk.count();
        chunkClean = walk.headerNumbers() == count && walk.oneQuality();
        return true;
    }

    /**
     * With the lookahead taken from the loaded chunk (not the right bounding sample), the end of
     * the run that starts at the lookahead: the index in {@link #ts}, {@link #vs} and
     * {@link #qs} of the first sample at or after {@code limit}, or the end of the chunk's part in
     * {@code [from, to)}. The lookahead sits at {@code runEnd(...)}'s run start, {@link #runStart()}.
     */
    int runEnd(long limit) {
        return lowerBound(limit, pos, end);
    }

    /** The index of the lookahead in the loaded chunk's arrays; see {@link #runEnd}. */
    int runStart() {
        return pos - 1;
    }

    /** The loaded chunk's timestamps; a run's indices come from {@link #runStart()} and {@link #runEnd}. */
    long[] runTimestamps() {
        return ts;
    }

    /** The loaded chunk's values. */
    double[] runValues() {
        return vs;
    }

    /** The loaded chunk's quality codes. */
    int[] runQualities() {
        return qs;
    }

    /** Drops the lookahead and moves past the run that ends (exclusive) at {@code index}. */
    void consumeRun(int index) {
        has = false;
        pos = index;
    }

    /** Drops the lookahead. */
    void consume() {
        has = false;
    }

    /**
     * True when the stream sits between chunks and the next chunk lies wholly in
     * {@code [from, min(end, to))}: its header ({@link #walk()}) may stand for its samples, and
     * {@link #skipChunk()} then moves past it.
     */
    boolean chunkWithin(long end) {
        if (has || chunksDone || (loaded && pos < this.end)) {
            return false;
        }
        if (!pending) {
            if (!walk.nextHeader(to)) {
                chunksDone = true;
                return false;
            }
            pending = true;
            loaded = false;
        }
        return walk.headerFirst() >= from && walk.headerLast() < end && walk.headerLast() < to;
    }

    /** Skips the chunk {@link #chunkWithin} accepted. */
    void skipChunk() {
        pending = false;
    }

    ChunkWalk walk() {
        return walk;
    }

    private int lowerBound(long key, int count) {
        return lowerBound(key, 0, count);
    }

    private int lowerBound(long key, int lo, int hi) {
        return lowerBound(ts, lo, hi, key);
    }

    /** The first index in {@code [lo, hi)} of the ascending {@code a} whose value is at least {@code key}, else {@code hi}. */
    static int lowerBound(long[] a, int lo, int hi, long key) {
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    void close() {
        walk.close();
    }
}
