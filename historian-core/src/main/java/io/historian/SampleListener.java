package io.historian;

/**
 * Receives the samples of a {@link Subscription}.
 *
 * <pre>{@code
 * Subscription s = historian.subscribe("boiler.*", (tag, epochMillis, value, quality) ->
 *         trend.add(tag, epochMillis, value));
 * }</pre>
 *
 * <p><b>Threads:</b> called on the subscription's own thread ({@code historian-subscription-N}),
 * one sample at a time, never concurrently with itself. A slow listener delays only its own
 * subscription; it never slows writes.
 *
 * <p><b>Errors:</b> anything the listener throws is counted
 * ({@link Subscription#listenerFailures()}) and logged, and delivery goes on with the next
 * sample: a listener cannot stop its subscription by throwing. Only a {@link VirtualMachineError}
 * (out of memory, say) ends the subscription, with a {@link Subscription#failure()}.
 *
 * <p><b>Allocation:</b> {@code tag} is the registry's own string, the same instance for every
 * sample of a tag, so delivery allocates nothing per sample.
 */
@FunctionalInterface
public interface SampleListener {
    /**
     * One sample.
     *
     * @param tag the tag name
     * @param epochMillis the timestamp in milliseconds since the epoch
     * @param value the value
     * @param quality the quality
     */
    void onSample(String tag, long epochMillis, double value, Quality quality);
}
