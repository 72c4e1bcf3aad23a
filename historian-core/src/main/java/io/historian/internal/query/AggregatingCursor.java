package io.historian.internal.query;

import io.historian.Interpolation;
import io.historian.Quality;
import io.historian.Sample;
import io.historian.query.Aggregate;
import io.historian.query.AggregateCursor;
import io.historian.query.Fill;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Computes aggregates per interval for one tag in one forward pass over its chunks (semantics:
 * {@link Aggregate}). Memory: one decoded chunk, plus, for {@link Fill#LINEAR}, the run of empty
 * intervals waiting for the next non-empty one. Under Fill.PREVIOUS and Fill.LINEAR the interval
 * before the range (the cell of the last non-Bad sample before it) is computed first, from a
 * stream of its own, and stands as the previous interval of the range's first one.
 *
 * <p>Invariants: with time-weighted aggregates, {@code prev*} is the last sample before the
 * current position (any quality), the owner of the time up to the stream's lookahead. {@code
 * last*} is, under Fill.PREVIOUS, the previous row as reported; under Fill.LINEAR, the previous
 * non-empty row. The header fast path is taken only when every
 * requested aggregate is in {@link #HEADER_AGGREGATES} and a chunk with no Bad sample lies wholly
 * inside the interval; then the header's count, min, max, sum, first and last values and count of
 * numbers equal what the samples give (NaN skipped in both; a sum or mean may differ in the last
 * bits, as the chunk's sum is added as one term). Otherwise samples are taken a run at a time
 * (a loaded chunk's samples up to the interval's end): a run of a chunk whose values all have a
 * number and whose samples share one quality that is not Bad goes through loops over the arrays
 * ({@link #addCleanRun}) that repeat the per-sample arithmetic, in the same order wherever order
 * changes a result, so both paths give the same bits. One thread.
 */
public final class AggregatingCursor implements AggregateCursor {
    /** Whether clean runs go through the run kernels; cleared by tests that compare both paths. */
    static volatile boolean runKernels = true;
    static final Set<Aggregate> HEADER_AGGREGATES = EnumSet.of(Aggregate.COUNT, Aggregate.MIN, Aggregate.MAX,
            Aggregate.SUM, Aggregate.RANGE, Aggregate.FIRST, Aggregate.LAST, Aggregate.DELTA, Aggregate.MEAN);
    private static final int UNCERTAIN_CARRIED = Quality.UNCERTAIN_LAST_USABLE_VALUE.code();

    private final SeriesView view;
    private final List<Aggregate> aggregates;
    private final Aggregate[] aggs;
    private final IntervalGrid grid;
    private final SampleStream stream;
    private final boolean headerPath;
    private final boolean timeWeighted;
    private final boolean linear;
    // Which running figures the requested aggregates need beyond count, first and last.
    private final boolean stddev;
    private final boolean needMinMax;
    private final boolean needSum;
    private final Fill fill;
    private boolean closed;

    private boolean hasPrev;
    private long prevT;
    private double prevV;
    private int prevQ;

    // Fill state, per aggregate: see the class comment.
    private final double[] lastValue;
    private final int[] lastQuality;
    private final long[] lastAt;
    private final boolean[] hasLast;
    private final ArrayDeque<Row> ready = new ArrayDeque<>();
    private Row current;
    private Row spare;

    /** One interval's results. */
    private static final class Row {
        long start;
        long end;
        boolean empty;
        final double[] values;
        final int[] qualities;

        Row(int n) {
            values = new double[n];
            qualities = new int[n];
        }
    }

    /** Checks the grid (interval, zone, bucket count) before any view opens. */
    public static void validate(String tag, long from, long to, Duration interval, ZoneId zone, int maxBuckets) {
        IntervalGrid.of(tag, from, to, interval, zone, maxBuckets);
    }

    /** Opens over {@code [from, to)}; the cursor owns and closes the view. */
    public static AggregatingCursor open(SeriesView view, long from, long to, Duration interval,
            List<Aggregate> aggregates, Fill fill, ZoneId zone, int maxBuckets) {
        try {
            IntervalGrid grid = IntervalGrid.of(view.tag(), from, to, interval, zone, maxBuckets);
            return new AggregatingCursor(view, from, to, grid, interval, zone, aggregates, fill);
        } catch (RuntimeException e) {
            view.close();
            throw e;
        }
    }

    private AggregatingCursor(SeriesView view, long from, long to, IntervalGrid grid, Duration interval,
            ZoneId zone, List<Aggregate> aggregates, Fill fill) {
        this.view = view;
        this.aggregates = List.copyOf(aggregates);
        this.aggs = aggregates.toArray(new Aggregate[0]);
        this.grid = grid;
        this.fill = fill;
        this.headerPath = HEADER_AGGREGATES.containsAll(aggregates);
        boolean tw = false;
        for (Aggregate a : aggs) {
            tw |= a.ordinal() >= Aggregate.TIME_WEIGHTED_MEAN.ordinal();
        }
        this.timeWeighted = tw;
        this.stddev = aggregates.contains(Aggregate.STDDEV);
        this.needMinMax = aggregates.contains(Aggregate.MIN) || aggregates.contains(Aggregate.MAX)
                || aggregates.contains(Aggregate.RANGE);
        this.needSum = aggregates.contains(Aggregate.SUM) || aggregates.contains(Aggregate.MEAN);
        this.linear = view.interpolation() == Interpolation.LINEAR;
        int n = aggs.length;
        lastValue = new double[n];
        lastQuality = new int[n];
        lastAt = new long[n];
        hasLast = new boolean[n];
        if ((fill.kind() == Fill.Kind.PREVIOUS || fill.kind() == Fill.Kind.LINEAR) && from != Long.MIN_VALUE) {
            carryIn(from, interval.toMillis(), zone);
        }
        // The sample before the range owns the time up to the first sample in it.
        Sample before = from == Long.MIN_VALUE || !timeWeighted ? null : view.previous(from - 1);
        hasPrev = before != null;
        if (before != null) {
            prevT = before.timestamp().toEpochMilli();
            prevV = before.value();
            prevQ = before.quality().code();
        }
        this.stream = new SampleStream(view, from, to, timeWeighted);
    }

    /**
     * Makes the interval before the range the previous interval of its first one, so that a fill
     * gives at the range start what it gives in the middle of a longer range. That interval is
     * the grid cell, cut off at {@code from}, of the last non-Bad sample before the range: the
     * cells after it up to {@code from} are empty, so under Fill.PREVIOUS they would repeat its
     * values, and Fill.LINEAR would start its line there.
     */
    private void carryIn(long from, long step, ZoneId zone) {
        Sample p = view.previousNonBad(from - 1);
        if (p == null) {
            return;
        }
        long[] cell = IntervalGrid.cellBefore(p.timestamp().toEpochMilli(), from, step, zone);
        SampleStream s = new SampleStream(view, cell[0], cell[1], false);
        Row row;
        try {
            row = compute(s, false, cell[0], cell[1]);
        } finally {
            s.close();
        }
        if (fill.kind() == Fill.Kind.PREVIOUS) {
            carry(row);
        } else {
            remember(row);
        }
    }

    static boolean usable(int quality, double value) {
        return Quality.severity(quality) < 2 && !Double.isNaN(value);
    }

    @Override
    public boolean next() {
        if (closed) {
            throw new IllegalStateException("cursor is closed [tag=" + view.tag() + "]");
        }
        // The caller no longer sees the row it had: compute() may fill it again.
        spare = current;
        if (ready.isEmpty()) {
            if (!grid.next()) {
                return false;
            }
            Row row = compute(stream, timeWeighted, grid.start, grid.end);
            if (row.empty && fill.kind() == Fill.Kind.LINEAR) {
                ready.add(row);
                Row next = null;
                while (grid.next()) {
                    next = compute(stream, timeWeighted, grid.start, grid.end);
                    if (!next.empty) {
                        break;
                    }
                    ready.add(next);
                    next = null;
                }
                for (Row r : ready) {
                    fillLinear(r, next);
                }
                if (next != null) {
                    ready.add(next);
                    remember(next);
                }
            } else {
                if (row.empty) {
                    fillOther(row);
                }
                if (fill.kind() == Fill.Kind.PREVIOUS) {
                    carry(row);
                } else if (!row.empty) {
                    remember(row);
                }
                ready.add(row);
            }
        }
        current = ready.poll();
        return true;
    }

    // One interval's running state, reset by compute(): fields rather than locals so that the
    // per-sample path (add) and the run kernels (addCleanRun) share it.
    private long nonBad;
    private long usableCount;
    private int quality;
    private double min;
    private double max;
    private double sum;
    private double first;
    private double last;
    private double mean;
    private double m2;
    // Time-weighted state, in value x ms and ms.
    private long pos;
    private double area;
    private long usableTime;
    private long goodTime;
    private long badTime;
    private int twQuality;
    private boolean twUsed;

    /** One interval's row from {@code stream}; {@code timeWeighted} also accounts the time between samples. */
    private Row compute(SampleStream stream, boolean timeWeighted, long s, long e) {
        Row row = spare != null ? spare : new Row(aggs.length);
        spare = null;
        row.start = s;
        row.end = e;
        nonBad = 0;
        usableCount = 0;
        quality = 0;
        min = Double.NaN;
        max = Double.NaN;
        sum = Double.NaN;
        first = Double.NaN;
        last = Double.NaN;
        mean = 0;
        m2 = 0;
        pos = s;
        area = 0;
        usableTime = 0;
        goodTime = 0;
        badTime = 0;
        twQuality = 0;
        twUsed = false;
        while (true) {
            if (headerPath && stream.chunkWithin(e)) {
                ChunkWalk w = stream.walk();
                if (Quality.severity(w.headerWorst()) < 2) {
                    nonBad += w.headerCount();
                    quality = Quality.worst(quality, w.headerWorst());
                    if (w.headerNumbers() > 0) {
                        min = Double.isNaN(min) ? w.headerMin() : Math.min(min, w.headerMin());
                        max = Double.isNaN(max) ? w.headerMax() : Math.max(max, w.headerMax());
                        sum = usableCount == 0 ? w.headerSum() : sum + w.headerSum();
                        if (usableCount == 0) {
                            first = w.headerFirstValue();
                        }
                        last = w.headerLastValue();
                        usableCount += w.headerNumbers();
                    }
                    stream.skipChunk();
                    continue;
                }
            }
            if (!stream.peek() || stream.t >= e) {
                break;
            }
            if (stream.isAfter) {
                add(stream.t, stream.v, stream.q, timeWeighted);
                stream.consume();
                continue;
            }
            // The lookahead and the samples after it in the loaded chunk, up to e, as one run.
            int a = stream.runStart();
            int b = stream.runEnd(e);
            long[] ts = stream.runTimestamps();
            double[] vs = stream.runValues();
            int[] qs = stream.runQualities();
            add(ts[a], vs[a], qs[a], timeWeighted);
            if (b - a > 1 && stream.chunkClean && Quality.severity(qs[a]) < 2 && !stddev && runKernels) {
                // The walk holds the loaded chunk while its runs are taken; its arrays are the run's.
                ChunkWalk w = stream.walk();
                boolean regular = timeWeighted && w.regularTimestamps() && w.timestamps() == ts;
                addCleanRun(ts, vs, qs[a], a + 1, b, timeWeighted, regular);
            } else {
                for (int i = a + 1; i < b; i++) {
                    add(ts[i], vs[i], qs[i], timeWeighted);
                }
            }
            stream.consumeRun(b);
        }
        if (timeWeighted && e > pos) {
            boolean right = stream.peek();
            account(segment(pos, e, right, stream.t, stream.v, stream.q));
        }
        row.empty = nonBad == 0;
        int sq = nonBad == 0 ? Aggregate.NO_DATA : quality;
        for (int i = 0; i < aggs.length; i++) {
            double value;
            int q = sq;
            switch (aggs[i]) {
                case COUNT -> value = nonBad;
                case MIN -> value = min;
                case MAX -> value = max;
                case FIRST -> value = first;
                case LAST -> value = last;
                case SUM -> value = sum;
                case MEAN -> value = usableCount == 0 ? Double.NaN : sum / usableCount;
                case RANGE -> value = max - min;
                case DELTA -> value = last - first;
                case STDDEV -> value = usableCount < 2 ? Double.NaN : Math.sqrt(m2 / (usableCount - 1));
                case TIME_WEIGHTED_MEAN -> {
                    value = usableTime == 0 ? Double.NaN : area / usableTime;
                    q = twUsed ? twQuality : Aggregate.NO_DATA;
                }
                case INTEGRAL -> {
                    value = usableTime == 0 ? Double.NaN : area / 1000.0;
                    q = twUsed ? twQuality : Aggregate.NO_DATA;
                }
                case PERCENT_GOOD -> {
                    value = 100.0 * goodTime / (double) (e - s);
                    q = 0;
                }
                case DURATION_BAD -> {
                    value = badTime / 1000.0;
                    q = 0;
                }
                default -> throw new AssertionError(aggs[i]);
            }
            row.values[i] = value;
            row.qualities[i] = aggs[i] == Aggregate.COUNT && nonBad == 0 ? Aggregate.NO_DATA : q;
        }
        return row;
    }

    /** Adds the segment {@link #segment} just measured; {@code used} is what it returned. */
    private void account(int[] used) {
        area += segArea;
        usableTime += segUsable;
        goodTime += segGood;
        badTime += segBad;
        if (used != null) {
            twQuality = Quality.worst(twQuality, segQuality);
            twUsed = true;
        }
    }

    /** Accounts one sample (the next in time order) into the interval's state. */
    private void add(long t, double v, int q, boolean timeWeighted) {
        if (timeWeighted) {
            if (t > pos) {
                account(segment(pos, t, true, t, v, q));
            }
            pos = t;
        }
        hasPrev = true;
        prevT = t;
        prevV = v;
        prevQ = q;
        if (Quality.severity(q) >= 2) {
            return;
        }
        nonBad++;
        quality = Quality.worst(quality, q);
        if (Double.isNaN(v)) {
            return;
        }
        usableCount++;
        min = Double.isNaN(min) ? v : Math.min(min, v);
        max = Double.isNaN(max) ? v : Math.max(max, v);
        // By count, not by a NaN sum: +Infinity plus -Infinity is NaN, and must stay NaN.
        sum = usableCount == 1 ? v : sum + v;
        if (usableCount == 1) {
            first = v;
        }
        last = v;
        if (stddev) {
            double d = v - mean;
            mean += d / usableCount;
            m2 += d * (v - mean);
        }
    }

    /**
     * What {@link #add} gives for samples {@code [a, b)} of a chunk (a >= 1) whose values all have
     * a number and whose qualities are all {@code q} (not Bad), sample {@code a - 1} having been
     * added last: the same operations in the same order (the sums and the area, so every result
     * is bit for bit the same), in tight loops, with min and max found by comparisons in the loop
     * that adds the areas. With {@code regular}, the chunk's timestamps are evenly spaced, so
     * every interval is the first.
     */
    private void addCleanRun(long[] ts, double[] vs, int q, int a, int b, boolean timeWeighted, boolean regular) {
        int n = b - a;
        nonBad += n;
        quality = Quality.worst(quality, q);
        boolean noneBefore = usableCount == 0;
        if (noneBefore) {
            first = vs[a];
        }
        usableCount += n;
        last = vs[b - 1];
        if (needSum) {
            sum = sum(noneBefore ? vs[a] : sum + vs[a], vs, a + 1, b);
        }
        if (timeWeighted) {
            // Sample i - 1 owns [t(i-1), t(i)) and has a number, so every segment is used.
            long d = ts[b - 1] - ts[a - 1];
            usableTime += d;
            if (Quality.severity(q) == 0) {
                goodTime += d;
            }
            twQuality = Quality.worst(twQuality, q);
            twUsed = true;
            if (regular) {
                double step = ts[a] - ts[a - 1];
                area = linear ? trapezoidsEvenlySpaced(area, step, vs, a, b) : stepsEvenlySpaced(area, step, vs, a, b);
            } else {
                area = linear ? trapezoids(area, ts, vs, a, b) : steps(area, ts, vs, a, b);
            }
            pos = ts[b - 1];
        } else if (needMinMax) {
            range(vs, a, b);
        }
        hasPrev = true;
        prevT = ts[b - 1];
        prevV = vs[b - 1];
        prevQ = q;
    }

    // The area kernels add each whole segment's area (segment()'s arithmetic for a whole
    // segment) to the interval's area left to right, in one loop with min and max: the additions
    // wait on one another, and the areas and comparisons, independent of one another, run in
    // their shadow. Nothing is stored per sample. Min and max use plain comparisons: Math.min
    // and Math.max cost a chain of blends on every value for their NaN and signed-zero rules.
    // Over numbers, comparisons find a value equal to what Math.min and Math.max give, and two
    // equal numbers have the same bits unless they are zeros, so only a zero result takes the
    // exact loop (settleRange), which puts -0.0 below 0.0. Min and max are found whether or not
    // they were asked for: the comparisons cost next to nothing beside the additions. The four
    // loops repeat one another on purpose, rather than one loop that tests the case per sample.

    /** {@code total} plus the linear areas of the segments ending at samples {@code [a, b)}, {@code d} ms each. */
    private double trapezoidsEvenlySpaced(double total, double d, double[] vs, int a, int b) {
        double lo = Double.isNaN(min) ? vs[a] : min;
        double hi = Double.isNaN(max) ? vs[a] : max;
        double left = vs[a - 1];
        for (int i = a; i < b; i++) {
            double x = vs[i];
            total += (left + x) / 2 * d;
            if (x < lo) {
                lo = x;
            }
            if (x > hi) {
                hi = x;
            }
            left = x;
        }
        settleRange(lo, hi, vs, a, b);
        return total;
    }

    /** As {@link #trapezoidsEvenlySpaced}, each segment as long as its timestamps say. */
    private double trapezoids(double total, long[] ts, double[] vs, int a, int b) {
        double lo = Double.isNaN(min) ? vs[a] : min;
        double hi = Double.isNaN(max) ? vs[a] : max;
        double left = vs[a - 1];
        long t = ts[a - 1];
        for (int i = a; i < b; i++) {
            double x = vs[i];
            long ti = ts[i];
            double d = ti - t;
            total += (left + x) / 2 * d;
            if (x < lo) {
                lo = x;
            }
            if (x > hi) {
                hi = x;
            }
            left = x;
            t = ti;
        }
        settleRange(lo, hi, vs, a, b);
        return total;
    }

    /** As {@link #trapezoidsEvenlySpaced}, stepped: the left sample's value holds over each segment. */
    private double stepsEvenlySpaced(double total, double d, double[] vs, int a, int b) {
        double lo = Double.isNaN(min) ? vs[a] : min;
        double hi = Double.isNaN(max) ? vs[a] : max;
        double left = vs[a - 1];
        for (int i = a; i < b; i++) {
            double x = vs[i];
            total += left * d;
            if (x < lo) {
                lo = x;
            }
            if (x > hi) {
                hi = x;
            }
            left = x;
        }
        settleRange(lo, hi, vs, a, b);
        return total;
    }

    /** As {@link #trapezoids}, stepped. */
    private double steps(double total, long[] ts, double[] vs, int a, int b) {
        double lo = Double.isNaN(min) ? vs[a] : min;
        double hi = Double.isNaN(max) ? vs[a] : max;
        double left = vs[a - 1];
        long t = ts[a - 1];
        for (int i = a; i < b; i++) {
            double x = vs[i];
            long ti = ts[i];
            double d = ti - t;
            total += left * d;
            if (x < lo) {
                lo = x;
            }
            if (x > hi) {
                hi = x;
            }
            left = x;
            t = ti;
        }
        settleRange(lo, hi, vs, a, b);
        return total;
    }

    /** Folds {@code vs[a..b)} into min and max. */
    private void range(double[] vs, int a, int b) {
        double lo = Double.isNaN(min) ? vs[a] : min;
        double hi = Double.isNaN(max) ? vs[a] : max;
        for (int i = a; i < b; i++) {
            double x = vs[i];
            if (x < lo) {
                lo = x;
            }
            if (x > hi) {
                hi = x;
            }
        }
        settleRange(lo, hi, vs, a, b);
    }

    /** Sets min and max from the comparisons' {@code lo} and {@code hi} over {@code vs[a..b)}. */
    private void settleRange(double lo, double hi, double[] vs, int a, int b) {
        if (lo == 0.0 || hi == 0.0) {
            lo = Double.isNaN(min) ? vs[a] : min;
            hi = Double.isNaN(max) ? vs[a] : max;
            for (int i = a; i < b; i++) {
                lo = Math.min(lo, vs[i]);
                hi = Math.max(hi, vs[i]);
            }
        }
        min = lo;
        max = hi;
    }

    /** {@code total} plus {@code x[a..b)}, left to right. */
    private static double sum(double total, double[] x, int a, int b) {
        for (int i = a; i < b; i++) {
            total += x[i];
        }
        return total;
    }

    // Results of segment(), kept in fields so the hot loop allocates nothing.
    private double segArea;
    private long segUsable;
    private long segGood;
    private long segBad;
    private int segQuality;
    private static final int[] USED = new int[0];

    /**
     * Accounts for {@code [a, b)}, owned by the previous sample (if any), whose next sample is
     * {@code (rt, rv, rq)} when {@code hasRight}. Returns non-null when a usable value was used.
     */
    private int[] segment(long a, long b, boolean hasRight, long rt, double rv, int rq) {
        segArea = 0;
        segUsable = 0;
        segGood = 0;
        segBad = 0;
        long d = b - a;
        if (!hasPrev) {
            segBad = d;
            return null;
        }
        int sev = Quality.severity(prevQ);
        if (sev == 0) {
            segGood = d;
        } else if (sev >= 2) {
            segBad = d;
        }
        if (!usable(prevQ, prevV)) {
            return null;
        }
        segUsable = d;
        segQuality = prevQ;
        if (linear && hasRight && usable(rq, rv) && rt > prevT) {
            if (a == prevT && b == rt) {
                // A whole segment: the trapezoid of its two samples, as the run kernels add it.
                segArea = (prevV + rv) / 2 * d;
            } else {
                double slope = (rv - prevV) / (double) (rt - prevT);
                double va = prevV + slope * (a - prevT);
                double vb = prevV + slope * (b - prevT);
                segArea = (va + vb) / 2 * d;
            }
            segQuality = Quality.worst(prevQ, rq);
        } else {
            segArea = prevV * d;
        }
        return USED;
    }

    /**
     * Fill.LINEAR: a non-empty row starts the next line, per aggregate, if it has a number there;
     * otherwise the line is missing on that side, as it is when the next non-empty row has none.
     */
    private void remember(Row row) {
        for (int i = 0; i < aggs.length; i++) {
            hasLast[i] = !Double.isNaN(row.values[i]) && row.qualities[i] != Aggregate.NO_DATA;
            lastValue[i] = row.values[i];
            lastQuality[i] = row.qualities[i];
            lastAt[i] = row.start;
        }
    }

    /**
     * Fill.PREVIOUS: every row, filled or not, is the previous interval of the next one, whose
     * empty aggregates repeat it as it is (a NaN included), so a run of empty intervals repeats
     * the last non-empty one.
     */
    private void carry(Row row) {
        for (int i = 0; i < aggs.length; i++) {
            hasLast[i] = true;
            lastValue[i] = row.values[i];
            lastQuality[i] = row.qualities[i];
        }
    }

    private static boolean fillable(Aggregate a) {
        return a.ordinal() >= Aggregate.MIN.ordinal() && a.ordinal() <= Aggregate.STDDEV.ordinal();
    }

    private void fillOther(Row row) {
        for (int i = 0; i < aggs.length; i++) {
            if (!fillable(aggs[i])) {
                continue;
            }
            switch (fill.kind()) {
                case CONSTANT -> {
                    row.values[i] = fill.value();
                    row.qualities[i] = 0;
                }
                case PREVIOUS -> {
                    if (hasLast[i]) {
                        row.values[i] = lastValue[i];
                        row.qualities[i] = Quality.worst(lastQuality[i], UNCERTAIN_CARRIED);
                    }
                }
                default -> { }
            }
        }
    }

    private void fillLinear(Row row, Row next) {
        for (int i = 0; i < aggs.length; i++) {
            if (!fillable(aggs[i]) || !hasLast[i] || next == null || Double.isNaN(next.values[i])
                    || next.qualities[i] == Aggregate.NO_DATA) {
                continue;
            }
            double f = (double) (row.start - lastAt[i]) / (double) (next.start - lastAt[i]);
            row.values[i] = lastValue[i] + (next.values[i] - lastValue[i]) * f;
            row.qualities[i] = Quality.worst(Quality.worst(lastQuality[i], next.qualities[i]), UNCERTAIN_CARRIED);
        }
    }

    @Override
    public String tag() {
        return view.tag();
    }

    @Override
    public List<Aggregate> aggregates() {
        return aggregates;
    }

    @Override
    public long startMillis() {
        return current().start;
    }

    @Override
    public long endMillis() {
        return current().end;
    }

    @Override
    public double value(int i) {
        return current().values[i];
    }

    @Override
    public int qualityCode(int i) {
        return current().qualities[i];
    }

    private Row current() {
        if (current == null) {
            throw new IllegalStateException("no current interval; call next() first [tag=" + view.tag() + "]");
        }
        return current;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            stream.close();
            view.close();
        }
    }
}
