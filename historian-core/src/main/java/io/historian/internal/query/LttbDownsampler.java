package io.historian.internal.query;

import java.util.Arrays;

/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013), streaming: the sample count comes from the
 * chunk headers ({@link RangeSurvey}), then the samples are read once, holding two buckets at a
 * time (the one being chosen from and the next, whose average it needs), so memory is
 * O(n / points), not O(n).
 *
 * <p>Selection is exactly the published algorithm: the first and last samples are kept; samples
 * 1..n-2 are cut into {@code points - 2} buckets of {@code every = (n - 2) / (points - 2)}
 * (bucket k holds indices {@code floor(k * every) + 1} up to {@code floor((k + 1) * every) + 1});
 * from each bucket the sample forming the largest triangle with the previously selected sample and
 * the average of the next bucket is kept (the first such on ties). NaN values never win a triangle
 * and are left out of the averages; a bucket of NaNs gives its first sample, which does not
 * become the anchor of the next triangle.
 *
 * <p>Gaps: the samples on both sides of a gap ({@link RangeSurvey}) are added to the chart, so the
 * result holds at most {@code points + 2 * gaps} samples; they do not change which samples the
 * algorithm selects. One thread.
 */
final class LttbDownsampler extends DownsamplingCursor {
    private final SampleStream stream;
    private final long n;
    private final int points;
    private final long gapThreshold;
    private final double every;
    private long readIndex;
    private long lastT;
    private Run previous;
    private Run cur = new Run();
    private Run nxt = new Run();
    private int bucket = -1;
    private double ax;
    private double ay;
    private int[] picks = new int[8];

    /** A bucket of samples for {@link MinMaxLttbDownsampler}'s preselection: every flag per sample. */
    static final class Bucket {
        long[] t = new long[16];
        double[] v = new double[16];
        int[] q = new int[16];
        boolean[] gap = new boolean[16];
        boolean[] forced = new boolean[16];
        int size;

        void add(long time, double value, int quality, boolean gapBefore) {
            if (size == t.length) {
                int cap = size * 2;
                t = Arrays.copyOf(t, cap);
                v = Arrays.copyOf(v, cap);
                q = Arrays.copyOf(q, cap);
                gap = Arrays.copyOf(gap, cap);
                forced = Arrays.copyOf(forced, cap);
            }
            t[size] = time;
            v[size] = value;
            q[size] = quality;
            gap[size] = gapBefore;
            forced[size] = gapBefore;
            size++;
        }
    }

    /**
     * A run of consecutive samples copied out of the decoded chunks in bulk, with the running sums
     * the next bucket's average needs. Gaps are rare, so they are kept as a list of indices (a gap
     * lies before each) rather than as flags per sample.
     */
    static final class Run {
        long[] t = new long[16];
        /** The timestamps as doubles, as the area formula uses them (exact below 2^53 ms). */
        double[] td = new double[16];
        double[] v = new double[16];
        int[] q = new int[16];
        int size;
        int[] gaps = new int[4];
        int gapCount;
        /** Whether a gap follows the last sample (found when the next run was read). */
        boolean gapAfterLast;
        double sumT;
        double sumV;
        int finite;

        void ensureCapacity(int capacity) {
            if (capacity > t.length) {
                int cap = Math.max(capacity, t.length + (t.length >> 3));
                t = Arrays.copyOf(t, cap);
                td = Arrays.copyOf(td, cap);
                v = Arrays.copyOf(v, cap);
                q = Arrays.copyOf(q, cap);
            }
        }

        void addGap(int index) {
            if (gapCount == gaps.length) {
                gaps = Arrays.copyOf(gaps, gapCount * 2);
            }
            gaps[gapCount++] = index;
        }

        boolean gapBefore(int index) {
            return Arrays.binarySearch(gaps, 0, gapCount, index) >= 0;
        }
    }

    static DownsamplingCursor open(SeriesView view, long from, long to, int points) {
        try {
            RangeSurvey survey = RangeSurvey.of(view, from, to);
            return new LttbDownsampler(view, from, to, survey.count, points, survey.gapThreshold);
        } catch (RuntimeException e) {
            view.close();
            throw e;
        }
    }

    LttbDownsampler(SeriesView view, long from, long to, long n, int points, long gapThreshold) {
        super(view);
        this.stream = new SampleStream(view, from, to, false, ChunkPrefetcher.worthIt(n));
        this.n = n;
        this.points = points;
        this.gapThreshold = gapThreshold;
        this.every = n > points ? (double) (n - 2) / (points - 2) : 0;
        // No bucket holds more than ceil(every) samples: sized once, the runs never grow.
        int bucketCapacity = (int) Math.min(Integer.MAX_VALUE - 8, (long) Math.ceil(every) + 1);
        cur.ensureCapacity(bucketCapacity);
        nxt.ensureCapacity(bucketCapacity);
    }

    /**
     * Reads the samples up to index {@code end} (exclusive) into {@code r}: one bulk copy, then one
     * pass that finds the gaps and sums the non-NaN samples (in index order, as the published
     * algorithm averages them).
     */
    private void load(Run r, long end) {
        int want = (int) Math.max(0, end - readIndex);
        r.ensureCapacity(want);
        int got = stream.read(r.t, r.v, r.q, 0, want);
        r.size = got;
        r.gapCount = 0;
        r.gapAfterLast = false;
        findGapsAndSum(r, got, readIndex == 0);
        if (got > 0) {
            if (readIndex == 0) {
                r.addGap(0);
                Arrays.sort(r.gaps, 0, r.gapCount);
            } else if (r.gapCount > 0 && r.gaps[0] == 0 && previous != null) {
                previous.gapAfterLast = true;
            }
            lastT = r.t[got - 1];
            previous = r;
            readIndex += got;
        }
    }

