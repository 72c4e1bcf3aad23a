package io.historian.internal.formula;

/**
 * Receives the samples that {@link FormulaGraph} derives. Called on the thread that feeds the graph,
 * once per evaluated formula, in topological order; it must not call back into the graph.
 */
@FunctionalInterface
public interface DerivedSink {
    /**
     * One derived sample.
     *
     * @param formula the formula's index in {@link FormulaGraph#outputTag(int)}, stable for the
     *     graph's life, so the engine can map it to a tag id without a map lookup
     * @param tag the output tag
     * @param epochMillis the timestamp of the sample that triggered the evaluation
     * @param value the result; NaN when the quality is Bad
     * @param qualityCode the OPC UA status code of the result
     */
    void derived(int formula, String tag, long epochMillis, double value, int qualityCode);
}
