package io.historian.internal.formula;

/**
 * Past values of tags, which {@link FormulaGraph} reads when a late sample makes it recalculate
 * formulas at older timestamps. The engine implements it over its store, derived tags included;
 * it must reflect every committed write call (the samples of the call being evaluated are not
 * expected: the graph lays them over what it reads here). Called on the thread that feeds the
 * graph, only on the recalculation path: a call whose samples are all at or after the frontier of
 * every formula they affect never reads history.
 *
 * <p>Only {@link #sampleAtOrBefore} is abstract, so a lambda is a complete implementation for
 * tests; the defaults of the two other methods are correct but slow (see each), and the engine
 * overrides both with reads of its store.
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
     *     that time
     */
    boolean sampleAtOrBefore(String tag, int slot, long epochMillis, SampleHolder into);

    /**
     * Looks up the first sample of a tag strictly after a time: where the effect of a late sample on
     * the formulas that read the tag ends. The graph asks only for times before the tag's latest
     * sample, so there is always one.
     *
     * <p>The default knows none and returns false; the graph then recalculates up to the tag's
     * latest sample, which gives the same results with more work.
     *
     * @return true when {@code into} holds the sample; false when it is not known
     */
    default boolean sampleAfter(String tag, int slot, long epochMillis, SampleHolder into) {
        return false;
    }

    /**
     * Streams the samples of a tag in {@code [fromInclusive, toExclusive)}, in ascending time, one per
     * timestamp: the values a recalculation sweeps over. The graph calls it once per input per
     * stretch of a recalculated window that the call's own samples of that input do not cover, only
     * before the input's latest sample, and passes the same consumer each time, so an implementation
     * that streams from its store allocates nothing per sample. Samples outside the range, or not
     * ascending, are ignored.
     *
     * <p>The default walks back from the end of the range with {@link #sampleAtOrBefore}, one lookup
     * per sample.
     */
    default void samples(String tag, int slot, long fromInclusive, long toExclusive, SampleConsumer each) {
        if (fromInclusive >= toExclusive) {
            return;
        }
        SampleHolder h = new SampleHolder();
        java.util.ArrayList<SampleHolder> backwards = new java.util.ArrayList<>();
        long at = toExclusive - 1;
        while (sampleAtOrBefore(tag, slot, at, h) && h.epochMillis >= fromInclusive && h.epochMillis <= at) {
            SampleHolder copy = new SampleHolder();
            copy.set(h.epochMillis, h.value, h.qualityCode);
            backwards.add(copy);
            if (h.epochMillis == Long.MIN_VALUE) {
                break;
            }
            at = h.epochMillis - 1;
        }
        for (int k = backwards.size() - 1; k >= 0; k--) {
            SampleHolder s = backwards.get(k);
            each.accept(s.epochMillis, s.value, s.qualityCode);
        }
    }

    /** Receives the samples of {@link #samples}. */
    @FunctionalInterface
    interface SampleConsumer {
        void accept(long epochMillis, double value, int qualityCode);
    }

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
