package io.historian;

/** Why a sample was refused; each reason has its own counter in {@link HistorianStats}. */
public enum RejectReason {
    /** The tag name is empty, too long, has control characters, a {@code ..} or a pattern character. */
    INVALID_TAG_NAME,
    /** Strict mode is on and the tag is not registered. */
    UNKNOWN_TAG,
    /** The value is NaN or infinite and the tag does not accept non-finite values. */
    NON_FINITE_VALUE,
    /** The timestamp lies outside the accepted window. */
    TIMESTAMP_OUT_OF_RANGE,
    /** A sample with the same tag and timestamp exists and the duplicate policy is {@code REJECT}. */
    DUPLICATE,
    /** Another sample of the same batch was refused, so the whole batch was. */
    BATCH_REJECTED,
    /** The batch holds more samples than the configured maximum. */
    BATCH_TOO_LARGE,
    /** The journal was full. */
    JOURNAL_FULL,
    /** The journal's disk had less free space than the reserve (see {@link Historian.Builder#diskReserve}). */
    DISK_FULL,
    /** The timestamp lies before the tiering cutoff, where data is immutable (see {@link TieringPolicy}). */
    BEHIND_TIERING_CUTOFF,
    /**
     * The timestamp lies before the retention horizon ({@code now - retention}, see
     * {@link Historian.Builder#retention}): the sample would be expired as soon as it was stored.
     */
    BEHIND_RETENTION,
    /** The tag is the output of a formula ({@link Historian.Builder#formula}); write its inputs instead. */
    COMPUTED_TAG,
    /**
     * Judging the call needed data the cold tier holds (the {@code REJECT} duplicate check of a
     * late sample), and the cold tier could not be reached: nothing was written; retry later.
     */
    COLD_TIER_UNAVAILABLE
}
