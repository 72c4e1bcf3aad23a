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
 * the average of the next bucket is kept (the first such on ties). The average sums the next
 * bucket's samples in index order, as the published algorithm does, so it is the same double. NaN values never win a triangle
 * and are left out of the averages; a bucket of NaNs gives its first sample, which does not
 * become the anchor of the next triangle.
 *
 * <p>Gaps: the samples on both sides of a gap ({@link RangeSurvey}) are added to the chart, so the
 * result holds at most {@code points + 2 * gaps} samples; they do not change which samples the
 * algorithm selects.
 *
 * <p><b>Decoding.</b> Chunks are decoded straight into buffers of their own ({@link Decoded}),
 * which stay until the last bucket holding their samples is chosen from; a bucket is a range of
 * indices over them, so no sample is copied. The next bucket's average is summed one step early,
 * in the pass that chooses from the bucket before ({@link #chooseAndSum}). Memory: the chunks
 * under three buckets. The chunks are
 * decoded on the cursor's thread: a hand-off per chunk to a decoding thread cost more than it won,
 * even with a core to spare. One thread.
 */
final class LttbDownsampler extends DownsamplingCursor {
    private final ChunkWalk walk;
    private final long from;
    private final long to;
    private final long n;
    private final int points;
    private final long gapThreshold;
    private final double every;
    /** The decoded chunks from the current bucket's first sample on, oldest first: [windowHead, windowEnd). */
    private Decoded[] window = new Decoded[8];
    private int windowHead;
    private int windowEnd;
    /** Chunk buffers the window released, for the next chunks. */
    private Decoded[] spare = new Decoded[8];
    private int spareCount;
    /** How many samples of the range the decoded chunks hold: the index after the last one. */
    private long loaded;
    private boolean walkDone;
    /** The indices of the samples with a gap before them, ascending: [gapHead, gapEnd). */
    private long[] gaps = new long[16];
    private int gapHead;
    private int gapEnd;
    private long lastT;
    // The sums of the last bucket summed (its non-NaN samples, in index order).
    private double sumT;
    private double sumV;
    private long finite;
    // The largest area of the bucket being chosen from so far, and its sample.
    private double maxArea;
    private long chosen;
    private int bucket = -1;
    private double ax;
    private double ay;
    private long[] picks = new long[8];

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
     * One chunk decoded into arrays of its own; its samples {@code [lo, hi)} lie in the range and
     * are the range's samples {@code [first, first + hi - lo)}.
     */
    static final class Decoded {
        long[] t = new long[0];
        /** The timestamps as doubles, as the area formula uses them (exact below 2^53 ms). */
        double[] td = new double[0];
        double[] v = new double[0];
        int[] q = new int[0];
        int lo;
        int hi;
        long first;
        /** No value of the chunk is NaN: its sums need no test per sample. */
        boolean numbersOnly;

        void ensureCapacity(int count) {
            if (t.length < count) {
                t = new long[count];
                td = new double[count];
                v = new double[count];
                q = new int[count];
            }
        }

        long end() {
            return first + (hi - lo);
        }

        /** The array index of the range's sample {@code index}, which this chunk holds. */
        int at(long index) {
            return lo + (int) (index - first);
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
        this.walk = view.chunks(from);
        this.from = from;
        this.to = to;
        this.n = n;
        this.points = points;
        this.gapThreshold = gapThreshold;
        this.every = n > points ? (double) (n - 2) / (points - 2) : 0;
        this.walkDone = from >= to;
    }

    /** Decodes chunks until the range's samples before {@code index} are loaded, or the range ends. */
    private void loadUpTo(long index) {
        while (loaded < index && !walkDone) {
            loadNextChunk();
        }
    }

    private void loadNextChunk() {
        while (walk.nextHeader(to)) {
            if (walk.headerLast() < from) {
                continue;
            }
            Decoded d = spareCount > 0 ? spare[--spareCount] : new Decoded();
            d.ensureCapacity(walk.headerCount());
            boolean numbersOnly = walk.headerNumbers() == walk.headerCount();
            int count = walk.loadInto(d.t, d.v, d.q);
            d.numbersOnly = numbersOnly;
            d.lo = walk.headerFirst() >= from ? 0 : SampleStream.lowerBound(d.t, 0, count, from);
            d.hi = walk.headerLast() < to ? count : SampleStream.lowerBound(d.t, d.lo, count, to);
            if (d.hi < count) {
                // The range ends inside this chunk.
                walkDone = true;
            }
            if (d.lo == d.hi) {
                recycle(d);
                if (walkDone) {
                    return;
                }
                continue;
            }
            d.first = loaded;
            loaded = d.end();
            if (windowEnd == window.length) {
                int live = windowEnd - windowHead;
                if (windowHead > 0) {
                    System.arraycopy(window, windowHead, window, 0, live);
                    Arrays.fill(window, live, windowEnd, null);
                } else {
                    window = Arrays.copyOf(window, window.length * 2);
                }
                windowHead = 0;
                windowEnd = live;
            }
            window[windowEnd++] = d;
            return;
        }
        walkDone = true;
    }

    private void recycle(Decoded d) {
        if (spareCount == spare.length) {
            spare = Arrays.copyOf(spare, spareCount * 2);
        }
        spare[spareCount++] = d;
    }

    /** Returns to the spare buffers the chunks whose samples all lie before {@code index}. */
    private void releaseBefore(long index) {
        while (windowHead < windowEnd && window[windowHead].end() <= index) {
            recycle(window[windowHead]);
            window[windowHead++] = null;
        }
        while (gapHead < gapEnd && gaps[gapHead] < index) {
            gapHead++;
        }
    }

    /** The loaded chunk holding the range's sample {@code index}. */
    private Decoded chunkOf(long index) {
        int lo = windowHead;
        int hi = windowEnd - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (window[mid].first <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return window[lo];
    }

    private void addGap(long index) {
        if (gapEnd == gaps.length) {
            int live = gapEnd - gapHead;
            if (gapHead > live) {
                System.arraycopy(gaps, gapHead, gaps, 0, live);
            } else {
                gaps = Arrays.copyOfRange(gaps, gapHead, gapHead + gaps.length * 2);
            }
            gapHead = 0;
            gapEnd = live;
        }
        gaps[gapEnd++] = index;
    }

    private boolean gapBefore(long index) {
        return index == 0 || Arrays.binarySearch(gaps, gapHead, gapEnd, index) >= 0;
    }

    /**
     * One pass that chooses from the bucket {@code [start, end)} (see {@link #largestTriangle};
     * the anchor is {@link #ax}, {@link #ay}) and sums the bucket {@code [sumStart, sumEnd)} two
     * buckets ahead, whose samples no pass has read yet: their timestamps as doubles, the gaps
     * before them (against the sample before, {@link #lastT}) and the sums of their non-NaN
     * samples in index order, as the published algorithm averages them. The sums form one long
     * chain of dependent additions that leaves most of the core idle; the area of an unrelated
     * bucket fills it, so the two passes cost about as much as the sums alone. Returns the chosen
     * index, {@code start} when every area is NaN.
     */
    private long chooseAndSum(long start, long end, double avgX, double avgY, long sumStart, long sumEnd) {
        loadUpTo(sumEnd);
        end = Math.min(end, loaded);
        sumEnd = Math.min(sumEnd, loaded);
        double dx = ax - avgX;
        double dy = avgY - ay;
        maxArea = -1;
        chosen = start;
        sumT = 0;
        sumV = 0;
        finite = 0;
        long i = start;
        long j = sumStart;
        while (i < end || j < sumEnd) {
            Decoded da = i < end ? chunkOf(i) : null;
            Decoded ds = j < sumEnd ? chunkOf(j) : null;
            long len = Long.MAX_VALUE;
            if (da != null) {
                len = Math.min(end, da.end()) - i;
            }
            if (ds != null) {
                len = Math.min(len, Math.min(sumEnd, ds.end()) - j);
            }
            int run = (int) len;
            if (da != null && ds != null && ds.numbersOnly) {
                areaAndSumNumbers(da, da.at(i), ds, ds.at(j), run, dx, dy);
            } else {
                if (da != null) {
                    area(da, da.at(i), run, dx, dy);
                }
                if (ds != null) {
                    // Alone only at the ends of the range: a run without NaN needs no loop of its own.
                    sumSkippingNaN(ds, ds.at(j), ds.at(j) + run);
                }
            }
            i += da != null ? run : 0;
            j += ds != null ? run : 0;
        }
        return chosen;
    }

    /** {@link #chooseAndSum}'s area pass over {@code count} samples of {@code d} from array index {@code a}. */
    private void area(Decoded d, int a, int count, double dx, double dy) {
        int i = largestTriangle(d.td, d.v, a, a + count, ax, ay, dx, dy);
        if (i >= 0) {
            double area = area(d.td[i], d.v[i], ax, ay, dx, dy);
            // Strictly greater: on a tie the earlier sample stays.
            if (area > maxArea) {
                maxArea = area;
                chosen = d.first + (i - d.lo);
            }
        }
    }

    /**
     * {@link #area} over {@code count} samples of {@code da} from {@code a} and {@link #sumSkippingNaN}
     * over {@code count} samples of {@code ds} from {@code s}, in one loop, for a run of {@code ds}
     * without NaN: no test per value.
     */
    private void areaAndSumNumbers(Decoded da, int a, Decoded ds, int s, int count, double dx, double dy) {
        double[] atd = da.td;
        double[] av = da.v;
        long[] t = ds.t;
        double[] td = ds.td;
        double[] v = ds.v;
        double x = ax;
        double y = ay;
        double best = maxArea;
        int bestAt = -1;
        long threshold = gapThreshold;
        long prev = lastT;
        double st = sumT;
        double sv = sumV;
        for (int k = 0; k < count; k++) {
            double area = area(atd[a + k], av[a + k], x, y, dx, dy);
            if (area > best) {
                best = area;
                bestAt = k;
            }
            long ti = t[s + k];
            if (ti - prev > threshold) {
                addGap(ds.first + (s + k - ds.lo));
            }
            double tdi = ti;
            td[s + k] = tdi;
            st += tdi;
            sv += v[s + k];
            prev = ti;
        }
        if (bestAt >= 0) {
            maxArea = best;
            chosen = da.first + (a + bestAt - da.lo);
        }
        lastT = prev;
        sumT = st;
        sumV = sv;
        finite += count;
    }

    /** {@link #chooseAndSum}'s sum pass over a run that may hold NaN, which the sums leave out. */
    private void sumSkippingNaN(Decoded d, int a, int b) {
        long[] t = d.t;
        double[] td = d.td;
        double[] v = d.v;
        long threshold = gapThreshold;
        long prev = lastT;
        double st = sumT;
        double sv = sumV;
        long count = 0;
        for (int i = a; i < b; i++) {
            long ti = t[i];
            if (ti - prev > threshold) {
                addGap(d.first + (i - d.lo));
            }
            double tdi = ti;
            td[i] = tdi;
            double vi = v[i];
            if (vi == vi) {
                st += tdi;
                sv += vi;
                count++;
            }
            prev = ti;
        }
        lastT = prev;
        sumT = st;
        sumV = sv;
        finite += count;
    }

    private long end(int k) {
        return Math.min((long) Math.floor((k + 1) * every) + 1, n);
    }

    /**
     * Emits the samples of {@code [start, end)} that the chart keeps, in time order: {@code chosen}
     * (or none when negative), both sides of every gap, and the last sample when {@code keepLast}.
     * The gaps up to the next bucket's first sample are known.
     */
    private void emit(long start, long end, long chosen, boolean keepLast) {
        int k = 0;
        if (chosen >= 0) {
            k = pick(k, chosen);
        }
        for (int g = gapHead; g < gapEnd && gaps[g] <= end; g++) {
            long at = gaps[g];
            if (at > start) {
                k = pick(k, at - 1);
            }
            if (at < end) {
                k = pick(k, at);
            }
        }
        if (keepLast) {
            k = pick(k, end - 1);
        }
        Arrays.sort(picks, 0, k);
        long last = -1;
        for (int j = 0; j < k; j++) {
            long index = picks[j];
            if (index != last) {
                Decoded d = chunkOf(index);
                int i = d.at(index);
                out.add(d.t[i], d.v[i], d.q[i], gapBefore(index));
                last = index;
            }
        }
    }

    private int pick(int k, long index) {
        if (k == picks.length) {
            picks = Arrays.copyOf(picks, k * 2);
        }
        picks[k] = index;
        return k + 1;
    }

    @Override
    boolean refill() {
        if (n <= points) {
            return passThrough();
        }
        if (bucket == -1) {
            loadUpTo(1);
            if (loaded == 0) {
                return false;
            }
            Decoded d = chunkOf(0);
            int i = d.lo;
            out.add(d.t[i], d.v[i], d.q[i], true);
            ax = d.t[i];
            ay = d.v[i];
            lastT = d.t[i];
            // Buckets 0 and 1: every later step chooses from one bucket and sums the one two ahead.
            chooseAndSum(1, 1, 0, 0, 1, end(0));
            chooseAndSum(1, 1, 0, 0, end(0), end(1));
            bucket = 0;
            return true;
        }
        long start = bucket == 0 ? 1 : end(bucket - 1);
        long end = Math.min(end(bucket), loaded);
        if (bucket > points - 2 || start >= end) {
            return false;
        }
        if (bucket == points - 2) {
            // The last range; its final sample is the last point.
            emit(start, end, -1, true);
            bucket++;
            return true;
        }
        long sumStart = end(bucket + 1);
        long sumEnd = bucket + 2 <= points - 2 ? end(bucket + 2) : sumStart;
        long choice = chooseAndSum(start, end, sumT / finite, sumV / finite, sumStart, sumEnd);
        emit(start, end, choice, false);
        Decoded d = chunkOf(choice);
        int i = d.at(choice);
        if (!Double.isNaN(d.v[i])) {
            // A NaN would poison every later triangle; keep the last real point as the anchor.
            ax = d.t[i];
            ay = d.v[i];
        }
        releaseBefore(end);
        bucket++;
        return true;
    }

    /** Nothing to drop: every sample goes through, a chunk at a time. */
    private boolean passThrough() {
        if (windowHead == windowEnd) {
            loadUpTo(loaded + 1);
            if (windowHead == windowEnd) {
                return false;
            }
        }
        Decoded d = window[windowHead];
        long[] t = d.t;
        for (int i = d.lo; i < d.hi; i++) {
            boolean gap = (d.first == 0 && i == d.lo) || t[i] - lastT > gapThreshold;
            out.add(t[i], d.v[i], d.q[i], gap);
            lastT = t[i];
        }
        recycle(d);
        window[windowHead++] = null;
        return true;
    }

    /**
     * The index in {@code [from, to)} of the sample forming the largest triangle (first on ties, -1
     * when every area is NaN); see {@link #area}. A small method of its own so that the JIT
     * compiles the loop alone; the timestamps come as doubles, converted once while summing,
     * because a long-to-double conversion inside this loop chains the iterations through a false
     * register dependency.
     */
    static int largestTriangle(double[] t, double[] v, int from, int to, double ax, double ay, double dx,
            double dy) {
        double maxArea = -1;
        int chosen = -1;
        for (int i = from; i < to; i++) {
            double area = area(t[i], v[i], ax, ay, dx, dy);
            if (area > maxArea) {
                maxArea = area;
                chosen = i;
            }
        }
        return chosen;
    }

    /**
     * The published area, {@code 0.5 * |(ax - avgX) * (v - ay) - (ax - t) * (avgY - ay)|}, with
     * {@code dx = ax - avgX} and {@code dy = avgY - ay}, evaluated in the same order so that ties
     * break the same way; the constant factor cannot change the argmax.
     */
    static double area(double t, double v, double ax, double ay, double dx, double dy) {
        return Math.abs(dx * (v - ay) - (ax - t) * dy);
    }

    @Override
    void release() {
        walk.close();
    }
}
