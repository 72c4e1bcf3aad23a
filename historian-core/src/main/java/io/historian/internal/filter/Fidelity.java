package io.historian.internal.filter;

import io.historian.FilterStats;
import io.historian.Interpolation;
import java.time.Instant;
import java.util.Objects;

/**
 * Measures how far a tag's archive strays from its raw input: fed every raw input and every
 * archived sample of one tag, it compares each raw input with the value the archive gives at its
 * time. Internal: public only so that the benchmarks can reach it.
 *
 * <p><b>How:</b> in-order raw inputs wait in a ring buffer until an archived sample at or after
 * their time arrives; then the segment from the previous archived sample to that one is known, and
 * each waiting input is checked against it (linear interpolation, or the segment's start for stepped
 * tags) and discarded. Memory is bounded by the capacity: when the buffer is full (a segment longer
 * than {@code capacity} inputs), the oldest input is discarded unchecked and counted. The buffer
 * starts small and doubles up to the capacity.
 *
 * <p>Raw inputs before the newest one seen (out of order) and NaN or infinite inputs are archived as
 * they are by {@link SampleFilter}, so they are not buffered. A raw input at the newest time replaces
 * the buffered one, as the store does. Archived samples before the newest archived one (out of
 * order) close no segment.
 *
 * <p><b>Order:</b> feed each raw input before the archived samples its offer produces
 * ({@link SampleFilter} does this when built with a capacity).
 *
 * <p><b>Thread safety:</b> none; one instance per tag, used by the thread that owns the tag.
 */
public final class Fidelity {
    private static final int INITIAL_CAPACITY = 64;

    private final boolean stepped;
    private final int capacity;
    private long[] ts;
    private double[] vs;
    private int head;
    private int size;

    private boolean anyRaw;
    private long newestRaw;
    private boolean anyArchived;
    private long lastT;
    private double lastV;

    private long checked;
    private long unchecked;
    private double maxError = Double.NaN;
    private long maxErrorT;
    private double sumError;

    /**
     * A fidelity check for a tag read back with the given interpolation, buffering at most
     * {@code capacity} raw inputs between two archived samples.
     *
     * @throws IllegalArgumentException if the capacity is not positive
     */
    public Fidelity(Interpolation interpolation, int capacity) {
        Objects.requireNonNull(interpolation, "interpolation");
        if (capacity < 1) {
            throw new IllegalArgumentException("fidelity capacity must be positive [capacity=" + capacity + "]");
        }
        this.stepped = interpolation == Interpolation.STEPPED;
        this.capacity = capacity;
        int initial = Math.min(capacity, INITIAL_CAPACITY);
        this.ts = new long[initial];
        this.vs = new double[initial];
    }

    /** One raw input of the tag. */
    public void raw(long t, double v, int quality) {
        if (anyRaw && t <= newestRaw) {
            if (t == newestRaw && size > 0) {
                int last = (head + size - 1) % ts.length;
                if (ts[last] == t) {
                    vs[last] = v;
                }
            }
            return;
        }
        anyRaw = true;
        newestRaw = t;
        if (!Double.isFinite(v)) {
            return;
        }
        if (size == ts.length) {
            if (size < capacity) {
                grow();
            } else {
                head = (head + 1) % ts.length;
                size--;
                unchecked++;
            }
        }
        int tail = (head + size) % ts.length;
        ts[tail] = t;
        vs[tail] = v;
        size++;
    }

    /** One archived sample of the tag. */
    public void archived(long t, double v) {
        if (anyArchived && t < lastT) {
            return;
        }
        while (size > 0 && ts[head] <= t) {
            long rt = ts[head];
            double rv = vs[head];
            head = (head + 1) % ts.length;
            size--;
            double read;
            if (rt == t) {
                read = v;
            } else if (!anyArchived || rt < lastT) {
                read = Double.NaN;
            } else if (stepped) {
                read = lastV;
            } else {
                read = lastV + (v - lastV) * ((double) (rt - lastT) / (t - lastT));
            }
            if (Double.isFinite(read)) {
                measure(rt, Math.abs(rv - read));
            } else {
                unchecked++;
            }
        }
        anyArchived = true;
        lastT = t;
        lastV = v;
    }

    private void measure(long t, double error) {
        checked++;
        sumError += error;
        if (!(error <= maxError)) {
            maxError = error;
            maxErrorT = t;
        }
    }

    private void grow() {
        int n = Math.min(capacity, ts.length * 2);
        long[] nt = new long[n];
        double[] nv = new double[n];
        for (int i = 0; i < size; i++) {
            nt[i] = ts[(head + i) % ts.length];
            nv[i] = vs[(head + i) % ts.length];
        }
        ts = nt;
        vs = nv;
        head = 0;
    }

    /** Inputs checked so far. */
    public long checked() {
        return checked;
    }

    /** Inputs that could not be checked. */
    public long unchecked() {
        return unchecked;
    }

    /** Inputs waiting for the archived sample that closes their segment. */
    public int waiting() {
        return size;
    }

    /** The largest absolute error so far, NaN before the first check. */
    public double maxError() {
        return maxError;
    }

    /** The time of the input with the largest error (epoch ms); meaningful once {@link #checked()} > 0. */
    public long maxErrorTime() {
        return maxErrorT;
    }

    /** The mean absolute error so far, NaN before the first check. */
    public double meanError() {
        return checked == 0 ? Double.NaN : sumError / checked;
    }

    /** This measurement with the filter's counters, as a report. */
    FilterStats report(String tag, long offered, long passedException, long archived, long filtered, long pending) {
        return new FilterStats(tag, offered, passedException, archived, filtered, pending, checked, unchecked,
                maxError, checked == 0 ? null : Instant.ofEpochMilli(maxErrorT), meanError());
    }

    @Override
    public String toString() {
        return "Fidelity[checked=" + checked + ", unchecked=" + unchecked + ", waiting=" + size + ", maxError="
                + maxError + ", meanError=" + meanError() + ", buffer=" + ts.length + "/" + capacity + "]";
    }
}
