package io.historian.internal.formula;

/**
 * The formulas due in one step of a write call, as a bit set polled lowest index first. Formulas
 * are numbered in topological order and a formula only ever marks its readers, whose indices are
 * higher, so polling yields every formula after all the formulas it reads, each once however many
 * inputs marked it. Only the words between the lowest and highest marked ones are scanned.
 * Allocates nothing after construction; not thread-safe.
 */
final class FormulaBitQueue {
    private final long[] words;
    private int lo = Integer.MAX_VALUE;
    private int hi = -1;

    FormulaBitQueue(int formulas) {
        words = new long[Math.max(1, (formulas + 63) >>> 6)];
    }

    void mark(int f) {
        int w = f >>> 6;
        words[w] |= 1L << f;
        if (w < lo) {
            lo = w;
        }
        if (w > hi) {
            hi = w;
        }
    }

    /** Removes and returns the lowest marked formula, or -1 when none is left. */
    int poll() {
        while (lo <= hi) {
            long word = words[lo];
            if (word != 0) {
                words[lo] = word & (word - 1);
                return lo << 6 | Long.numberOfTrailingZeros(word);
            }
            lo++;
        }
        lo = Integer.MAX_VALUE;
        hi = -1;
        return -1;
    }

    /** Unmarks everything (after an aborted pass). */
    void clear() {
        for (int w = lo; w <= hi; w++) {
            words[w] = 0;
        }
        lo = Integer.MAX_VALUE;
        hi = -1;
    }
}
