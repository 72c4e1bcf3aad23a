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
 * bits, as the chunk's sum is added as one term). One thread.
 */
public final class AggregatingCursor implements AggregateCursor {
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

    /** One interval's row from {@code stream}; {@code timeWeighted} also accounts the time between samples. */
    private Row compute(SampleStream stream, boolean timeWeighted, long s, long e) {
        Row row = new Row(aggs.length);
        row.start = s;
        row.end = e;
        long nonBad = 0;
        long usableCount = 0;
        int quality = 0;
        double min = Double.NaN;
        double max = Double.NaN;
        double sum = Double.NaN;
        double first = Double.NaN;
        double last = Double.NaN;
        double mean = 0;
        double m2 = 0;
        // Time-weighted state, in value x ms and ms.
        long pos = s;
        double area = 0;
        long usableTime = 0;
        long goodTime = 0;
        long badTime = 0;
        int twQuality = 0;
        boolean twUsed = false;
        while (true) {
            if (headerPath && stream.chunkWithin(e)) {
                ChunkWalk w = stream.walk();
                if (Quality.severity(w.headerWorst()) < 2) {
                    nonBad += w.headerCount();
                    quality = Quality.worst(quality, w.headerWorst());
                    if (w.headerNumbers() > 0) {
                        min = Double.isNaN(min) ? w.headerMin() : Math.min(min, w.headerMin());
                        max = Double.isNaN(max) ? w.headerMax() : Math.max(max, w.headerMax());
                        sum = Double.isNaN(sum) ? w.headerSum() : sum + w.headerSum();
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
            long t = stream.t;
            double v = stream.v;
            int q = stream.q;
            stream.consume();
            if (timeWeighted) {
                if (t > pos) {
                    int[] tw = segment(pos, t, true, t, v, q);
                    area += segArea;
                    usableTime += segUsable;
                    goodTime += segGood;
                    badTime += segBad;
                    if (tw != null) {
                        twQuality = Quality.worst(twQuality, segQuality);
                        twUsed = true;
                    }
                }
                pos = t;
            }
            hasPrev = true;
            prevT = t;
            prevV = v;
            prevQ = q;
            if (Quality.severity(q) >= 2) {
                continue;
            }
            nonBad++;
            quality = Quality.worst(quality, q);
            if (Double.isNaN(v)) {
                continue;
            }
            usableCount++;
            min = Double.isNaN(min) ? v : Math.min(min, v);
            max = Double.isNaN(max) ? v : Math.max(max, v);
            sum = Double.isNaN(sum) ? v : sum + v;
            if (usableCount == 1) {
                first = v;
            }
            last = v;
            double d = v - mean;
            mean += d / usableCount;
            m2 += d * (v - mean);
        }
        if (timeWeighted && e > pos) {
            boolean right = stream.peek();
            int[] tw = segment(pos, e, right, stream.t, stream.v, stream.q);
            area += segArea;
            usableTime += segUsable;
            goodTime += segGood;
            badTime += segBad;
            if (tw != null) {
                twQuality = Quality.worst(twQuality, segQuality);
                twUsed = true;
            }
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
            double slope = (rv - prevV) / (double) (rt - prevT);
            double va = prevV + slope * (a - prevT);
            double vb = prevV + slope * (b - prevT);
            segArea = (va + vb) / 2 * d;
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
