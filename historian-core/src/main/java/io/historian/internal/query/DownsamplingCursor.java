package io.historian.internal.query;

import io.historian.query.PointCursor;

/**
 * The shared part of the chart cursors: subclasses push points into {@link #out} in time order,
 * a batch at a time ({@link #refill()}), and this class hands them out. One thread.
 */
abstract class DownsamplingCursor implements PointCursor {
    final SeriesView view;
    final PointBuffer out = new PointBuffer();
    private boolean closed;
    private boolean exhausted;
    private long t;
    private double value;
    private int quality;
    private boolean gap;

    DownsamplingCursor(SeriesView view) {
        this.view = view;
    }

    /** Adds the next batch of points to {@link #out}; false when there are no more. */
    abstract boolean refill();

    /** Releases what the subclass holds (streams). */
    abstract void release();

    @Override
    public final boolean next() {
        if (closed) {
            throw new IllegalStateException("cursor is closed [tag=" + view.tag() + "]");
        }
        if (view.isClosed()) {
            throw new IllegalStateException("historian was closed under an open cursor [tag=" + view.tag() + "]");
        }
        while (out.isEmpty()) {
            out.clear();
            if (exhausted || !refill()) {
                exhausted = true;
                if (out.isEmpty()) {
                    return false;
                }
            }
        }
        int i = out.head++;
        t = out.t[i];
        value = out.v[i];
        quality = out.q[i];
        gap = out.gap[i];
        return true;
    }

    @Override
    public final boolean gapBefore() {
        return gap;
    }

    @Override
    public final String tag() {
        return view.tag();
    }

    @Override
    public final long epochMillis() {
        return t;
    }

    @Override
    public final double value() {
        return value;
    }

    @Override
    public final int qualityCode() {
        return quality;
    }

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            try {
                release();
            } finally {
                view.close();
            }
        }
    }
}
