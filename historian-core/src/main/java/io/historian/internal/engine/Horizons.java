package io.historian.internal.engine;

import java.time.Clock;
import java.time.Duration;

/**
 * The two horizons that move over the data: the tiering cutoff (before it, data is immutable and
 * lives in the cold tier) and the retention horizon ({@code now - retention}; before it, data is
 * expired). The write path refuses samples behind either; {@link Lifecycle} moves the cutoff.
 *
 * <p><b>Threads:</b> the cutoff is raised under the write lock and read without it (volatile).
 */
final class Horizons {
    private final Duration retention;
    private final Clock clock;
    private volatile long tieringCutoff;

    Horizons(long tieringCutoff, Duration retention, Clock clock) {
        this.tieringCutoff = tieringCutoff;
        this.retention = retention;
        this.clock = clock;
    }

    /** Samples before it are refused; Long.MIN_VALUE when nothing was tiered. */
    long tieringCutoff() {
        return tieringCutoff;
    }

    /** Called by {@link Lifecycle} under the write lock: writes after this see the new cutoff. */
    void raiseTieringCutoff(long cutoff) {
        if (cutoff > tieringCutoff) {
            tieringCutoff = cutoff;
        }
    }

    /** Samples before it are expired at {@code now}; Long.MIN_VALUE without retention. */
    long retentionHorizon(long now) {
        return retention == null ? Long.MIN_VALUE : Timestamps.saturatedAdd(now, -retention.toMillis());
    }

    long now() {
        return clock.millis();
    }
}
