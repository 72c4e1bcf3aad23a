package io.historian;

import java.time.Duration;

/**
 * A snapshot of one forwarder (see {@link Forwarding#status()}); counters run since the historian
 * opened.
 *
 * @param name the forwarder's name
 * @param state what the forwarder does now
 * @param lagSamples samples journaled for this forwarder and not acknowledged yet; an estimate
 *     while it reads the store, where only what was journaled since counts
 * @param lagTime how far the oldest unacknowledged sample lies behind the clock, or zero when
 *     nothing waits
 * @param sentSamples samples the target acknowledged
 * @param retriedSamples samples sent again after a failed send
 * @param deadLetteredSamples samples the target refused for good
 * @param deadLetters the dead letters kept now
 * @param deadLettersDropped dead letters dropped, oldest first, because the store was full
 * @param sentBytes bytes of samples acknowledged, as the target counts them (zero if it does not)
 * @param restarts how often the forwarder was closed and opened again after a failure or a hang
 * @param lastError the last failure, or null
 */
public record ForwarderStatus(
        String name,
        State state,
        long lagSamples,
        Duration lagTime,
        long sentSamples,
        long retriedSamples,
        long deadLetteredSamples,
        long deadLetters,
        long deadLettersDropped,
        long sentBytes,
        long restarts,
        String lastError) {

    /** What a forwarder does. */
    public enum State {
        /** Opening the target or positioning in the journal. */
        STARTING,
        /** Reading the journal and sending. */
        FORWARDING,
        /** Reading the store (a replay, or after falling beyond its journal budget), then going on live. */
        REPLAYING,
        /** Waiting after a failed send or open before it tries again. */
        BACKING_OFF,
        /** Stopped with the historian. */
        CLOSED
    }
}
