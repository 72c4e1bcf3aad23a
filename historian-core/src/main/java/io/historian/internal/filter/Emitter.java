package io.historian.internal.filter;

/**
 * Receives the samples a {@link SampleFilter} archives, in the order they should be written.
 *
 * <p>Internal: public only so that the benchmarks can reach it.
 */
@FunctionalInterface
public interface Emitter {

    /** Called for each archived sample: epoch milliseconds, value, OPC UA quality code. */
    void emit(long t, double v, int quality);
}
