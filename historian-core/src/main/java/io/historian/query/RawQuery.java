package io.historian.query;

import io.historian.Sample;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A query of one tag's samples, or of every tag matching a pattern, over a half-open range
 * {@code [from, to)}: raw samples, aggregates per interval, interpolated values, or a chart.
 *
 * <pre>{@code
 * try (SampleCursor c = historian.query("boiler.temp").between(from, to).withBounds().raw()) { ... }
 * try (AggregateCursor c = historian.query("line1.*").between(from, to).alignedTo(ZoneId.of("Europe/Paris"))
 *         .fill(Fill.PREVIOUS).aggregate(Duration.ofDays(1), Aggregate.TIME_WEIGHTED_MEAN, Aggregate.MAX)) { ... }
 * try (PointCursor c = historian.query("boiler.temp").between(from, to).lttb(2000)) { ... }
 * }</pre>
 *
 * <p><b>Tags:</b> a name with {@code *} (any run of characters) or {@code ?} (one character) is a
 * pattern over the registered names (tag names cannot contain these characters); the results of
 * the matching tags follow one another in registration order. A pattern matching nothing gives an
 * empty result; an exact name that is not registered throws
 * {@link io.historian.TagNotFoundException} when the query runs.
 *
 * <p><b>Intervals</b> of {@link #aggregate} lie on a grid aligned to the epoch (multiples of the
 * interval) or, after {@link #alignedTo(ZoneId)}, to local midnights in that zone: a one-day
 * interval across a daylight-saving change lasts 23 or 25 hours, and sub-day intervals restart at
 * each local midnight. The grid cells overlapping the range are reported, clipped to it.
 *
 * <p><b>Thread safety:</b> immutable; each setter returns a new query. The terminal methods
 * ({@link #raw()}, {@link #aggregate}, {@link #interpolated}, {@link #lttb}, {@link #minMaxLttb},
 * {@link #plot}) read and return a cursor that the caller must close.
 *
 * <p><b>Errors:</b> an inverted range, a zero or negative interval or step, a chart width below
 * 1 (below 3 for LTTB), or more intervals/steps than {@link #maxBuckets(int)} throw
 * {@link IllegalArgumentException} showing the values.
 */
public final class RawQuery {
    /** The default for {@link #maxBuckets(int)}. */
    public static final int DEFAULT_MAX_BUCKETS = 1_000_000;

    /** Opens the cursors for a finished query; supplied by the historian. */
    @FunctionalInterface
    public interface Reader {
        /** Opens a cursor over the query's raw samples. */
        SampleCursor open(RawQuery query);

        /** Opens an aggregate cursor. */
        default AggregateCursor aggregate(RawQuery query, Duration interval, List<Aggregate> aggregates) {
            throw new UnsupportedOperationException("aggregates");
        }

        /** Opens an interpolated cursor. */
        default PointCursor interpolated(RawQuery query, Duration step) {
            throw new UnsupportedOperationException("interpolated");
        }

        /** Opens a chart cursor. */
        default PointCursor downsample(RawQuery query, Downsampling mode, int points) {
            throw new UnsupportedOperationException("downsampling");
        }
    }

    private final Reader reader;
    private final String tag;
    private final Instant from;
    private final Instant to;
    private final boolean bounds;
    private final Fill fill;
    private final ZoneId zone;
    private final int maxBuckets;
    private final boolean partial;

    /** Used by the historian; applications start from {@code Historian.query(tag)}. */
    public RawQuery(Reader reader, String tag) {
        this(reader, Objects.requireNonNull(tag, "tag"), Instant.EPOCH, Instant.ofEpochMilli(Long.MAX_VALUE), false,
                Fill.NONE, null, DEFAULT_MAX_BUCKETS, false);
    }

    private RawQuery(Reader reader, String tag, Instant from, Instant to, boolean bounds, Fill fill, ZoneId zone,
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

    /**
     * Restricts the query to {@code [from, to)}.
     *
     * @throws IllegalArgumentException if {@code to} is before {@code from}; an empty range
     *     ({@code from == to}) is accepted and reads nothing (but its bounding samples)
     */
    public RawQuery between(Instant from, Instant to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("inverted range [tag=" + tag + ", from=" + from + ", to=" + to + "]");
        }
        return new RawQuery(reader, tag, from, to, bounds, fill, zone, maxBuckets, partial);
    }

    /**
     * Also returns the bounding samples: the last one before {@code from} and the first one at or
     * after {@code to}, when they exist, so a chart or an integral is right at the edges.
     */
    public RawQuery withBounds() {
        return new RawQuery(reader, tag, from, to, true, fill, zone, maxBuckets, partial);
    }

    /** What {@link #aggregate} reports for intervals without data (default {@link Fill#NONE}). */
    public RawQuery fill(Fill fill) {
        return new RawQuery(reader, tag, from, to, bounds, Objects.requireNonNull(fill, "fill"), zone, maxBuckets, partial);
    }

    /** Aligns aggregate intervals to local midnights in {@code zone} (default: to the epoch, UTC). */
    public RawQuery alignedTo(ZoneId zone) {
        return new RawQuery(reader, tag, from, to, bounds, fill, Objects.requireNonNull(zone, "zone"), maxBuckets, partial);
    }

    /**
     * The most intervals an aggregate query, or steps an interpolated query, may produce per tag
     * (default {@value #DEFAULT_MAX_BUCKETS}); beyond it the query throws rather than flood the caller.
     */
    public RawQuery maxBuckets(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxBuckets must be positive: " + max);
        }
        return new RawQuery(reader, tag, from, to, bounds, fill, zone, max, partial);
    }

    /**
     * Lets a {@link #raw()} query answer from what is reachable when the cold tier is not: tiered
     * segments that cannot be fetched are skipped and the cursor reports
     * {@link SampleCursor#isPartial()}. Without it such a query throws
     * {@link io.historian.ColdTierUnavailableException}. A corrupt or missing segment is an error
     * either way. The other modes refuse it ({@link IllegalArgumentException}): an aggregate over
     * missing data would look complete.
     */
    public RawQuery allowPartial() {
        return new RawQuery(reader, tag, from, to, bounds, fill, zone, maxBuckets, true);
    }

    /** Whether {@link #allowPartial()} was asked for. */
    public boolean allowsPartial() {
        return partial;
    }

    /** Opens a streaming cursor over the samples, in time order. */
    public SampleCursor raw() {
        return reader.open(this);
    }

    /**
     * Opens a cursor over aggregates per interval; see {@link Aggregate} for their semantics.
     *
     * @throws IllegalArgumentException if the interval is not positive, no aggregate is given, or
     *     the range holds more than {@link #maxBuckets(int)} intervals
     */
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

    /**
     * Opens a cursor over the value at {@code from}, {@code from + step}, ... before {@code to}, read as
     * {@link io.historian.ValueAt#INTERPOLATED} does (per the tag's interpolation; before the first
     * sample the point is NaN with quality {@link Aggregate#NO_DATA}).
     *
     * @throws IllegalArgumentException if the step is not positive or gives more than
     *     {@link #maxBuckets(int)} points
     */
    public PointCursor interpolated(Duration step) {
        Objects.requireNonNull(step, "step");
        if (step.isZero() || step.isNegative() || step.toMillis() == 0) {
            throw new IllegalArgumentException("step must be at least 1 ms [tag=" + tag + ", step=" + step + "]");
        }
        return reader.interpolated(this, step);
    }

    /**
     * Opens a chart of at most {@code points} samples chosen by Largest-Triangle-Three-Buckets,
     * plus the samples on both sides of each gap (see {@link PointCursor#gapBefore()}). Every point
     * is a stored sample with its quality. A range with at most {@code points} samples returns
     * them all.
     *
     * @throws IllegalArgumentException if {@code points < 3}
     */
    public PointCursor lttb(int points) {
        if (points < 3) {
            throw new IllegalArgumentException("lttb needs at least 3 points [tag=" + tag + ", points=" + points + "]");
        }
        return reader.downsample(this, Downsampling.LTTB, points);
    }

    /**
     * As {@link #lttb(int)}, after a min/max preselection of {@code 4 * points} samples: faster on
     * long ranges, nearly the same picture.
     *
     * @throws IllegalArgumentException if {@code points < 3}
     */
    public PointCursor minMaxLttb(int points) {
        if (points < 3) {
            throw new IllegalArgumentException("minMaxLttb needs at least 3 points [tag=" + tag + ", points=" + points
                    + "]");
        }
        return reader.downsample(this, Downsampling.MIN_MAX_LTTB, points);
    }

    /**
     * Opens the plot values for a chart {@code columns} pixels wide: the range is cut into that many
     * equal time columns, and each column gives its first, last, minimum and maximum samples and the
     * first sample of each run of Bad quality, in time order (PI's PlotValues).
     *
     * @throws IllegalArgumentException if {@code columns < 1}
     */
    public PointCursor plot(int columns) {
        if (columns < 1) {
            throw new IllegalArgumentException("plot needs at least 1 column [tag=" + tag + ", columns=" + columns
                    + "]");
        }
        return reader.downsample(this, Downsampling.PLOT, columns);
    }

    /** Reads every sample into a list: for small ranges and tests; prefer {@link #raw()}. */
    public List<Sample> toList() {
        List<Sample> out = new ArrayList<>();
        try (SampleCursor c = raw()) {
            while (c.next()) {
                out.add(c.sample());
            }
        }
        return out;
    }

    /** The tag, or the pattern. */
    public String tag() {
        return tag;
    }

    /** Whether {@link #tag()} is a pattern ({@code *} or {@code ?}). */
    public boolean isPattern() {
        return tag.indexOf('*') >= 0 || tag.indexOf('?') >= 0;
    }

    /** The start of the range, inclusive. */
    public Instant from() {
        return from;
    }

    /** The end of the range, exclusive. */
    public Instant to() {
        return to;
    }

    /** Whether bounding samples are included. */
    public boolean includesBounds() {
        return bounds;
    }

    /** The fill for empty intervals. */
    public Fill fill() {
        return fill;
    }

    /** The zone intervals align to, or null for the epoch. */
    public ZoneId zone() {
        return zone;
    }

    /** The most intervals per tag. */
    public int maxBuckets() {
        return maxBuckets;
    }
}