    /**
     * One pass over the {@code got} samples just copied into {@code r}: the gaps (against the
     * sample before, {@link #lastT}) and the sums of the non-NaN samples in index order, as the
     * published algorithm averages them.
     */
    private void findGapsAndSum(Run r, int got, boolean first) {
        long[] t = r.t;
        double[] td = r.td;
        double[] v = r.v;
        long threshold = gapThreshold;
        long prev = lastT;
        double sumT = 0;
        double sumV = 0;
        int finite = 0;
        for (int i = 0; i < got; i++) {
            long ti = t[i];
            if (ti - prev > threshold && (i > 0 || !first)) {
                r.addGap(i);
            }
            double tdi = ti;
            td[i] = tdi;
            double vi = v[i];
            if (vi == vi) {
                sumT += tdi;
                sumV += vi;
                finite++;
            }
            prev = ti;
        }
        r.sumT = sumT;
        r.sumV = sumV;
        r.finite = finite;
    }

    private long end(int k) {
        return Math.min((long) Math.floor((k + 1) * every) + 1, n);
    }

    /**
     * Emits the samples of {@code r} that the chart keeps, in time order: {@code chosen} (or none
     * when negative), both sides of every gap, and the last sample when {@code keepLast}.
     */
    private void emit(Run r, int chosen, boolean keepLast) {
        int k = 0;
        if (chosen >= 0) {
            k = pick(k, chosen);
        }
        for (int g = 0; g < r.gapCount; g++) {
            int at = r.gaps[g];
            if (at > 0) {
                k = pick(k, at - 1);
            }
            k = pick(k, at);
        }
        if ((keepLast || r.gapAfterLast) && r.size > 0) {
            k = pick(k, r.size - 1);
        }
        Arrays.sort(picks, 0, k);
        int last = -1;
        for (int j = 0; j < k; j++) {
            int i = picks[j];
            if (i != last) {
                out.add(r.t[i], r.v[i], r.q[i], r.gapBefore(i));
                last = i;
            }
        }
    }

    private int pick(int k, int index) {
        if (k == picks.length) {
            picks = Arrays.copyOf(picks, k * 2);
        }
        picks[k] = index;
        return k + 1;
    }

    @Override
    boolean refill() {
        if (n <= points) {
            // Nothing to drop: pass every sample through, a chunk's worth at a time.
            load(cur, Math.min(n, readIndex + 4096));
            if (cur.size == 0) {
                return false;
            }
            int g = 0;
            for (int i = 0; i < cur.size; i++) {
                boolean gap = g < cur.gapCount && cur.gaps[g] == i;
                if (gap) {
                    g++;
                }
                out.add(cur.t[i], cur.v[i], cur.q[i], gap);
            }
            return true;
        }
        if (bucket == -1) {
            Run head = new Run();
            load(head, 1);
            out.add(head.t[0], head.v[0], head.q[0], true);
            ax = head.t[0];
            ay = head.v[0];
            load(cur, end(0));
            bucket = 0;
            return true;
        }
        if (bucket > points - 2) {
            return false;
        }
        if (bucket == points - 2) {
            // cur holds the last range; its final sample is the last point.
            emit(cur, -1, true);
            bucket++;
            return true;
        }
        load(nxt, end(bucket + 1));
        double avgX = nxt.sumT / nxt.finite;
        double avgY = nxt.sumV / nxt.finite;
        // The published area, 0.5 * |(ax - avgX) * (v - ay) - (ax - t) * (avgY - ay)|, evaluated in
        // the same order so that ties break the same way; the constant factor cannot change the argmax.
        int chosen = largestTriangle(cur.td, cur.v, cur.size, ax, ay, ax - avgX, avgY - ay);
        if (chosen < 0) {
            chosen = 0;
        }
        emit(cur, chosen, false);
        if (!Double.isNaN(cur.v[chosen])) {
            // A NaN would poison every later triangle; keep the last real point as the anchor.
            ax = cur.t[chosen];
            ay = cur.v[chosen];
        }
        Run swap = cur;
        cur = nxt;
        nxt = swap;
        bucket++;
        return true;
    }

    /**
     * The index of the sample forming the largest triangle (first on ties, -1 when every area is
     * NaN). The published area, {@code 0.5 * |(ax - avgX) * (v - ay) - (ax - t) * (avgY - ay)|}, is
     * evaluated in the same order so that ties break the same way; the constant factor cannot
     * change the argmax. A small method of its own so that the JIT compiles the loop alone; the
     * timestamps come as doubles, converted once while loading, because a long-to-double conversion
     * inside this loop chains the iterations through a false register dependency.
     */
    static int largestTriangle(double[] t, double[] v, int size, double ax, double ay, double dx, double dy) {
        double maxArea = -1;
        int chosen = -1;
        for (int i = 0; i < size; i++) {
            double area = Math.abs(dx * (v[i] - ay) - (ax - t[i]) * dy);
            if (area > maxArea) {
                maxArea = area;
                chosen = i;
            }
        }
        return chosen;
    }

    @Override
    void release() {
        stream.close();
    }
}
