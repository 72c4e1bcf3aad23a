package io.historian.internal.engine;

import io.historian.SampleBatch;
import java.util.Arrays;

/**
 * The samples of one write call as the write path handles them: the caller's samples first, the
 * derived samples the formulas add after them. Reused from call to call under the write lock, so
 * the write path allocates nothing per sample.
 */
final class CallScratch {
    /**
     * The call's tags are read from the caller's batch (or its one tag) for the length of the call,
     * not copied: storing a reference per sample into a long-lived array costs a garbage
     * collector's write barrier per sample.
     */
    private SampleBatch batch;
    private String singleTag;
    int[] ids = new int[1024];
    long[] timestamps = new long[1024];
    double[] values = new double[1024];
    int[] qualities = new int[1024];

    /** Room for {@code n} samples; the contents may be lost. */
    void ensure(int n) {
        if (ids.length < n) {
            int c = Math.max(n, ids.length * 2);
            ids = new int[c];
            timestamps = new long[c];
            values = new double[c];
            qualities = new int[c];
        }
    }

    /** Holds a batch's tags for the call. */
    void tagsOf(SampleBatch b) {
        batch = b;
        singleTag = null;
    }

    /** Holds one sample's tag for the call. */
    void tagOf(String tag) {
        batch = null;
        singleTag = tag;
    }

    /** Lets go of the caller's tags when the call ends. */
    void releaseTags() {
        batch = null;
        singleTag = null;
    }

    /** The tag of the caller's sample {@code i}. */
    String tag(int i) {
        SampleBatch b = batch;
        return b != null ? b.tag(i) : singleTag;
    }

    /** Room for {@code n} samples, keeping the samples held (derived samples grow the call). */
    void grow(int n) {
        if (ids.length < n) {
            int c = Math.max(n, ids.length * 2);
            ids = Arrays.copyOf(ids, c);
            timestamps = Arrays.copyOf(timestamps, c);
            values = Arrays.copyOf(values, c);
            qualities = Arrays.copyOf(qualities, c);
        }
    }
}
