package io.historian.internal.formula;

/**
 * Receives the samples that {@link FormulaGraph} derives. Called on the thread that feeds the graph,
 * at the end of {@link FormulaGraph#evaluate}, at most once per (formula, time) per write call; it
 * must not call back into the graph. A sample may replace one derived in an earlier call at the
 * same time (a recalculation): the store must keep the later one.
 */
@FunctionalInterface
public interface DerivedSink {
    /**
     * One derived sample.
     *
     * @param formula the formula's index in {@link FormulaGraph#outputTag(int)}, stable for the
     *     graph's life, so the engine can map it to a tag id without a map lookup
     * @param tag the output tag
     * @param epochMillis the time at which the formula was evaluated: a time of one of its inputs
     * @param value the result; NaN when the quality is Bad
     * @param qualityCode the OPC UA status code of the result
     */
    void derived(int formula, String tag, long epochMillis, double value, int qualityCode);
}
