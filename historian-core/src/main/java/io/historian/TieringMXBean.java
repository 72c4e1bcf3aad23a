package io.historian;

/**
 * The JMX view of tiering, registered as {@code io.historian:type=Tiering,directory="<data directory>"}
 * while a historian with a {@linkplain Historian.Builder#coldTier cold tier} is open (and
 * {@link Historian.Builder#jmx} is on). Counts are since the historian opened.
 */
public interface TieringMXBean {
    /** {@return tiering runs that ended, scheduled or {@link Historian#tierNow()}, failed ones included} */
    long getRuns();

    /** {@return tiering runs that ended with an error} */
    long getFailedRuns();

    /** {@return runs that failed since the last one that succeeded} */
    int getFailedRunsInARow();

    /** {@return segments recorded in the manifest by successful runs, adopted ones included} */
    long getSegmentsWritten();

    /** {@return bytes of the segments those runs recorded} */
    long getBytesWritten();

    /** {@return samples those runs moved to the cold tier} */
    long getSamplesTiered();

    /** {@return the tiering cutoff in epoch milliseconds: samples before it are tiered or immutable; Long.MIN_VALUE before the first run} */
    long getCutoffMillis();

    /** {@return segments that queries read from the local cache} */
    long getCacheHits();

    /** {@return segments that queries fetched from the cold tier} */
    long getCacheMisses();

    /** {@return bytes of segments held in the local cache} */
    long getCacheBytes();

    /** {@return cold-tier segments deleted by retention} */
    long getExpiredSegments();
}
