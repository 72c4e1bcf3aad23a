package io.historian;

import java.time.Instant;
import java.util.Objects;

/**
 * One value of one tag at one time, with its quality.
 *
 * <pre>{@code
 * historian.write(new Sample("boiler.temp", Instant.parse("2026-01-01T00:00:00Z"), 81.4, Quality.GOOD));
 * }</pre>
 *
 * <p>Timestamps are stored with millisecond precision; finer parts of the instant are dropped.
 *
 * @param tag the tag name
 * @param timestamp when the value was measured
 * @param value the value; NaN and infinities are stored bit-exactly unless the tag rejects them
 * @param quality the OPC UA quality
 */
public record Sample(String tag, Instant timestamp, double value, Quality quality) {

    /**
     * Checks for nulls.
     *
     * @param tag the tag name
     * @param timestamp when the value was measured
     * @param value the value
     * @param quality the OPC UA quality
     */
    public Sample {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(quality, "quality");
    }

    /**
     * A sample of Good quality.
     *
     * @param tag the tag name
     * @param timestamp when the value was measured
     * @param value the value
     * @return the sample
     */
    public static Sample of(String tag, Instant timestamp, double value) {
        return new Sample(tag, timestamp, value, Quality.GOOD);
    }
}
