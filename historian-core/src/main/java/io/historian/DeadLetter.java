package io.historian;

import java.time.Instant;
import java.util.Objects;

/**
 * A sample a forwarder's target refused for good, with the reason (see {@link Forwarding}).
 *
 * @param tag the sample's tag
 * @param timestamp the sample's timestamp
 * @param value the sample's value
 * @param quality the sample's quality
 * @param reason why the target refused it
 * @param refusedAt when it was refused
 */
public record DeadLetter(String tag, Instant timestamp, double value, Quality quality, String reason,
        Instant refusedAt) {

    /**
     * Checks that no component is null.
     *
     * @param tag the sample's tag
     * @param timestamp the sample's timestamp
     * @param value the sample's value
     * @param quality the sample's quality
     * @param reason why the target refused it
     * @param refusedAt when it was refused
     */
    public DeadLetter {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(quality, "quality");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(refusedAt, "refusedAt");
    }
}
