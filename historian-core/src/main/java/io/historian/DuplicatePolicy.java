package io.historian;

/**
 * What a write does when the tag already has a sample at the same timestamp. Replays of the
 * journal after a crash are idempotent under every policy.
 */
public enum DuplicatePolicy {
    /** The later write replaces the earlier value and quality (the default). */
    LAST_WRITE_WINS,
    /** The earlier sample stays; the later one is counted and dropped. */
    KEEP_FIRST,
    /** The later write is refused with a {@link SampleRejectedException}. */
    REJECT
}
