package io.historian;

import java.time.Instant;
import java.util.Optional;

/**
 * A subscription fell further behind ingest than {@link Historian.Builder#subscriberLagLimit}
 * allows and was ended, by the write call that took it past the limit. The caller reacts by
 * resubscribing with {@link Historian#subscribeFrom(Instant, String, SampleListener)} from
 * {@link #lastDelivered()}: samples arrive in timestamp order per tag when writers write in time
 * order, so that loses nothing (samples at that very timestamp come again). Data written late,
 * behind other tags' newer samples, needs an earlier start.
 *
 * <p>{@link #lastDelivered()} is exact: it is the timestamp of the last sample handed to the
 * listener, counting a call the listener has not returned from (a stuck listener's), and the
 * subscription hands it nothing after that sample.
 */
public class SubscriptionLaggedException extends HistorianException {
    private static final long serialVersionUID = 1L;

    private final transient Instant lastDelivered;

    /**
     * An exception naming the last timestamp delivered.
     *
     * @param message what happened, with the lag and the limit
     * @param lastDelivered the timestamp of the last sample handed to the listener, or null if none was
     */
    public SubscriptionLaggedException(String message, Instant lastDelivered) {
        super(message, null, true);
        this.lastDelivered = lastDelivered;
    }

    /**
     * {@return the timestamp of the last sample handed to the listener before the subscription
     * ended (its call may not have returned), or empty if none was; resubscribe from it}
     */
    public Optional<Instant> lastDelivered() {
        return Optional.ofNullable(lastDelivered);
    }
}
