package io.historian.internal.engine;

import java.util.Arrays;

/**
 * The samples of one write call as the write path handles them: the caller's samples first, the
 * derived samples the formulas add after them. Reused from call to call under the write lock, so
 * the write path allocates nothing per sample.
 */
final class CallScratch {
    String[] tags = new String[1024];
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
        if (tags.length < n) {
            tags = new String[Math.max(n, tags.length * 2)];
        }
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
