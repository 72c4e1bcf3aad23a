package io.historian;

import java.time.Instant;
import java.util.Objects;

/**
 * What a tag's exception and compression filters did, and what it cost in accuracy, since the
 * historian was opened: the numbers to tune {@link TagDefinition#deadband(double)} and
 * {@link TagDefinition#swingingDoor(double, java.time.Duration)} with.
 *
 * <pre>{@code
 * FilterStats s = historian.compression("pump.speed").orElseThrow();
 * System.out.printf("%.1f:1, max error %.3f at %s%n", s.compressionRatio(), s.maxError(), s.maxErrorAt());
 * }</pre>
 *
 * <p><b>Counting:</b> {@code offered = archived + filtered + pending}. Pending samples (at most two
 * per tag) are held by the filter and are archived or dropped by a later sample, or archived at
 * close.
 *
 * <p><b>Error:</b> each raw input is compared with the value read back from the archived samples
 * at its time (linear interpolation between the archived samples around it, or the previous one for
 * stepped tags), once the archived sample after it is known. Inputs archived as they are (out of
 * order, NaN or infinite) have no error and are not counted as checked. The filter buffers a bounded
 * number of raw inputs between two archived samples; inputs that overflow that buffer are counted
 * as unchecked. Units: the tag's unit.
 *
 * @param tag the tag name
 * @param offered samples offered to the filter
 * @param passedException samples that passed the exception (deadband) stage
 * @param archived samples stored
 * @param filtered samples dropped for good
 * @param pending samples held by the filter, not yet decided
 * @param checkedSamples inputs whose reconstruction error was measured
 * @param uncheckedSamples inputs that could not be measured (buffer overflow, non-finite neighbours)
 * @param maxError the largest absolute reconstruction error, or NaN if nothing was checked
 * @param maxErrorAt when the input with the largest error was measured, or {@code null} if nothing was checked
 * @param meanError the mean absolute reconstruction error, or NaN if nothing was checked
 */
public record FilterStats(String tag, long offered, long passedException, long archived, long filtered,
        long pending, long checkedSamples, long uncheckedSamples, double maxError, Instant maxErrorAt,
        double meanError) {

    /**
     * Checks for a null tag.
     *
     * @param tag the tag name
     * @param offered samples offered to the filter
     * @param passedException samples that passed the exception (deadband) stage
     * @param archived samples stored
     * @param filtered samples dropped for good
     * @param pending samples held by the filter, not yet decided
     * @param checkedSamples inputs whose reconstruction error was measured
     * @param uncheckedSamples inputs that could not be measured
     * @param maxError the largest absolute reconstruction error, or NaN if nothing was checked
     * @param maxErrorAt when the input with the largest error was measured, or {@code null}
     * @param meanError the mean absolute reconstruction error, or NaN if nothing was checked
     */
    public FilterStats {
        Objects.requireNonNull(tag, "tag");
    }

    /**
     * Samples offered per sample stored: 1.0 means nothing was filtered. Infinite while samples have
     * been offered but none stored yet, NaN before the first sample.
     *
     * @return {@code offered / archived}
     */
    public double compressionRatio() {
        return (double) offered / archived;
    }
}
