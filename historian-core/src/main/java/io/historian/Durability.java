package io.historian;

/** What a returned {@code write} survives. {@link Historian#flush()} always gives {@link #POWER_LOSS}. */
public enum Durability {
    /** The sample is in the journal's memory-mapped file: it survives {@code kill -9} of the JVM (the default). */
    PROCESS_CRASH,
    /** The journal is forced to disk before {@code write} returns: it survives power loss. Much slower. */
    POWER_LOSS
}
