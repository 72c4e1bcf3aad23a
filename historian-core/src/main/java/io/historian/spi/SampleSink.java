package io.historian.spi;

import io.historian.Quality;
import io.historian.SampleBatch;

/**
 * Where a {@link SampleSource} writes: the historian's write path, with the same contract as
 * {@link io.historian.Historian#write(SampleBatch)} (journaled before it returns, accepted whole or
 * refused with an exception naming the sample).
 *
 * <p><b>Thread safety:</b> callable from any thread.
 */
public interface SampleSink {

    /**
     * Writes a batch; see {@link io.historian.Historian#write(SampleBatch)}.
     *
     * @param batch the samples, accepted whole or not at all; reusable once this returns
     */
    void write(SampleBatch batch);

    /**
     * Writes one sample with its timestamp in milliseconds since the epoch.
     *
     * @param tag the tag name
     * @param epochMillis when the value was measured, in milliseconds since the epoch
     * @param value the value
     * @param quality the sample's quality
     */
    void write(String tag, long epochMillis, double value, Quality quality);
}
