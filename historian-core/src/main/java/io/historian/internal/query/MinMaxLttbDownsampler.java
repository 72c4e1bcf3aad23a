package io.historian.internal.query;

import java.util.Arrays;

/**
 * MinMaxLTTB (Van Der Donckt et al. 2023): samples 1..n-2 are cut into {@code 2 * points} buckets
 * of equal count (bucket j holds indices {@code 1 + j * (n - 2) / (2 * points)} up to the next
 * bucket's start, integer division), each gives its minimum and maximum sample (first occurrence;
 * NaN skipped; a bucket of NaNs gives its first sample), the first and last samples and both sides
 * of each gap are added, and LTTB reduces the preselection to {@code points}. The preselection
 * (about {@code 4 * points} samples) is the only thing held in heap. When {@code n <= 4 * points}
 * the preselection would keep nearly everything, so plain {@link LttbDownsampler} runs instead.
 * One thread.
 */
final class MinMaxLttbDownsampler extends DownsamplingCursor {
    static final int RATIO = 4;

    private final long from;
    private final long to;
    private final long n;
    private final int points;
    private final long gapThreshold;
    private boolean done;

    static DownsamplingCursor open(SeriesView view, long from, long to, int points) {
        try {
            RangeSurvey survey = RangeSurvey.of(view, from, to);
            if (survey.count <= (long) RATIO * points) {
                return new LttbDownsampler(view, from, to, survey.count, points, survey.gapThreshold);
            }
            return new MinMaxLttbDownsampler(view, from, to, survey.count, points, survey.gapThreshold);
        } catch (RuntimeException e) {
            view.close();
            throw e;
        }
    }

    private MinMaxLttbDownsampler(SeriesView view, long from, long to, long n, int points, long gapThreshold) {
        super(view);
        this.from = from;
        this.to = to;
        this.n = n;
        this.points = points;
        this.gapThreshold = gapThreshold;
    }

    @Override
    boolean refill() {
        if (done) {
            return false;
        }
        done = true;
        LttbDownsampler.Bucket pre = preselect();
        boolean[] keep = lttb(pre.t, pre.v, pre.size, points);
        for (int i = 0; i < pre.size; i++) {
            if (keep[i] || pre.forced[i]) {
                out.add(pre.t[i], pre.v[i], pre.q[i], pre.gap[i]);
            }
        }
        return true;
    }

    private LttbDownsampler.Bucket preselect() {
        LttbDownsampler.Bucket pre = new LttbDownsampler.Bucket();
        long buckets = 2L * points;
        SampleStream stream = new SampleStream(view, from, to, false);
        try {
            long index = 0;
            long lastT = 0;
            long bucket = -1;
            long bucketEnd = 1;
            // The current bucket's min and max candidates.
            long minT = 0;
            long maxT = 0;
            double minV = Double.NaN;
            double maxV = Double.NaN;
            int minQ = 0;
            int maxQ = 0;
            boolean minGap = false;
            boolean maxGap = false;
            boolean any = false;
            while (stream.peek()) {
                long t = stream.t;
                double v = stream.v;
                int q = stream.q;
                stream.consume();
                boolean gap = index == 0 || t - lastT > gapThreshold;
                if (index >= bucketEnd || index == n - 1) {
                    if (any) {
                        flush(pre, minT, minV, minQ, minGap, maxT, maxV, maxQ, maxGap);
                        any = false;
                    }
                    if (index < n - 1) {
                        bucket++;
                        bucketEnd = 1 + (bucket + 1) * (n - 2) / buckets;
                    }
                }
                if (gap && index > 0) {
                    if (any) {
                        // Candidates seen before the gap go first, to keep time order.
                        flush(pre, minT, minV, minQ, minGap, maxT, maxV, maxQ, maxGap);
                        any = false;
                    }
                    if (pre.size == 0 || pre.t[pre.size - 1] != lastT) {
                        pre.add(lastT, lastV, lastQ, lastGap);
                    }
                    pre.forced[pre.size - 1] = true;
                }
                if (index == 0 || index == n - 1) {
                    pre.add(t, v, q, gap);
                } else if (gap) {
                    pre.add(t, v, q, true);
                } else if (!any) {
                    any = true;
                    minT = t;
                    maxT = t;
                    minV = v;
                    maxV = v;
                    minQ = q;
                    maxQ = q;
                    minGap = false;
                    maxGap = false;
                } else if (!Double.isNaN(v)) {
                    if (Double.isNaN(minV) || v < minV) {
                        minT = t;
                        minV = v;
                        minQ = q;
                        minGap = false;
                    }
                    if (Double.isNaN(maxV) || v > maxV) {
                        maxT = t;
                        maxV = v;
                        maxQ = q;
                        maxGap = false;
                    }
                }
                lastT = t;
                lastV = v;
                lastQ = q;
                lastGap = gap;
                index++;
            }
        } finally {
            stream.close();
        }
        return pre;
    }

    @Override
    void release() {
        // The preselection stream is closed as soon as it is read.
    }

    private double lastV;
    private int lastQ;
    private boolean lastGap;

    private static void flush(LttbDownsampler.Bucket pre, long minT, double minV, int minQ, boolean minGap,
            long maxT, double maxV, int maxQ, boolean maxGap) {
        if (minT == maxT) {
            pre.add(minT, minV, minQ, minGap);
        } else if (minT < maxT) {
            pre.add(minT, minV, minQ, minGap);
            pre.add(maxT, maxV, maxQ, maxGap);
        } else {
            pre.add(maxT, maxV, maxQ, maxGap);
            pre.add(minT, minV, minQ, minGap);
        }
    }

    /** The published LTTB over arrays; NaN handled as in {@link LttbDownsampler}. */
    static boolean[] lttb(long[] t, double[] v, int size, int points) {
        boolean[] keep = new boolean[size];
        if (size <= points) {
            Arrays.fill(keep, true);
            return keep;
        }
        double every = (double) (size - 2) / (points - 2);
        int a = 0;
        keep[0] = true;
        for (int i = 0; i < points - 2; i++) {
            int avgStart = (int) Math.floor((i + 1) * every) + 1;
            int avgEnd = Math.min((int) Math.floor((i + 2) * every) + 1, size);
            double avgX = 0;
            double avgY = 0;
            int m = 0;
            for (int j = avgStart; j < avgEnd; j++) {
                if (!Double.isNaN(v[j])) {
                    avgX += t[j];
                    avgY += v[j];
                    m++;
                }
            }
            avgX /= m;
            avgY /= m;
            int rangeOffs = (int) Math.floor(i * every) + 1;
            int rangeTo = (int) Math.floor((i + 1) * every) + 1;
            double ax = t[a];
            double ay = v[a];
            double maxArea = -1;
            int next = -1;
            for (int j = rangeOffs; j < rangeTo; j++) {
                double area = Math.abs((ax - avgX) * (v[j] - ay) - (ax - t[j]) * (avgY - ay)) * 0.5;
                if (area > maxArea) {
                    maxArea = area;
                    next = j;
                }
            }
            if (next < 0) {
                next = rangeOffs;
            }
            keep[next] = true;
            if (!Double.isNaN(v[next])) {
                a = next;
            }
        }
        keep[size - 1] = true;
        return keep;
    }
}
