package io.historian.query;

import io.historian.Quality;
import io.historian.Sample;
import java.time.Instant;

/**
 * A forward-only stream of one tag's samples in time order. Reading allocates nothing per sample
 * through {@link #epochMillis()}, {@link #value()} and {@link #qualityCode()}.
 *
 * <pre>{@code
 * try (SampleCursor c = historian.query("boiler.temp").between(from, to).raw()) {
 *     while (c.next()) {
 *         chart.add(c.epochMillis(), c.value());
 *     }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle:</b> the cursor holds a consistent snapshot of the store until it is closed;
 * always close it. Closing twice is harmless.
 * <p><b>Thread safety:</b> not thread-safe; use a cursor from one thread.
 * <p><b>Errors:</b> {@link #next()} throws {@link io.historian.HistorianException} naming the tag
 * and chunk if stored data is corrupt; it never returns wrong numbers.
 */
public interface SampleCursor extends AutoCloseable {

    /**
     * Moves to the next sample.
     *
     * @return true when there is a current sample to read, false at the end
     */
    boolean next();

    /** {@return the tag being read} */
    String tag();

    /** {@return the current sample's timestamp in milliseconds since the epoch} */
    long epochMillis();

    /** {@return the current sample's timestamp} */
    default Instant timestamp() {
        return Instant.ofEpochMilli(epochMillis());
    }

    /** {@return the current sample's value} */
    double value();

    /** {@return the current sample's quality code (see {@link Quality#code()})} */
    int qualityCode();

    /** {@return the current sample's quality} */
    default Quality quality() {
        return Quality.of(qualityCode());
    }

    /** {@return the current sample as a new object} */
    default Sample sample() {
        return new Sample(tag(), timestamp(), value(), quality());
    }

    /** Releases the snapshot; idempotent. */
    @Override
    void close();

    /**
     * True when a query made with {@link RawQuery#allowPartial()} skipped tiered data it could not
     * fetch; meaningful once the cursor has been read to its end.
     *
     * @return true when tiered data was skipped, so the result is incomplete
     */
    default boolean isPartial() {
        return false;
    }
}
