package io.historian.internal.query;

/**
 * What the downsamplers need before the first sample: how many samples lie in {@code [from, to)}
 * and what gap threshold to use, read from chunk headers (only the partially covered chunks at
 * the range's edges are decoded).
 *
 * <p>Two consecutive samples are separated by a gap when they lie more than {@value #GAP_FACTOR}
 * times the range's mean sample interval apart ({@code (last - first) / (n - 1)} over the samples
 * in range, rounded up). The mean, unlike a median, comes from the headers alone and does not
 * depend on how the samples are cut into chunks, so open, committed and cold data give the same
 * chart. Gaps inflate the mean, so a gap must be at least about 10x the typical period to count
 * (and more when gaps take up most of the range). Below two samples there are no gaps.
 */
final class RangeSurvey {
    static final int GAP_FACTOR = 10;

    final long count;
    final long gapThreshold;

    private RangeSurvey(long count, long gapThreshold) {
        this.count = count;
        this.gapThreshold = gapThreshold;
    }

    static RangeSurvey of(SeriesView view, long from, long to) {
        if (from >= to) {
            return new RangeSurvey(0, Long.MAX_VALUE);
        }
        long n = 0;
        long firstInRange = Long.MAX_VALUE;
        long lastInRange = Long.MIN_VALUE;
        try (ChunkWalk walk = view.chunks(from)) {
            while (walk.nextHeader(to)) {
                if (walk.headerLast() < from) {
                    continue;
                }
                long first;
                long last;
                int c;
                if (walk.headerFirst() >= from && walk.headerLast() < to) {
                    first = walk.headerFirst();
                    last = walk.headerLast();
                    c = walk.headerCount();
                } else {
                    walk.load();
                    long[] ts = walk.timestamps();
                    int lo = 0;
                    while (lo < walk.count() && ts[lo] < from) {
                        lo++;
                    }
                    int hi = lo;
                    while (hi < walk.count() && ts[hi] < to) {
                        hi++;
                    }
                    c = hi - lo;
                    if (c == 0) {
                        continue;
                    }
                    first = ts[lo];
                    last = ts[hi - 1];
                }
                n += c;
                firstInRange = Math.min(firstInRange, first);
                lastInRange = Math.max(lastInRange, last);
            }
        }
        long threshold = Long.MAX_VALUE;
        if (n >= 2) {
            double mean = ((double) lastInRange - (double) firstInRange) / (n - 1);
            threshold = (long) Math.max(1, Math.ceil(mean * GAP_FACTOR));
        }
        return new RangeSurvey(n, threshold);
    }
}
