package io.historian;

/** What a write does when the journal has reached its disk budget. Either way it is counted. */
public enum OverflowPolicy {
    /** Wait for the store to catch up (back-pressure), up to the blocking timeout (the default). */
    BLOCK,
    /** Throw {@link JournalFullException} at once. */
    REJECT
}
