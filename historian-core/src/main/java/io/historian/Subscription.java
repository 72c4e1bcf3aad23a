package io.historian;

import java.util.Optional;

/**
 * A running delivery of samples to a {@link SampleListener}, from
 * {@link Historian#subscribe(String, SampleListener)} (live) or
 * {@link Historian#subscribeFrom(java.time.Instant, String, SampleListener)} (replay, then live).
 *
 * <pre>{@code
 * try (Subscription s = historian.subscribeFrom(Instant.parse("2026-01-01T00:00:00Z"), "line1.*",
 *         (tag, t, v, q) -> sink.accept(tag, t, v))) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Each subscription reads the journal with its own tailer on its own thread, so a slow
 * listener lags behind but loses nothing, and writes never wait for it.
 *
 * <p><b>Lag:</b> the journal keeps every segment a subscription has yet to read, outside the
 * journal budget. A subscription that falls more than
 * {@link Historian.Builder#subscriberLagLimit} behind ingest is ended: its state becomes
 * {@link State#FAILED}, {@link #failure()} holds a {@link SubscriptionLaggedException} naming the
 * last timestamp delivered, and a warning is logged. Nothing is dropped silently: resubscribe
 * with {@code subscribeFrom} to continue.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread, also from the listener.
 *
 * <p><b>Lifecycle:</b> {@link #close()} stops the thread and releases the journal tailer, any
 * store views and the journal segments the subscription held; it is idempotent. Closing the
 * historian closes its subscriptions. A listener that does not return within a few seconds of
 * {@code close()} is interrupted; its resources are released regardless.
 */
public interface Subscription extends AutoCloseable {

    /** The life of a subscription: {@code REPLAYING -> LIVE -> CLOSED}, or {@code FAILED} from either. */
    enum State {
        /** Delivering stored samples ({@code subscribeFrom} only). */
        REPLAYING,
        /** Delivering samples as they are journaled. */
        LIVE,
        /** Closed by the caller or by the historian's close. */
        CLOSED,
        /** Ended abnormally; see {@link #failure()}. */
        FAILED
    }

    /** {@return the current state} */
    State state();

    /**
     * {@return samples delivered to the listener so far: its calls that returned, including those
     * that threw (a call still running is not counted yet)}
     */
    long delivered();

    /** {@return the number of listener calls that threw} */
    long listenerFailures();

    /**
     * Journal entries appended that this subscription has not read yet (an entry holds the
     * samples of one write call). While a replay runs, everything journaled since it began counts.
     *
     * @return the unread journal entries, zero when caught up
     */
    long lag();

    /** {@return the journal bytes appended that this subscription has not read yet} */
    DataSize lagSize();

    /** {@return true once the subscription is closed or failed; it then delivers nothing more} */
    boolean isClosed();

    /** {@return why the subscription ended abnormally, or empty if it did not} */
    Optional<HistorianException> failure();

    /** Stops delivery and releases everything the subscription holds. Idempotent. */
    @Override
    void close();
}
