package io.historian.query;

import io.historian.Quality;
import java.time.Instant;
import java.util.List;

/**
 * A stream of aggregate intervals, in time order; each interval carries one value and one quality
 * per requested {@link Aggregate}, by position. With a tag pattern, the intervals of each tag
 * follow those of the previous tag; {@link #tag()} names the current one.
 *
 * <pre>{@code
 * try (AggregateCursor c = historian.query("boiler.temp").between(from, to)
 *         .aggregate(Duration.ofHours(1), Aggregate.TIME_WEIGHTED_MEAN, Aggregate.MAX)) {
 *     while (c.next()) {
 *         System.out.println(c.intervalStart() + " " + c.value(0) + " " + c.quality(0));
 *     }
 * }
 * }</pre>
 *
 * <p>The accessors allocate nothing; {@link #next()} allocates one small row per interval.
 * <p><b>Lifecycle:</b> holds a snapshot of the store until closed; always close it; idempotent.
 * <p><b>Thread safety:</b> not thread-safe; use a cursor from one thread.
 * <p><b>Errors:</b> {@link #next()} throws {@link io.historian.HistorianException} on corrupt data,
 * {@link IllegalStateException} after close.
 */
public interface AggregateCursor extends AutoCloseable {
    /**
     * Moves to the next interval.
     *
     * @return true when there is a current interval to read, false at the end
     */
    boolean next();

    /** {@return the tag of the current interval} */
    String tag();

    /** {@return the requested aggregates, in the order of {@link #value(int)}} */
    List<Aggregate> aggregates();

    /** {@return the current interval's start (inclusive), in milliseconds since the epoch} */
    long startMillis();

    /** {@return the current interval's end (exclusive), in milliseconds since the epoch} */
    long endMillis();

    /** {@return the current interval's start (inclusive)} */
    default Instant intervalStart() {
        return Instant.ofEpochMilli(startMillis());
    }

    /** {@return the current interval's end (exclusive)} */
    default Instant intervalEnd() {
        return Instant.ofEpochMilli(endMillis());
    }

    /**
     * The value of the {@code i}-th requested aggregate.
     *
     * @param i the aggregate's position in {@link #aggregates()}, from 0
     * @return the value, in the unit {@link Aggregate} gives; NaN when the interval has no data and
     *     the query's {@link Fill} gives no value (see {@link Fill#PREVIOUS} for what it repeats)
     */
    double value(int i);

    /**
     * The quality code of the {@code i}-th requested aggregate.
     *
     * @param i the aggregate's position in {@link #aggregates()}, from 0
     * @return the OPC UA status code (see {@link Quality#code()}); {@link Aggregate#NO_DATA} for an
     *     empty interval left unfilled, at best {@code Uncertain_LastUsableValue} for a filled one
     *     (Good for {@link Fill#constant(double)})
     */
    int qualityCode(int i);

    /**
     * The quality of the {@code i}-th requested aggregate.
     *
     * @param i the aggregate's position in {@link #aggregates()}, from 0
     * @return the quality
     */
    default Quality quality(int i) {
        return Quality.of(qualityCode(i));
    }

    /**
     * The value of an aggregate, looked up by name rather than position.
     *
     * @param aggregate one of the requested aggregates
     * @return its value for the current interval
     * @throws IllegalArgumentException if {@code aggregate} was not requested
     */
    default double value(Aggregate aggregate) {
        int i = aggregates().indexOf(aggregate);
        if (i < 0) {
            throw new IllegalArgumentException("aggregate not requested [aggregate=" + aggregate + ", requested="
                    + aggregates() + "]");
        }
        return value(i);
    }

    /** Releases the snapshot; idempotent. */
    @Override
    void close();
}
