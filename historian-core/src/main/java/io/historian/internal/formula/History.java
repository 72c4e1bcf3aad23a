package io.historian.internal.formula;

/**
 * Past values of tags, which {@link FormulaGraph} asks for when a late sample makes it recompute
 * formulas at an older timestamp. The engine implements it over its store (derived tags included).
 * Called on the thread that feeds the graph.
 */
@FunctionalInterface
public interface History {
    /**
     * Looks up the last sample of a tag at or before a time.
     *
     * @param tag the tag
     * @param slot the graph's slot of the tag, if the engine keys its lookups by slot
     * @param epochMillis the time
     * @param into filled with the sample when there is one; the graph reuses one holder, so an
     *     implementation that fills it allocates nothing
     * @return true when {@code into} holds the sample; false when the tag has no sample at or before
     *     that time (the graph then treats the input as never seen: the formula has no result)
     */
    boolean sampleAtOrBefore(String tag, int slot, long epochMillis, SampleHolder into);

    /** A mutable holder for one sample, reused across calls. */
    final class SampleHolder {
        public long epochMillis;
        public double value;
        public int qualityCode;

        /** Sets all three fields. */
        public void set(long epochMillis, double value, int qualityCode) {
            this.epochMillis = epochMillis;
            this.value = value;
            this.qualityCode = qualityCode;
        }
    }
}
