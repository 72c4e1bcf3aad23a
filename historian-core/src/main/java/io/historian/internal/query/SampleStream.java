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
    boolean has;
    long t;
    double v;
    int q;
    /** Whether the lookahead is the right bounding sample (at or after {@code to}). */
    boolean isAfter;

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
        if (view.isClosed()) {
            throw new IllegalStateException("historian was closed under an open cursor [tag=" + view.tag() + "]");
        }
        while (!chunksDone) {
            if (loaded && pos < walk.count()) {
                long ts = walk.timestamps()[pos];
                if (ts >= to) {
                    chunksDone = true;
                    break;
                }
                t = ts;
                v = walk.values()[pos];
                q = walk.qualities()[pos];
                pos++;
                has = true;
                return true;
            }
            loaded = false;
            if (!pending && !walk.nextHeader(to)) {
                chunksDone = true;
                break;
            }
            pending = false;
            walk.load();
            loaded = true;
            pos = lowerBound(from);
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
        if (has || chunksDone || (loaded && pos < walk.count())) {
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

    private int lowerBound(long ts) {
        long[] a = walk.timestamps();
        int lo = 0;
        int hi = walk.count();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < ts) {
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
