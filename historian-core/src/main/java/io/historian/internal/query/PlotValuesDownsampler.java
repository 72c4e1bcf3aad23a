package io.historian.internal.query;

import io.historian.Quality;
import java.util.Arrays;

/**
 * Plot values (as PI's PlotValues): {@code [from, to)} is cut into {@code columns} equal time
 * columns ({@link #column}); each column gives, in time order and without repeats, its first,
 * last, minimum and maximum samples (first occurrence, NaN skipped), the first sample of each run
 * of Bad quality, and the samples on both sides of each gap ({@link RangeSurvey}). Empty columns
 * give nothing. Memory: one column's candidates. One thread.
 */
final class PlotValuesDownsampler extends DownsamplingCursor {
    private final SampleStream stream;
    private final long from;
    private final long to;
    private final int columns;
    private final long gapThreshold;
    private final PointBuffer candidates = new PointBuffer();
    private int column = -1;
    private boolean any;
    private long firstT;
    private double firstV;
    private int firstQ;
    private boolean firstGap;
    private long minT;
    private double minV;
    private int minQ;
    private boolean minGap;
    private long maxT;
    private double maxV;
    private int maxQ;
    private boolean maxGap;
    private boolean hasLast;
    private long lastT;
    private double lastV;
    private int lastQ;
    private boolean lastGap;
    private boolean lastInColumn;

    static DownsamplingCursor open(SeriesView view, long from, long to, int columns) {
        try {
            RangeSurvey survey = RangeSurvey.of(view, from, to);
            return new PlotValuesDownsampler(view, from, to, columns, survey.gapThreshold);
        } catch (RuntimeException e) {
            view.close();
            throw e;
        }
    }

    private PlotValuesDownsampler(SeriesView view, long from, long to, int columns, long gapThreshold) {
        super(view);
        this.stream = new SampleStream(view, from, to, false);
        this.from = from;
        this.to = to;
        this.columns = columns;
        this.gapThreshold = gapThreshold;
    }

    /** The column of time {@code t} in {@code [from, to)}: floor((t - from) / (to - from) * columns), in doubles. */
    static int column(long t, long from, long to, int columns) {
        double c = Math.floor(((double) t - (double) from) / ((double) to - (double) from) * columns);
        return (int) Math.max(0, Math.min(columns - 1, c));
    }

    @Override
    boolean refill() {
        while (stream.peek()) {
            long t = stream.t;
            double v = stream.v;
            int q = stream.q;
            stream.consume();
            boolean gap = !hasLast || t - lastT > gapThreshold;
            int c = column(t, from, to, columns);
            boolean flushed = false;
            if (c != column && any) {
                flush();
                flushed = true;
            }
            if (c != column) {
                column = c;
                any = false;
                lastInColumn = false;
            }
            if (gap && hasLast && lastInColumn) {
                candidates.add(lastT, lastV, lastQ, lastGap);
            }
            if (!any) {
                any = true;
                firstT = t;
                firstV = v;
                firstQ = q;
                firstGap = gap;
                minT = t;
                minV = v;
                minQ = q;
                minGap = gap;
                maxT = t;
                maxV = v;
                maxQ = q;
                maxGap = gap;
            } else {
                if (!Double.isNaN(v) && (Double.isNaN(minV) || v < minV)) {
                    minT = t;
                    minV = v;
                    minQ = q;
                    minGap = gap;
                }
                if (!Double.isNaN(v) && (Double.isNaN(maxV) || v > maxV)) {
                    maxT = t;
                    maxV = v;
                    maxQ = q;
                    maxGap = gap;
                }
                boolean bad = Quality.severity(q) >= 2;
                if (gap || bad && Quality.severity(lastQ) < 2) {
                    candidates.add(t, v, q, gap);
                }
            }
            hasLast = true;
            lastT = t;
            lastV = v;
            lastQ = q;
            lastGap = gap;
            lastInColumn = true;
            if (flushed) {
                return true;
            }
        }
        if (any) {
            flush();
            any = false;
            return true;
        }
        return false;
    }

    /** Emits the column's candidates sorted by time, each once. */
    private void flush() {
        candidates.add(firstT, firstV, firstQ, firstGap);
        candidates.add(minT, minV, minQ, minGap);
        candidates.add(maxT, maxV, maxQ, maxGap);
        candidates.add(lastT, lastV, lastQ, lastGap);
        int n = candidates.size;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        long[] ts = candidates.t;
        Arrays.sort(order, (x, y) -> Long.compare(ts[x], ts[y]));
        long prev = Long.MIN_VALUE;
        boolean first = true;
        for (int k = 0; k < n; k++) {
            int i = order[k];
            if (first || ts[i] != prev) {
                out.add(ts[i], candidates.v[i], candidates.q[i], candidates.gap[i]);
            }
            first = false;
            prev = ts[i];
        }
        candidates.clear();
    }

    @Override
    void release() {
        stream.close();
    }
}
