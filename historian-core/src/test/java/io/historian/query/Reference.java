package io.historian.query;

import io.historian.Quality;
import io.historian.query.QueryFixture.S;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Naive reference implementations of the query modes, written from the documented semantics
 * over the whole series in memory, without the engine's streaming structure.
 */
final class Reference {
    static final int NO_DATA = Aggregate.NO_DATA;
    static final int UNCERTAIN = Quality.UNCERTAIN_LAST_USABLE_VALUE.code();

    private Reference() {
    }

    /** One interval: start, end, value and quality per aggregate. */
    record Row(long start, long end, double[] values, int[] qualities, boolean empty) {
    }

    static List<Row> aggregates(List<S> all, long from, long to, long step, Aggregate[] aggs, boolean linear,
            Fill fill) {
        List<Row> rows = new ArrayList<>();
        for (long cell = Math.floorDiv(from, step) * step; cell < to; cell += step) {
            long a = Math.max(cell, from);
            long b = Math.min(cell + step, to);
            if (a < b) {
                rows.add(interval(all, a, b, aggs, linear));
            }
        }
        applyFill(all, from, step, rows, aggs, linear, fill);
        return rows;
    }

    static Row interval(List<S> all, long a, long b, Aggregate[] aggs, boolean linear) {
        List<S> in = new ArrayList<>();
        for (S s : all) {
            if (s.t() >= a && s.t() < b && !s.bad()) {
                in.add(s);
            }
        }
        int quality = 0;
        for (S s : in) {
            quality = Quality.worst(quality, s.q());
        }
        List<Double> vals = new ArrayList<>();
        for (S s : in) {
            if (!Double.isNaN(s.v())) {
                vals.add(s.v());
            }
        }
        double min = Double.NaN;
        double max = Double.NaN;
        double sum = Double.NaN;
        for (double v : vals) {
            min = Double.isNaN(min) ? v : Math.min(min, v);
            max = Double.isNaN(max) ? v : Math.max(max, v);
            sum = Double.isNaN(sum) ? v : sum + v;
        }
        double mean = vals.isEmpty() ? Double.NaN : sum / vals.size();
        double ss = 0;
        for (double v : vals) {
            ss += (v - mean) * (v - mean);
        }
        double stddev = vals.size() < 2 ? Double.NaN : Math.sqrt(ss / (vals.size() - 1));
        double first = vals.isEmpty() ? Double.NaN : vals.get(0);
        double last = vals.isEmpty() ? Double.NaN : vals.get(vals.size() - 1);

        // Time-weighted: every segment [t_k, t_k+1) of the whole series, clipped to [a, b).
        double area = 0;
        long usable = 0;
        long good = 0;
        long bad = 0;
        int twq = 0;
        boolean twUsed = false;
        long firstT = all.isEmpty() ? Long.MAX_VALUE : all.get(0).t();
        if (a < Math.min(b, firstT)) {
            bad += Math.min(b, firstT) - a;
        }
        for (int k = 0; k < all.size(); k++) {
            S s = all.get(k);
            S r = k + 1 < all.size() ? all.get(k + 1) : null;
            long lo = Math.max(a, s.t());
            long hi = Math.min(b, r == null ? Long.MAX_VALUE : r.t());
            if (hi <= lo) {
                continue;
            }
            long d = hi - lo;
            int sev = Quality.severity(s.q());
            if (sev == 0) {
                good += d;
            } else if (sev >= 2) {
                bad += d;
            }
            if (!s.usable()) {
                continue;
            }
            usable += d;
            twUsed = true;
            if (linear && r != null && r.usable()) {
                double vlo = s.v() + (r.v() - s.v()) * (lo - s.t()) / (double) (r.t() - s.t());
                double vhi = s.v() + (r.v() - s.v()) * (hi - s.t()) / (double) (r.t() - s.t());
                area += (vlo + vhi) / 2 * d;
                twq = Quality.worst(twq, Quality.worst(s.q(), r.q()));
            } else {
                area += s.v() * d;
                twq = Quality.worst(twq, s.q());
            }
        }
        boolean empty = in.isEmpty();
        double[] values = new double[aggs.length];
        int[] qualities = new int[aggs.length];
        for (int i = 0; i < aggs.length; i++) {
            int q = empty ? NO_DATA : quality;
            double v = switch (aggs[i]) {
                case COUNT -> in.size();
                case MIN -> min;
                case MAX -> max;
                case FIRST -> first;
                case LAST -> last;
                case SUM -> sum;
                case MEAN -> mean;
                case RANGE -> max - min;
                case DELTA -> last - first;
                case STDDEV -> stddev;
                case TIME_WEIGHTED_MEAN -> usable == 0 ? Double.NaN : area / usable;
                case INTEGRAL -> usable == 0 ? Double.NaN : area / 1000.0;
                case PERCENT_GOOD -> 100.0 * good / (double) (b - a);
                case DURATION_BAD -> bad / 1000.0;
            };
            if (aggs[i] == Aggregate.TIME_WEIGHTED_MEAN || aggs[i] == Aggregate.INTEGRAL) {
                q = twUsed ? twq : NO_DATA;
            } else if (aggs[i] == Aggregate.PERCENT_GOOD || aggs[i] == Aggregate.DURATION_BAD) {
                q = 0;
            }
            values[i] = v;
            qualities[i] = q;
        }
        return new Row(a, b, values, qualities, empty);
    }

