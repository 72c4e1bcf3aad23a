package io.historian.query;

import io.historian.Quality;

/**
 * What an aggregate query computes per interval, with OPC UA Part 13 semantics.
 *
 * <pre>{@code
 * try (AggregateCursor c = historian.query("boiler.temp").between(from, to)
 *         .aggregate(Duration.ofHours(1), Aggregate.TIME_WEIGHTED_MEAN, Aggregate.MIN, Aggregate.MAX)) {
 *     while (c.next()) {
 *         chart.add(c.intervalStart(), c.value(0), c.value(1), c.value(2));
 *     }
 * }
 * }</pre>
 *
 * <p><b>Which samples count.</b> A sample is <i>usable</i> when its quality is not Bad and its
 * value is not NaN. The sample aggregates ({@link #COUNT} to {@link #STDDEV}) look at the samples
 * whose timestamps lie in the interval: Bad samples are ignored; a non-Bad NaN is counted by
 * {@link #COUNT} and skipped by every other value (as the chunk header skips it, which lets
 * count, min, max, sum and range answer from chunk headers). If the interval holds no non-Bad
 * sample (it is <i>empty</i>), the sample aggregates are NaN ({@code COUNT} 0) with quality
 * {@link #NO_DATA}, and the query's {@link Fill} applies to every one of them but {@code COUNT},
 * alike: {@link Fill#PREVIOUS} repeats each aggregate's value in the previous interval, which for
 * the range's first interval may lie before the range.
 *
 * <p><b>Time-weighted aggregates</b> ({@link #TIME_WEIGHTED_MEAN}, {@link #INTEGRAL},
 * {@link #PERCENT_GOOD}, {@link #DURATION_BAD}) read the tag as a function of time: from each
 * sample to the next, a STEPPED tag holds the sample's value, a LINEAR tag follows the straight
 * line to the next sample when both are usable and holds the value otherwise; after the last
 * sample the value holds. A quality holds from its sample to the next (stepped, whatever the
 * interpolation). So the value at an interval's start is interpolated from the samples around it
 * (the bounding values), and samples outside the interval contribute exactly their share of it.
 * Time after an unusable sample is left out of the mean and the integral; time before the tag's
 * first sample has no data and counts as Bad.
 *
 * <p><b>Quality of a result:</b> the worst quality of the samples it used: for sample
 * aggregates, the non-Bad samples in the interval; for the mean and the integral, the usable
 * samples whose time overlaps the interval (and, for a linear tag, the next sample a line runs
 * to). {@link #PERCENT_GOOD} and {@link #DURATION_BAD} describe quality and are always Good.
 *
 * <p><b>Units:</b> values in the tag's unit; {@link #INTEGRAL} in unit x seconds,
 * {@link #DURATION_BAD} in seconds, {@link #PERCENT_GOOD} in percent (0 to 100).
 *
 * <p><b>Thread safety:</b> immutable.
 */
public enum Aggregate {
    /** Number of non-Bad samples in the interval (NaN values included). */
    COUNT,
    /** Smallest usable value. */
    MIN,
    /** Largest usable value. */
    MAX,
    /** The earliest usable value in the interval. */
    FIRST,
    /** The latest usable value in the interval. */
    LAST,
    /** Sum of the usable values. */
    SUM,
    /** Arithmetic mean of the usable values. */
    MEAN,
    /** MAX - MIN. */
    RANGE,
    /** LAST - FIRST. */
    DELTA,
    /** Sample standard deviation (n - 1) of the usable values; NaN below two. */
    STDDEV,
    /** Time-weighted mean over the usable time in the interval, with bounding values. */
    TIME_WEIGHTED_MEAN,
    /** The area under the value over the usable time, in unit x seconds. */
    INTEGRAL,
    /** Percent of the interval's duration whose quality is Good. */
    PERCENT_GOOD,
    /** Seconds of the interval whose quality is Bad, or that has no data. */
    DURATION_BAD;

    /** OPC UA {@code Bad_NoData}: the quality of an aggregate with nothing to aggregate. */
    public static final int NO_DATA = Quality.BAD_NO_DATA.code();

}
