package io.historian;

import java.time.Instant;
import java.util.List;

/**
 * The running forwarding of one {@link io.historian.spi.Forwarder}: its status, its dead
 * letters, and replay on demand.
 *
 * <pre>{@code
 * Forwarding kafka = historian.forwarder("kafka");
 * ForwarderStatus s = kafka.status();            // state, lag, sent, retried, dead-lettered, bytes
 * kafka.replayFrom(Instant.parse("2026-11-01T00:00:00Z"));
 * }</pre>
 *
 * <p><b>Threads:</b> thread-safe; each call returns at once and the forwarder's own thread does
 * the work. <b>Lifecycle:</b> valid while the historian is open.
 */
public interface Forwarding {

    /** {@return the forwarder's name} */
    String name();

    /** {@return a snapshot of the forwarder's state and counters since the historian opened} */
    ForwarderStatus status();

    /**
     * Forwards again every stored sample of the forwarder's tags from {@code from} on, then goes
     * on live. What the forwarder had not sent yet is sent as part of it.
     *
     * @param from the first timestamp to forward again
     */
    void replayFrom(Instant from);

    /** Forwards again every stored sample of the forwarder's tags, from the earliest on, then goes on live. */
    void replayFromEarliest();

    /**
     * Reads the dead letters, oldest first.
     *
     * @return the samples the target refused for good, with the reasons
     */
    List<DeadLetter> readDeadLetters();

    /**
     * Asks the forwarder to send every dead letter again; those the target accepts leave the dead
     * letters, the others stay with their new reason.
     */
    void retryDeadLetters();

    /**
     * Deletes every dead letter.
     *
     * @return how many were deleted
     */
    int purgeDeadLetters();
}