    private static boolean fillable(Aggregate a) {
        return a.ordinal() >= Aggregate.MIN.ordinal() && a.ordinal() <= Aggregate.STDDEV.ordinal();
    }

    /**
     * Fill as documented: PREVIOUS repeats each aggregate's value in the previous row as reported
     * (NaN included); LINEAR draws the line between the previous and next non-empty rows that have
     * a number for that aggregate at both ends. The previous interval of the first row is the
     * grid cell of the last non-Bad sample before {@code from}, cut off at {@code from}.
     */
    static void applyFill(List<S> all, long from, long step, List<Row> rows, Aggregate[] aggs, boolean linear,
            Fill fill) {
        int n = aggs.length;
        S before = null;
        for (S s : all) {
            if (s.t() < from && !s.bad()) {
                before = s;
            }
        }
        Row previous = null;
        if (before != null) {
            long cell = Math.floorDiv(before.t(), step) * step;
            previous = interval(all, cell, Math.min(cell + step, from), aggs, linear);
        }
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            if (fill.kind() == Fill.Kind.PREVIOUS) {
                if (row.empty() && previous != null) {
                    for (int i = 0; i < n; i++) {
                        if (fillable(aggs[i])) {
                            row.values()[i] = previous.values()[i];
                            row.qualities()[i] = Quality.worst(previous.qualities()[i], UNCERTAIN);
                        }
                    }
                }
                previous = row;
                continue;
            }
            if (fill.kind() != Fill.Kind.LINEAR) {
                if (row.empty() && fill.kind() == Fill.Kind.CONSTANT) {
                    for (int i = 0; i < n; i++) {
                        if (fillable(aggs[i])) {
                            row.values()[i] = fill.value();
                            row.qualities()[i] = 0;
                        }
                    }
                }
                continue;
            }
            // LINEAR: the previous non-empty row (or the interval before the range) and the next one.
            Row prev = previous;
            for (int k = r - 1; k >= 0; k--) {
                if (!rows.get(k).empty()) {
                    prev = rows.get(k);
                    break;
                }
            }
            if (!row.empty()) {
                continue;
            }
            Row next = null;
            for (int k = r + 1; k < rows.size() && next == null; k++) {
                if (!rows.get(k).empty()) {
                    next = rows.get(k);
                }
            }
            for (int i = 0; i < n; i++) {
                if (!fillable(aggs[i]) || prev == null || next == null || Double.isNaN(prev.values()[i])
                        || prev.qualities()[i] == NO_DATA || Double.isNaN(next.values()[i])
                        || next.qualities()[i] == NO_DATA) {
                    continue;
                }
                double f = (double) (row.start() - prev.start()) / (double) (next.start() - prev.start());
                row.values()[i] = prev.values()[i] + (next.values()[i] - prev.values()[i]) * f;
                row.qualities()[i] = Quality.worst(Quality.worst(prev.qualities()[i], next.qualities()[i]), UNCERTAIN);
            }
        }
    }

    /** The samples in [from, to). */
    static List<S> range(List<S> all, long from, long to) {
        List<S> out = new ArrayList<>();
        for (S s : all) {
            if (s.t() >= from && s.t() < to) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * A direct transcription of Steinarsson's published LTTB (the JavaScript reference,
     * largestTriangleThreeBuckets), returning the selected indices.
     */
    static List<Integer> lttb(double[] x, double[] y, int threshold) {
        int dataLength = x.length;
        List<Integer> sampled = new ArrayList<>();
        if (threshold >= dataLength || threshold == 0) {
            for (int i = 0; i < dataLength; i++) {
                sampled.add(i);
            }
            return sampled;
        }
        double every = (double) (dataLength - 2) / (threshold - 2);
        int a = 0;
        int maxAreaPoint = 0;
        int nextA = 0;
        sampled.add(a);
        for (int i = 0; i < threshold - 2; i++) {
            double avgX = 0;
            double avgY = 0;
            int avgRangeStart = (int) Math.floor((i + 1) * every) + 1;
            int avgRangeEnd = (int) Math.floor((i + 2) * every) + 1;
            avgRangeEnd = avgRangeEnd < dataLength ? avgRangeEnd : dataLength;
            int avgRangeLength = avgRangeEnd - avgRangeStart;
            for (; avgRangeStart < avgRangeEnd; avgRangeStart++) {
                avgX += x[avgRangeStart];
                avgY += y[avgRangeStart];
            }
            avgX /= avgRangeLength;
            avgY /= avgRangeLength;
            int rangeOffs = (int) Math.floor((i + 0) * every) + 1;
            int rangeTo = (int) Math.floor((i + 1) * every) + 1;
            double pointAX = x[a];
            double pointAY = y[a];
            double maxArea = -1;
            for (; rangeOffs < rangeTo; rangeOffs++) {
                double area = Math.abs((pointAX - avgX) * (y[rangeOffs] - pointAY)
                        - (pointAX - x[rangeOffs]) * (avgY - pointAY)) * 0.5;
                if (area > maxArea) {
                    maxArea = area;
                    maxAreaPoint = rangeOffs;
                    nextA = rangeOffs;
                }
            }
            sampled.add(maxAreaPoint);
            a = nextA;
        }
        sampled.add(dataLength - 1);
        return sampled;
    }

    /** The documented gap threshold: 10x the mean interval over the range, rounded up. */
    static long gapThreshold(List<S> in) {
        if (in.size() < 2) {
            return Long.MAX_VALUE;
        }
        double mean = ((double) in.get(in.size() - 1).t() - (double) in.get(0).t()) / (in.size() - 1);
        return (long) Math.max(1, Math.ceil(mean * 10));
    }

    static boolean gapBefore(List<S> in, int i, long threshold) {
        return i == 0 || in.get(i).t() - in.get(i - 1).t() > threshold;
    }

    /** LTTB selection plus both sides of every gap, in index order. */
    static List<Integer> lttbWithGaps(List<S> in, int points) {
        double[] x = new double[in.size()];
        double[] y = new double[in.size()];
        for (int i = 0; i < in.size(); i++) {
            x[i] = in.get(i).t();
            y[i] = in.get(i).v();
        }
        return withGaps(in, lttb(x, y, points));
    }

    /** The {@code selected} indices plus both sides of every gap, in index order. */
    static List<Integer> withGaps(List<S> in, List<Integer> selected) {
        TreeSet<Integer> out = new TreeSet<>(selected);
        long thr = gapThreshold(in);
        for (int i = 1; i < in.size(); i++) {
            if (gapBefore(in, i, thr)) {
                out.add(i - 1);
                out.add(i);
            }
        }
        return new ArrayList<>(out);
    }

    /** MinMaxLTTB on data without gaps or NaN: min/max of 2 * points equal-count buckets, then LTTB. */
    static List<Integer> minMaxLttb(List<S> in, int points) {
        int n = in.size();
        if (n <= 4 * points) {
            return lttbWithGaps(in, points);
        }
        long buckets = 2L * points;
        TreeSet<Integer> pre = new TreeSet<>();
        pre.add(0);
        pre.add(n - 1);
        for (long j = 0; j < buckets; j++) {
            int lo = (int) (1 + j * (n - 2) / buckets);
            int hi = (int) (1 + (j + 1) * (n - 2) / buckets);
            if (lo >= hi) {
                continue;
            }
            int mi = lo;
            int ma = lo;
            for (int i = lo; i < hi; i++) {
                if (in.get(i).v() < in.get(mi).v()) {
                    mi = i;
                }
                if (in.get(i).v() > in.get(ma).v()) {
                    ma = i;
                }
            }
            pre.add(mi);
            pre.add(ma);
        }
        List<Integer> idx = new ArrayList<>(pre);
        double[] x = new double[idx.size()];
        double[] y = new double[idx.size()];
        for (int i = 0; i < idx.size(); i++) {
            x[i] = in.get(idx.get(i)).t();
            y[i] = in.get(idx.get(i)).v();
        }
        List<Integer> out = new ArrayList<>();
        for (int k : lttb(x, y, points)) {
            out.add(idx.get(k));
        }
        return out;
    }

    /** Plot values as documented, as indices into {@code in}. */
    static List<Integer> plot(List<S> in, long from, long to, int columns) {
        long thr = gapThreshold(in);
        TreeSet<Integer> out = new TreeSet<>();
        int i = 0;
        while (i < in.size()) {
            int col = column(in.get(i).t(), from, to, columns);
            int j = i;
            while (j < in.size() && column(in.get(j).t(), from, to, columns) == col) {
                j++;
            }
            int mi = i;
            int ma = i;
            for (int k = i; k < j; k++) {
                double v = in.get(k).v();
                if (!Double.isNaN(v) && (Double.isNaN(in.get(mi).v()) || v < in.get(mi).v())) {
                    mi = k;
                }
                if (!Double.isNaN(v) && (Double.isNaN(in.get(ma).v()) || v > in.get(ma).v())) {
                    ma = k;
                }
                if (k > i && in.get(k).bad() && !in.get(k - 1).bad()) {
                    out.add(k);
                }
                if (k > i && gapBefore(in, k, thr)) {
                    out.add(k - 1);
                    out.add(k);
                }
            }
            out.add(i);
            out.add(j - 1);
            out.add(mi);
            out.add(ma);
            i = j;
        }
        return new ArrayList<>(out);
    }

    static int column(long t, long from, long to, int columns) {
        double c = Math.floor(((double) t - (double) from) / ((double) to - (double) from) * columns);
        return (int) Math.max(0, Math.min(columns - 1, c));
    }

    /** ValueAt.INTERPOLATED at from, from + step, ... before to. */
    static List<double[]> interpolated(List<S> all, long from, long to, long step, boolean linear) {
        List<double[]> out = new ArrayList<>();
        for (long x = from; x < to; x += step) {
            S prev = null;
            S next = null;
            for (S s : all) {
                if (s.t() <= x) {
                    prev = s;
                } else if (next == null) {
                    next = s;
                }
            }
            double v;
            int q;
            if (prev == null) {
                v = Double.NaN;
                q = NO_DATA;
            } else if (prev.t() == x || !linear && next != null) {
                v = prev.v();
                q = prev.q();
            } else if (next == null) {
                v = prev.v();
                q = linear ? Quality.worst(prev.q(), UNCERTAIN) : prev.q();
            } else {
                v = prev.v() + (next.v() - prev.v()) * ((double) (x - prev.t()) / (double) (next.t() - prev.t()));
                q = Quality.worst(prev.q(), next.q());
            }
            out.add(new double[] {x, v, q});
        }
        return out;
    }
}
