package io.historian.internal.query;

import io.historian.Interpolation;
import io.historian.Quality;
import io.historian.Sample;
import io.historian.query.Aggregate;
import io.historian.query.PointCursor;
import java.time.Duration;
import java.time.Instant;

/**
 * The value at {@code from, from + step, ...} before {@code to}, as {@code ValueAt.INTERPOLATED}
 * reads it, in one forward pass. Invariant: {@code prev*} is the last sample at or before the
 * current step time. Memory: one decoded chunk. One thread.
 */
public final class InterpolatingCursor implements PointCursor {
    private static final int UNCERTAIN_LAST = Quality.UNCERTAIN_LAST_USABLE_VALUE.code();

    private final SeriesView view;
    private final SampleStream stream;
    private final long to;
    private final long step;
    private final boolean stepped;
    private long nextAt;
    private boolean first = true;
    private boolean done;
    private boolean closed;
    private boolean hasPrev;
    private long prevT;
    private double prevV;
    private int prevQ;
    private long t;
    private double value;
    private int quality;

    /** Checks the step count before any view opens. */
    public static void validate(String tag, long from, long to, Duration step, int maxBuckets) {
        if (from < to && ((double) to - (double) from) / step.toMillis() > maxBuckets) {
            throw new IllegalArgumentException("too many steps [tag=" + tag + ", from=" + Instant.ofEpochMilli(from)
                    + ", to=" + Instant.ofEpochMilli(to) + ", step=" + step + ", maxBuckets=" + maxBuckets
                    + "]; use a longer step or raise maxBuckets");
        }
    }

    /** Opens over {@code [from, to)}; the cursor owns and closes the view. */
    public static InterpolatingCursor open(SeriesView view, long from, long to, Duration step, int maxBuckets) {
        try {
            validate(view.tag(), from, to, step, maxBuckets);
            return new InterpolatingCursor(view, from, to, step.toMillis());
        } catch (RuntimeException e) {
            view.close();
            throw e;
        }
    }

    private InterpolatingCursor(SeriesView view, long from, long to, long step) {
        this.view = view;
        this.to = to;
        this.step = step;
        this.nextAt = from;
        this.stepped = view.interpolation() == Interpolation.STEPPED;
        Sample before = from == Long.MIN_VALUE ? null : view.previous(from - 1);
        if (before != null) {
            hasPrev = true;
            prevT = before.timestamp().toEpochMilli();
            prevV = before.value();
            prevQ = before.quality().code();
        }
        this.stream = new SampleStream(view, from, to, true);
    }

    @Override
    public boolean next() {
        if (closed) {
            throw new IllegalStateException("cursor is closed [tag=" + view.tag() + "]");
        }
        if (done || nextAt >= to) {
            return false;
        }
        long x = nextAt;
        while (stream.peek() && stream.t <= x) {
            hasPrev = true;
            prevT = stream.t;
            prevV = stream.v;
            prevQ = stream.q;
            stream.consume();
        }
        t = x;
        if (!hasPrev) {
            value = Double.NaN;
            quality = Aggregate.NO_DATA;
        } else if (prevT == x || stepped && stream.has) {
            value = prevV;
            quality = prevQ;
        } else if (!stream.has) {
            value = prevV;
            quality = stepped ? prevQ : Quality.worst(prevQ, UNCERTAIN_LAST);
        } else {
            double f = (double) (x - prevT) / (double) (stream.t - prevT);
            value = prevV + (stream.v - prevV) * f;
            quality = Quality.worst(prevQ, stream.q);
        }
        gap = first;
        first = false;
        done = x + step < x;
        nextAt = x + step;
        return true;
    }

    private boolean gap;

    /** True on the first point only: interpolated values have no gaps to mark. */
    @Override
    public boolean gapBefore() {
        return gap;
    }

    @Override
    public String tag() {
        return view.tag();
    }

    @Override
    public long epochMillis() {
        return t;
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
            stream.close();
            view.close();
        }
    }
}
