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
    private Bucket lastBucket;
    private Bucket cur;
    private Bucket nxt;
    private int bucket = -1;
    private double ax;
    private double ay;

    /** A run of consecutive samples, copied out of the decoded chunks. */
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
        this.stream = new SampleStream(view, from, to, false);
        this.n = n;
        this.points = points;
        this.gapThreshold = gapThreshold;
        this.every = n > points ? (double) (n - 2) / (points - 2) : 0;
    }

    /** Reads samples up to index {@code end} (exclusive) into {@code b}, marking both sides of gaps. */
    private void load(Bucket b, long end) {
        b.size = 0;
        while (readIndex < end && stream.peek()) {
            long t = stream.t;
            boolean gap = readIndex == 0 || t - lastT > gapThreshold;
            if (gap && readIndex > 0 && lastBucket != null && lastBucket.size > 0) {
                lastBucket.forced[lastBucket.size - 1] = true;
            }
            b.add(t, stream.v, stream.q, gap);
            stream.consume();
            lastT = t;
            lastBucket = b;
            readIndex++;
        }
    }

    private long end(int k) {
        return Math.min((long) Math.floor((k + 1) * every) + 1, n);
    }

    @Override
    boolean refill() {
        if (n <= points) {
            // Nothing to drop: pass every sample through, a chunk's worth at a time.
            if (cur == null) {
                cur = new Bucket();
            }
            cur.size = 0;
            load(cur, Math.min(n, readIndex + 4096));
            if (cur.size == 0) {
                return false;
            }
            for (int i = 0; i < cur.size; i++) {
                out.add(cur.t[i], cur.v[i], cur.q[i], cur.gap[i]);
            }
            return true;
        }
        if (bucket == -1) {
            Bucket head = new Bucket();
            load(head, 1);
            out.add(head.t[0], head.v[0], head.q[0], true);
            ax = head.t[0];
            ay = head.v[0];
            cur = new Bucket();
            nxt = new Bucket();
            load(cur, end(0));
            bucket = 0;
            return true;
        }
        if (bucket > points - 2) {
            return false;
        }
        if (bucket == points - 2) {
            // cur holds the last range; its final sample is the last point.
            for (int i = 0; i < cur.size; i++) {
                if (cur.forced[i] || i == cur.size - 1) {
                    out.add(cur.t[i], cur.v[i], cur.q[i], cur.gap[i]);
                }
            }
            bucket++;
            return true;
        }
        load(nxt, end(bucket + 1));
        double avgX = 0;
        double avgY = 0;
        int m = 0;
        for (int i = 0; i < nxt.size; i++) {
            if (!Double.isNaN(nxt.v[i])) {
                avgX += nxt.t[i];
                avgY += nxt.v[i];
                m++;
            }
        }
        avgX /= m;
        avgY /= m;
        double maxArea = -1;
        int chosen = -1;
        for (int i = 0; i < cur.size; i++) {
            double area = Math.abs((ax - avgX) * (cur.v[i] - ay) - (ax - cur.t[i]) * (avgY - ay)) * 0.5;
            if (area > maxArea) {
                maxArea = area;
                chosen = i;
            }
        }
        if (chosen < 0) {
            chosen = 0;
        }
        for (int i = 0; i < cur.size; i++) {
            if (i == chosen || cur.forced[i]) {
                out.add(cur.t[i], cur.v[i], cur.q[i], cur.gap[i]);
            }
        }
        if (!Double.isNaN(cur.v[chosen])) {
            // A NaN would poison every later triangle; keep the last real point as the anchor.
            ax = cur.t[chosen];
            ay = cur.v[chosen];
        }
        Bucket swap = cur;
        cur = nxt;
        nxt = swap;
        bucket++;
        return true;
    }

    @Override
    void release() {
        stream.close();
    }

}
