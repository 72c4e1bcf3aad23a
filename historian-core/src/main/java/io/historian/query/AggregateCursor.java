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
    /** Moves to the next interval; false when there is none. */
    boolean next();

    /** The tag of the current interval. */
    String tag();

    /** The requested aggregates, in the order of {@link #value(int)}. */
    List<Aggregate> aggregates();

    /** The current interval's start (inclusive), epoch milliseconds. */
    long startMillis();

    /** The current interval's end (exclusive), epoch milliseconds. */
    long endMillis();

    /** The current interval's start. */
    default Instant intervalStart() {
        return Instant.ofEpochMilli(startMillis());
    }

    /** The current interval's end (exclusive). */
    default Instant intervalEnd() {
        return Instant.ofEpochMilli(endMillis());
    }

    /** The value of the {@code i}-th requested aggregate. */
    double value(int i);

    /** The quality code of the {@code i}-th requested aggregate. */
    int qualityCode(int i);

    /** The quality of the {@code i}-th requested aggregate. */
    default Quality quality(int i) {
        return Quality.of(qualityCode(i));
    }

    /** The value of an aggregate; it must be one of the requested ones. */
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
