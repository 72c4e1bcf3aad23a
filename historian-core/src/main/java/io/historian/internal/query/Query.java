package io.historian.internal.query;

import io.historian.query.Aggregate;
import io.historian.query.AggregateCursor;
import io.historian.query.Fill;
import io.historian.query.PointCursor;
import io.historian.query.RawQuery;
import io.historian.query.SampleCursor;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;

/**
 * The historian's {@link RawQuery}: checks each setting as it is given and hands a finished
 * query to the engine's {@link QueryReader}. Immutable; each setter returns a new query.
 */
public final class Query implements RawQuery {
    private final QueryReader reader;
    private final String tag;
    private final Instant from;
    private final Instant to;
    private final boolean bounds;
    private final Fill fill;
    private final ZoneId zone;
    private final int maxBuckets;
    private final boolean partial;

    /** A query of {@code tag} (a name or a pattern) over all time, read through {@code reader}. */
    public Query(QueryReader reader, String tag) {
        this(reader, Objects.requireNonNull(tag, "tag"), Instant.EPOCH, Instant.ofEpochMilli(Long.MAX_VALUE), false,
                Fill.NONE, null, DEFAULT_MAX_BUCKETS, false);
    }

    private Query(QueryReader reader, String tag, Instant from, Instant to, boolean bounds, Fill fill, ZoneId zone,
            int maxBuckets, boolean partial) {
        this.partial = partial;
        this.reader = reader;
        this.tag = tag;
        this.from = from;
        this.to = to;
        this.bounds = bounds;
        this.fill = fill;
        this.zone = zone;
        this.maxBuckets = maxBuckets;
    }

    @Override
    public RawQuery between(Instant from, Instant to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("inverted range [tag=" + tag + ", from=" + from + ", to=" + to + "]");
        }
        return new Query(reader, tag, from, to, bounds, fill, zone, maxBuckets, partial);
    }

    @Override
    public RawQuery withBounds() {
        return new Query(reader, tag, from, to, true, fill, zone, maxBuckets, partial);
    }

    @Override
    public RawQuery fill(Fill fill) {
        return new Query(reader, tag, from, to, bounds, Objects.requireNonNull(fill, "fill"), zone, maxBuckets, partial);
    }

    @Override
    public RawQuery alignedTo(ZoneId zone) {
        return new Query(reader, tag, from, to, bounds, fill, Objects.requireNonNull(zone, "zone"), maxBuckets, partial);
    }

    @Override
    public RawQuery maxBuckets(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxBuckets must be positive: " + max);
        }
        return new Query(reader, tag, from, to, bounds, fill, zone, max, partial);
    }

    @Override
    public RawQuery allowPartial() {
        return new Query(reader, tag, from, to, bounds, fill, zone, maxBuckets, true);
    }

    @Override
    public boolean allowsPartial() {
        return partial;
    }

    @Override
    public SampleCursor raw() {
        return reader.open(this);
    }

    @Override
    public AggregateCursor aggregate(Duration interval, Aggregate... aggregates) {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(aggregates, "aggregates");
        if (interval.isZero() || interval.isNegative() || interval.toMillis() == 0) {
            throw new IllegalArgumentException("interval must be at least 1 ms [tag=" + tag + ", interval=" + interval
                    + "]");
        }
        if (aggregates.length == 0) {
            throw new IllegalArgumentException("no aggregate requested [tag=" + tag + "]");
        }
        for (Aggregate a : aggregates) {
            Objects.requireNonNull(a, "aggregates[]");
        }
        return reader.aggregate(this, interval, List.of(aggregates));
    }

    @Override
    public PointCursor interpolated(Duration step) {
        Objects.requireNonNull(step, "step");
        if (step.isZero() || step.isNegative() || step.toMillis() == 0) {
            throw new IllegalArgumentException("step must be at least 1 ms [tag=" + tag + ", step=" + step + "]");
        }
        return reader.interpolated(this, step);
    }

    @Override
    public PointCursor lttb(int points) {
        if (points < 3) {
            throw new IllegalArgumentException("lttb needs at least 3 points [tag=" + tag + ", points=" + points + "]");
        }
        return reader.downsample(this, Downsampling.LTTB, points);
    }

    @Override
    public PointCursor minMaxLttb(int points) {
        if (points < 3) {
            throw new IllegalArgumentException("minMaxLttb needs at least 3 points [tag=" + tag + ", points=" + points
                    + "]");
        }
        return reader.downsample(this, Downsampling.MIN_MAX_LTTB, points);
    }

    @Override
    public PointCursor plot(int columns) {
        if (columns < 1) {
            throw new IllegalArgumentException("plot needs at least 1 column [tag=" + tag + ", columns=" + columns
                    + "]");
        }
        return reader.downsample(this, Downsampling.PLOT, columns);
    }

    @Override
    public String tag() {
        return tag;
    }

    @Override
    public boolean isPattern() {
        return tag.indexOf('*') >= 0 || tag.indexOf('?') >= 0;
    }

    @Override
    public Instant from() {
        return from;
    }

    @Override
    public Instant to() {
        return to;
    }

    @Override
    public boolean includesBounds() {
        return bounds;
    }

    @Override
    public Fill fill() {
        return fill;
    }

    @Override
    public ZoneId zone() {
        return zone;
    }

    @Override
    public int maxBuckets() {
        return maxBuckets;
    }
}
