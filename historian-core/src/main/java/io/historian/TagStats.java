package io.historian;

/**
 * The counters of one tag since the historian was opened.
 *
 * @param tag the tag name
 * @param receivedSamples samples handed to {@code write} for this tag
 * @param rejectedSamples samples of this tag refused
 * @param journaledSamples samples of this tag appended to the journal
 */
public record TagStats(String tag, long receivedSamples, long rejectedSamples, long journaledSamples) {
}
