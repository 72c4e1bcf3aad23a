package io.historian.internal.engine;

import io.historian.Sample;
import io.historian.query.SampleCursor;

/**
 * Streams one tag's samples in {@code [from, to)}, optionally framed by the bounding samples,
 * chunk by chunk from a {@link TagView}: memory holds one decoded chunk at a time.
 */
final class RawCursor implements SampleCursor {
    private final TagView view;
    private final TagView.Walk walk;
    private final long from;
    private final long to;
    private Sample before;
    private Sample after;
    private int pos;
    private boolean rangeDone;
    private boolean closed;
    private long ts;
    private double value;
    private int quality;

    RawCursor(TagView view, long from, long to, Sample before, Sample after) {
        this.view = view;
        this.from = from;
        this.to = to;
        this.before = before;
        this.after = after;
        this.walk = view.walk(from);
        this.pos = 0;
        this.walk.count = 0;
        this.rangeDone = from >= to;
    }

    @Override
    public boolean isPartial() {
        return view.isPartial();
    }

    @Override
    public boolean next() {
        if (closed) {
            throw new IllegalStateException("cursor is closed [tag=" + view.tag() + "]");
        }
        if (view.isClosed()) {
            throw new IllegalStateException("historian was closed under an open cursor [tag=" + view.tag() + "]");
        }
        if (before != null) {
            set(before);
            before = null;
            return true;
        }
        while (!rangeDone) {
            if (pos < walk.count) {
                long t = walk.timestamps[pos];
                if (t >= to) {
                    rangeDone = true;
                    break;
                }
                ts = t;
                value = walk.values[pos];
                quality = walk.qualities[pos];
                pos++;
                return true;
            }
            if (!walk.next(to)) {
                rangeDone = true;
                break;
            }
            pos = walk.lowerBound(from);
        }
        if (after != null) {
            set(after);
            after = null;
            return true;
        }
        return false;
    }

    private void set(Sample s) {
        ts = s.timestamp().toEpochMilli();
        value = s.value();
        quality = s.quality().code();
    }

    @Override
    public String tag() {
        return view.tag();
    }

    @Override
    public long epochMillis() {
        return ts;
    }

    @Override
    public double value() {
        return value;
    }

    @Override
    public int qualityCode() {
        return quality;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            walk.close();
            view.close();
        }
    }
}
