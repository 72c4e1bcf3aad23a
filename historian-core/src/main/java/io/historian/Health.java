package io.historian;

import java.util.List;
import java.util.Objects;

/**
 * Whether the historian is well, from {@link Historian#health()}: a state and the reasons for it.
 *
 * <pre>{@code
 * Health h = historian.health();
 * if (h.state() != Health.State.UP) {
 *     h.reasons().forEach(r -> log.warn("{}: {}", r.cause(), r.detail()));
 * }
 * }</pre>
 *
 * <p>The state is the worst of the reasons' states, {@link State#UP} when there is none. The
 * thresholds that turn a figure into a reason are the builder's {@link HealthThresholds}.
 *
 * @param state the worst state of the reasons, or UP without reasons
 * @param reasons why the state is not UP, in the order of {@link Cause}; empty when UP
 */
public record Health(State state, List<Reason> reasons) {

    /**
     * Copies the reasons.
     *
     * @param state the worst state of the reasons, or UP without reasons
     * @param reasons why the state is not UP; copied
     */
    public Health {
        Objects.requireNonNull(state, "state");
        reasons = List.copyOf(reasons);
    }

    /**
     * The health made of some reasons: their worst state, or UP when there is none.
     *
     * @param reasons the reasons, possibly none
     * @return the health
     */
    public static Health of(List<Reason> reasons) {
        State worst = State.UP;
        for (Reason r : reasons) {
            if (r.state().ordinal() > worst.ordinal()) {
                worst = r.state();
            }
        }
        return new Health(worst, reasons);
    }

    /**
     * Whether one cause is among the reasons.
     *
     * @param cause the cause to look for
     * @return true when a reason has that cause
     */
    public boolean has(Cause cause) {
        for (Reason r : reasons) {
            if (r.cause() == cause) {
                return true;
            }
        }
        return false;
    }

    /** The states, from well to failed; a gauge reports the ordinal (0 UP, 1 DEGRADED, 2 DOWN). */
    public enum State {
        /** Everything works within its thresholds. */
        UP,
        /** Data is still accepted and kept, but something needs an operator's look. */
        DEGRADED,
        /** Accepted data no longer reaches the store; calls fail until the historian is reopened. */
        DOWN
    }

    /** What a reason is about; a fixed list, so a metric label per cause stays bounded. */
    public enum Cause {
        /** The store writer stopped on an error (DOWN); see {@link HistorianStats#failure()}. */
        STORE_WRITER_FAILED,
        /** The journal holds more than {@link HealthThresholds#journalUsage()} of its budget. */
        JOURNAL_FULL,
        /** The store writer lags ingest by more than {@link HealthThresholds#storeLag()}. */
        STORE_LAG,
        /** A source has been unable to reach its device for longer than {@link HealthThresholds#deviceUnreachable()}. */
        DEVICE_UNREACHABLE,
        /** The scheduled tiering failed {@link HealthThresholds#tieringFailures()} runs in a row or more. */
        TIERING_FAILING,
        /** A subscription was ended for lag within {@link HealthThresholds#laggedSubscription()}. */
        SUBSCRIPTION_LAGGED
    }

    /**
     * One reason the historian is not UP.
     *
     * @param cause what it is about
     * @param state how bad it is
     * @param detail the figures behind it, for a person to read
     */
    public record Reason(Cause cause, State state, String detail) {
        /**
         * Checks for nulls.
         *
         * @param cause what it is about
         * @param state how bad it is
         * @param detail the figures behind it
         */
        public Reason {
            Objects.requireNonNull(cause, "cause");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
