package io.historian.internal.query;

import java.util.Arrays;

/** A growable FIFO of points (time, value, quality, gap flag) in primitive arrays. One thread. */
final class PointBuffer {
    long[] t = new long[16];
    double[] v = new double[16];
    int[] q = new int[16];
    boolean[] gap = new boolean[16];
    int head;
    int size;

    void add(long time, double value, int quality, boolean gapBefore) {
        if (size == t.length) {
            if (head > 0) {
                int n = size - head;
                System.arraycopy(t, head, t, 0, n);
                System.arraycopy(v, head, v, 0, n);
                System.arraycopy(q, head, q, 0, n);
                System.arraycopy(gap, head, gap, 0, n);
                head = 0;
                size = n;
            }
            if (size == t.length) {
                int cap = t.length * 2;
                t = Arrays.copyOf(t, cap);
                v = Arrays.copyOf(v, cap);
                q = Arrays.copyOf(q, cap);
                gap = Arrays.copyOf(gap, cap);
            }
        }
        t[size] = time;
        v[size] = value;
        q[size] = quality;
        gap[size] = gapBefore;
        size++;
    }

    boolean isEmpty() {
        return head == size;
    }

    int remaining() {
        return size - head;
    }

    void clear() {
        head = 0;
        size = 0;
    }
}
