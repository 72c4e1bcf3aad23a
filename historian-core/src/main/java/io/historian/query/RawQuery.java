package io.historian.query;

import io.historian.Sample;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

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
 *
 * <p>Obtained from {@code Historian.query(tag)}; the historian implements it.
 */
public interface RawQuery {
    /** The default for {@link #maxBuckets(int)}. */
    int DEFAULT_MAX_BUCKETS = 1_000_000;

    /**
     * Restricts the query to {@code [from, to)}.
     *
     * @param from the start of the range, inclusive
     * @param to the end of the range, exclusive
     * @return a new query over that range
     * @throws IllegalArgumentException if {@code to} is before {@code from}; an empty range
     *     ({@code from == to}) is accepted and reads nothing (but its bounding samples)
     */
    RawQuery between(Instant from, Instant to);

    /**
     * Also returns the bounding samples: the last one before {@code from} and the first one at or
     * after {@code to}, when they exist, so a chart or an integral is right at the edges.
     *
     * @return a new query that includes the bounding samples
     */
    RawQuery withBounds();

    /**
     * What {@link #aggregate} reports for the sample aggregates of intervals without a non-Bad
     * sample (default {@link Fill#NONE}). {@link Fill#PREVIOUS} and {@link Fill#LINEAR} also read
     * the interval of the last non-Bad sample before the range, so that the range's first
     * intervals are filled as they would be in a longer range.
     *
     * @param fill the fill for empty intervals
     * @return a new query with that fill
     */
    RawQuery fill(Fill fill);

    /**
     * Aligns aggregate intervals to local midnights in {@code zone} (default: to the epoch, UTC).
     *
     * @param zone the zone whose local midnights start the intervals
     * @return a new query aligned to that zone
     */
    RawQuery alignedTo(ZoneId zone);

    /**
     * The most intervals an aggregate query, or steps an interpolated query, may produce per tag
     * (default {@value #DEFAULT_MAX_BUCKETS}); beyond it the query throws rather than flood the caller.
     *
     * @param max the most intervals or steps per tag, at least 1
     * @return a new query with that limit
     * @throws IllegalArgumentException if {@code max < 1}
     */
    RawQuery maxBuckets(int max);

    /**
     * Lets a {@link #raw()} query answer from what is reachable when the cold tier is not: tiered
     * segments that cannot be fetched are skipped and the cursor reports
     * {@link SampleCursor#isPartial()}. Without it such a query throws
     * {@link io.historian.ColdTierUnavailableException}. A corrupt or missing segment is an error
     * either way. The other modes refuse it ({@link IllegalArgumentException}): an aggregate over
     * missing data would look complete.
     *
     * @return a new query that accepts a partial answer
     */
    RawQuery allowPartial();

    /** {@return whether {@link #allowPartial()} was asked for} */
    boolean allowsPartial();

    /**
     * Opens a streaming cursor over the samples, in time order.
     *
     * @return an open cursor; the caller closes it
     * @throws io.historian.TagNotFoundException if the tag is a name that is not registered
     */
    SampleCursor raw();

    /**
     * Opens a cursor over aggregates per interval; see {@link Aggregate} for their semantics.
     *
     * @param interval the length of each interval, at least 1 ms
     * @param aggregates the aggregates to compute for each interval, in the order the cursor reports them
     * @return an open cursor, one row per interval (per tag for a pattern); the caller closes it
     * @throws IllegalArgumentException if the interval is not positive, no aggregate is given, or
     *     the range holds more than {@link #maxBuckets(int)} intervals
     */
    AggregateCursor aggregate(Duration interval, Aggregate... aggregates);

    /**
     * Opens a cursor over the value at {@code from}, {@code from + step}, ... before {@code to}, read as
     * {@link io.historian.ValueAt#INTERPOLATED} does (per the tag's interpolation: a stepped point
     * has the earlier sample's value and quality, a linear one the worse of its two samples'
     * qualities; before the first sample the point is NaN with quality {@link Aggregate#NO_DATA}).
     *
     * @param step the distance between points, at least 1 ms
     * @return an open cursor; the caller closes it
     * @throws IllegalArgumentException if the step is not positive or gives more than
     *     {@link #maxBuckets(int)} points
     */
    PointCursor interpolated(Duration step);

    /**
     * Opens a chart of at most {@code points} samples chosen by Largest-Triangle-Three-Buckets,
     * plus the samples on both sides of each gap (see {@link PointCursor#gapBefore()}). Every point
     * is a stored sample with its quality. A range with at most {@code points} samples returns
     * them all.
     *
     * @param points the most points to choose, at least 3
     * @return an open cursor; the caller closes it
     * @throws IllegalArgumentException if {@code points < 3}
     */
    PointCursor lttb(int points);

    /**
     * As {@link #lttb(int)}, after a min/max preselection of {@code 4 * points} samples: faster on
     * long ranges, nearly the same picture.
     *
     * @param points the most points to choose, at least 3
     * @return an open cursor; the caller closes it
     * @throws IllegalArgumentException if {@code points < 3}
     */
    PointCursor minMaxLttb(int points);

    /**
     * Opens the plot values for a chart {@code columns} pixels wide: the range is cut into that many
     * equal time columns, and each column gives its first, last, minimum and maximum samples and the
     * first sample of each run of Bad quality, in time order (PI's PlotValues).
     *
     * @param columns the chart's width in pixels, at least 1
     * @return an open cursor; the caller closes it
     * @throws IllegalArgumentException if {@code columns < 1}
     */
    PointCursor plot(int columns);

    /**
     * Reads every sample into a list: for small ranges and tests; prefer {@link #raw()}.
     *
     * @return the samples, in time order
     */
    default List<Sample> toList() {
        List<Sample> out = new ArrayList<>();
        try (SampleCursor c = raw()) {
            while (c.next()) {
                out.add(c.sample());
            }
        }
        return out;
    }

    /** {@return the tag, or the pattern} */
    String tag();

    /** {@return whether {@link #tag()} is a pattern ({@code *} or {@code ?})} */
    boolean isPattern();

    /** {@return the start of the range, inclusive} */
    Instant from();

    /** {@return the end of the range, exclusive} */
    Instant to();

    /** {@return whether bounding samples are included} */
    boolean includesBounds();

    /** {@return the fill for empty intervals} */
    Fill fill();

    /** {@return the zone intervals align to, or null for the epoch} */
    ZoneId zone();

    /** {@return the most intervals or steps per tag} */
    int maxBuckets();
}
