package io.historian.spi;

import io.historian.DataSize;
import io.historian.Quality;
import java.time.Duration;

/**
 * A target the historian forwards its samples to, such as a Kafka topic or an MQTT broker: the
 * historian reads its journal for each forwarder on a thread of the forwarder's own and hands it
 * batches; the forwarder sends each batch and returns once the target has acknowledged it.
 *
 * <pre>{@code
 * Historian.builder().forwarder(KafkaForwarder.builder().bootstrapServers("broker:9092")
 *         .topic("plant.samples").build()).build();
 * }</pre>
 *
 * <p><b>Delivery:</b> at least once. The historian commits a forwarder's position durably only
 * after {@link #send} returned, so after a crash or a failed send the samples since the last
 * commit come again. Each sample is identified by its tag and timestamp, the key a target uses to
 * deduplicate. Samples of one tag come in the order they were written.
 * <p><b>Errors:</b> {@link #send} throws when the whole batch may succeed later (the target is
 * down, a timeout): the historian sends the batch again after a backoff with jitter, for as long
 * as it takes. A sample the target refuses for good (too large, not authorized, cannot be
 * serialized) is marked with {@link Batch#refuse}: it goes to the forwarder's dead letters with
 * the reason, and the rest of the batch counts as sent.
 * <p><b>Threads:</b> every method is called from one thread at a time, never from a writer's
 * thread: a slow or stuck forwarder holds up nothing but itself. A call that does not return
 * within {@link #callTimeout()} is abandoned (its thread is interrupted) and the forwarder is
 * closed and opened again.
 * <p><b>Lifecycle:</b> {@link #open} before the first send, and again after a failure that
 * closed it; {@link #close} when the historian closes or the forwarder is restarted. Both may be
 * called several times over the forwarder's life.
 */
public interface Forwarder {

    /** {@return a short name, unique per historian, for the API, logs and files, such as {@code kafka}} */
    String name();

    /**
     * Connects to the target; called on the forwarder's thread before the first {@link #send} and
     * after each {@link #close}. Throwing makes the historian retry after a backoff.
     *
     * @throws Exception if the target cannot be reached now
     */
    void open() throws Exception;

    /**
     * Sends the batch and waits until the target has acknowledged it.
     *
     * @param batch the samples; valid only during the call
     * @throws Exception if the batch should be sent again later
     */
    void send(Batch batch) throws Exception;

    /** Disconnects from the target and frees what {@link #open} took; idempotent. */
    void close();

    /** {@return the tags forwarded: a name, or a pattern with {@code *} wildcards (default every tag)} */
    default String tagPattern() {
        return "*";
    }

    /** {@return the most samples in one batch (default 5,000)} */
    default int maxBatchSamples() {
        return 5_000;
    }

    /** {@return how long a batch waits for more samples before it is sent (default 100 ms)} */
    default Duration maxBatchDelay() {
        return Duration.ofMillis(100);
    }

    /**
     * {@return how much journal the forwarder may keep unforwarded, outside the ingest budget
     * (default 1 GiB)} Beyond it the forwarder reads the store instead, from the time it had
     * reached less {@link #replayOverlap()}.
     */
    default DataSize journalBudget() {
        return DataSize.ofGigabytes(1);
    }

    /**
     * {@return how far before its last forwarded timestamp a forwarder starts reading the store
     * when it falls back to it (default 1 minute)} Samples written late, older than that, while
     * the forwarder is beyond its journal budget are not forwarded.
     */
    default Duration replayOverlap() {
        return Duration.ofMinutes(1);
    }

    /** {@return the most dead letters kept; beyond it the oldest are dropped and counted (default 100,000)} */
    default int deadLetterCapacity() {
        return 100_000;
    }

    /** {@return the first wait after a failure; it doubles up to {@link #maxRetryBackoff()} (default 100 ms)} */
    default Duration minRetryBackoff() {
        return Duration.ofMillis(100);
    }

    /** {@return the longest wait between retries (default 30 s)} */
    default Duration maxRetryBackoff() {
        return Duration.ofSeconds(30);
    }

    /** {@return how long {@link #open}, {@link #send} or {@link #close} may take before it is abandoned (default 2 minutes)} */
    default Duration callTimeout() {
        return Duration.ofMinutes(2);
    }

    /**
     * The samples of one {@link #send}: indexed from 0, in journal order.
     *
     * <p><b>Threads:</b> used only by the thread that called {@code send}, during the call.
     */
    interface Batch {
        /** {@return how many samples the batch holds} */
        int size();

        /**
         * {@return the tag of sample {@code i}}
         *
         * @param i the index, in {@code [0, size())}
         */
        String tag(int i);

        /**
         * {@return the timestamp of sample {@code i}, in epoch milliseconds}
         *
         * @param i the index, in {@code [0, size())}
         */
        long timestamp(int i);

        /**
         * {@return the value of sample {@code i}}
         *
         * @param i the index, in {@code [0, size())}
         */
        double value(int i);

        /**
         * {@return the quality of sample {@code i}}
         *
         * @param i the index, in {@code [0, size())}
         */
        Quality quality(int i);

        /**
         * Marks sample {@code i} as refused for good: it goes to the dead letters with the reason
         * instead of being sent again.
         *
         * @param i the index, in {@code [0, size())}
         * @param reason why the target refused it, for the operator
         */
        void refuse(int i, String reason);

        /**
         * Reports bytes the target accepted for this batch (its own encoding), for
         * {@link io.historian.ForwarderStatus#sentBytes()}; optional.
         *
         * @param n the bytes, at least 0
         */
        void bytesSent(long n);
    }
}
