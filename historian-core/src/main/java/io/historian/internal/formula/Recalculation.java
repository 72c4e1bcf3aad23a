package io.historian.internal.formula;

import io.historian.Quality;
import java.util.Arrays;

/**
 * The late path of a write call: recomputes, formula by formula in topological order, every
 * derived value that the call's samples create or change, PI-style automatic recalculation.
 *
 * <p><b>Windows.</b> A sample of tag x at t changes x's stepped value on [t, n), n being x's next
 * sample after t (in the store or in the call), or for ever when it has none; the next stored
 * sample is asked of {@link History#sampleAfter} only when t is before x's latest sample. A
 * formula's window is the union of its changed inputs' windows; a formula that emitted something
 * passes its window on to the formulas reading its output (a superset of where its values changed,
 * since every value it recomputed lies inside it and its next value after any of them is a time of
 * one of its inputs, so before the end of that window).
 *
 * <p><b>Sweep.</b> In each window [a, b) of a formula, each input's series is its sample at or
 * before a followed by its samples in (a, b): read from {@link History} only when a is before the
 * input's latest sample (otherwise the latest sample is all the store can hold there), and overlaid
 * with the call's own samples of the input, or with the values recomputed in this call when the input
 * is a formula's output (the overlay wins at equal times). The formula is evaluated at every distinct
 * time of those series inside the window, each (formula, time) once per call.
 *
 * <p><b>State.</b> Nothing in the graph changes until every formula has been recomputed; then the
 * slots whose latest sample moved are written through the graph's saving setter and the frontiers
 * raised (a rollback recomputes them from the restored slots). Scratch arrays grow to the largest call and are kept; each call
 * starts a new pass stamp instead of clearing them.
 */
final class Recalculation {
    private static final long NEVER = FormulaGraph.NEVER;
    /** The end of a window that extends past the tag's last sample. */
    private static final long OPEN_END = Long.MAX_VALUE;

    private final FormulaGraph g;
    private final History history;
    private final History.SampleHolder holder = new History.SampleHolder();
    private final History.SampleConsumer collector = this::collect;
    private final FormulaBitQueue due;
    /** Input values for one evaluation, indexed by slot like the graph's latest values. */
    private final double[] view;

    private long pass;

    // per slot: the call's series (a raw input's samples, or a formula output's recomputed values)
    private final long[] seriesPass;
    private final int[] seriesStart;
    private final int[] seriesLength;
    // per slot: the windows where its stepped value may have changed
    private final long[] windowPass;
    private final int[] windowStart;
    private final int[] windowLength;

    private int touched;
    private int[] touchedSlots = new int[16];
    private int processed;
    private int[] processedFormulas = new int[16];

    /** Pool of the call's series. */
    private int seriesCount;
    private long[] serT = new long[64];
    private double[] serV = new double[64];
    private int[] serQ = new int[64];

    /** Pool of windows, [from, to). */
    private int windowCount;
    private int listStart;
    private long[] winFrom = new long[16];
    private long[] winTo = new long[16];

    /** One formula's input series over one window. */
    private int sweepCount;
    private long[] swT = new long[64];
    private double[] swV = new double[64];
    private int[] swQ = new int[64];
    private final int[] segEnd;
    private final int[] current;
    private final int[] next;

    /** Samples streamed from history. */
    private int readCount;
    private long readFrom;
    private long readTo;
    private long[] rdT = new long[64];
    private double[] rdV = new double[64];
    private int[] rdQ = new int[64];

    Recalculation(FormulaGraph graph) {
        this.g = graph;
        this.history = graph.history;
        int slots = graph.slotCount();
        int formulas = graph.formulaCount();
        due = new FormulaBitQueue(formulas);
        view = new double[slots];
        seriesPass = new long[slots];
        seriesStart = new int[slots];
        seriesLength = new int[slots];
        windowPass = new long[slots];
        windowStart = new int[slots];
        windowLength = new int[slots];
        int maxInputs = 1;
        for (int[] in : graph.inputs) {
            maxInputs = Math.max(maxInputs, in.length);
        }
        segEnd = new int[maxInputs];
        current = new int[maxInputs];
        next = new int[maxInputs];
    }

    /** Recalculates the graph's current call, whose inputs are sorted by time; the graph is as at begin(). */
    void run() {
        pass++;
        touched = 0;
        processed = 0;
        seriesCount = 0;
        windowCount = 0;
        due.clear();
        int n = g.inputCount;
        int[] slotOf = g.inSlot;
        long[] timeOf = g.inTime;
        for (int i = 0; i < n; i++) {
            for (int f : g.readers[slotOf[i]]) {
                if (timeOf[i] < g.frontier[f]) {
                    g.lateCount++;
                    break;
                }
            }
        }

        // the call's samples by slot: a stable counting sort keeps them in time order, and at equal
        // times the later sample of the call overwrites the earlier one
        for (int i = 0; i < n; i++) {
            int s = slotOf[i];
            if (seriesPass[s] != pass) {
                seriesPass[s] = pass;
                seriesLength[s] = 0;
                if (touched == touchedSlots.length) {
                    touchedSlots = Arrays.copyOf(touchedSlots, touched * 2);
                }
                touchedSlots[touched++] = s;
            }
            seriesLength[s]++;
        }
        int start = 0;
        for (int k = 0; k < touched; k++) {
            int s = touchedSlots[k];
            seriesStart[s] = start;
            start += seriesLength[s];
            seriesLength[s] = 0;
        }
        ensureSeries(start);
        for (int i = 0; i < n; i++) {
            int s = slotOf[i];
            int at = seriesStart[s] + seriesLength[s];
            if (seriesLength[s] > 0 && serT[at - 1] == timeOf[i]) {
                at--;
            } else {
                seriesLength[s]++;
            }
            serT[at] = timeOf[i];
            serV[at] = g.inValue[i];
            serQ[at] = g.inQuality[i];
        }
        seriesCount = start;

        for (int k = 0; k < touched; k++) {
            int s = touchedSlots[k];
            inputWindows(s);
            for (int f : g.readers[s]) {
                due.mark(f);
            }
        }
        for (int f = due.poll(); f >= 0; f = due.poll()) {
            recalculate(f);
        }

        // only now does the graph change: latest samples that moved, then frontiers
        for (int k = 0; k < touched; k++) {
            keepLatest(touchedSlots[k]);
        }
        for (int k = 0; k < processed; k++) {
            keepLatest(g.outputSlot[processedFormulas[k]]);
        }
        for (int k = 0; k < processed; k++) {
            int f = processedFormulas[k];
            long max = NEVER;
            for (int s : g.inputs[f]) {
                max = Math.max(max, g.time[s]);
            }
            g.raiseFrontier(f, max);
        }
    }

    private void keepLatest(int s) {
        if (seriesPass[s] != pass || seriesLength[s] == 0) {
            return;
        }
        int last = seriesStart[s] + seriesLength[s] - 1;
        if (serT[last] >= g.time[s]) {
            g.writeSlot(s, serT[last], serV[last], serQ[last]);
        }
    }

    /** The windows of a raw input's samples in this call: each from its time to the tag's next sample. */
    private void inputWindows(int s) {
        long latest = g.time[s];
        int from = seriesStart[s];
        int len = seriesLength[s];
        listStart = windowCount;
        long storedNext = NEVER;
        for (int j = 0; j < len; j++) {
            long t = serT[from + j];
            long end = j + 1 < len ? serT[from + j + 1] : OPEN_END;
            if (t < latest) {
                // the stored sample after t: ask only once per stretch without stored samples
                if (storedNext <= t) {
                    storedNext = latest;
                    if (history.sampleAfter(g.slotTag[s], s, t, holder) && holder.epochMillis > t
                            && holder.epochMillis < latest) {
                        storedNext = holder.epochMillis;
                    }
                }
                end = Math.min(end, storedNext);
            }
            addWindow(t, end);
        }
        windowPass[s] = pass;
        windowStart[s] = listStart;
        windowLength[s] = windowCount - listStart;
    }

    private void recalculate(int f) {
        int[] in = g.inputs[f];
        int wStart = -1;
        int wLength = 0;
        for (int s : in) {
            if (windowPass[s] != pass) {
                continue;
            }
            if (wStart < 0) {
                wStart = windowStart[s];
                wLength = windowLength[s];
            } else {
                int merged = mergeWindows(wStart, wLength, windowStart[s], windowLength[s]);
                wLength = windowCount - merged;
                wStart = merged;
            }
        }
        if (processed == processedFormulas.length) {
            processedFormulas = Arrays.copyOf(processedFormulas, processed * 2);
        }
        processedFormulas[processed++] = f;
        int out = g.outputSlot[f];
        int outStart = seriesCount;
        for (int w = 0; w < wLength; w++) {
            sweep(f, in, winFrom[wStart + w], winTo[wStart + w]);
        }
        seriesPass[out] = pass;
        seriesStart[out] = outStart;
        seriesLength[out] = seriesCount - outStart;
        if (seriesLength[out] > 0) {
            windowPass[out] = pass;
            windowStart[out] = wStart;
            windowLength[out] = wLength;
            for (int r : g.readers[out]) {
                due.mark(r);
            }
        }
    }

    /** Evaluates formula f at every time of its inputs' series in [a, b). */
    private void sweep(int f, int[] in, long a, long b) {
        sweepCount = 0;
        int k = in.length;
        for (int x = 0; x < k; x++) {
            next[x] = sweepCount;
            current[x] = -1;
            gather(in[x], a, b);
            segEnd[x] = sweepCount;
        }
        while (true) {
            long tau = OPEN_END;
            for (int x = 0; x < k; x++) {
                if (next[x] < segEnd[x] && swT[next[x]] < tau) {
                    tau = swT[next[x]];
                }
            }
            if (tau == OPEN_END) {
                return;
            }
            for (int x = 0; x < k; x++) {
                while (next[x] < segEnd[x] && swT[next[x]] <= tau) {
                    current[x] = next[x]++;
                }
            }
            if (tau >= a) {
                evaluateAt(f, in, tau);
            }
        }
    }

    private void evaluateAt(int f, int[] in, long tau) {
        int q = FormulaGraph.GOOD;
        boolean stale = false;
        for (int x = 0; x < in.length; x++) {
            int c = current[x];
            if (c < 0) {
                g.skippedCount++;
                return;
            }
            view[in[x]] = swV[c];
            q = Quality.worst(q, swQ[c]);
            stale |= tau - swT[c] > g.staleMillis;
        }
        if (stale) {
            q = Quality.worst(q, FormulaGraph.UNCERTAIN_LAST_USABLE);
        }
        double r;
        if (Quality.severity(q) >= 2) {
            r = Double.NaN;
            q = FormulaGraph.BAD_CALCULATION_FAILED;
        } else {
            r = g.code[f].evaluate(view);
            if (r - r != 0) { // NaN or infinite
                r = Double.NaN;
                q = FormulaGraph.BAD_CALCULATION_FAILED;
            }
        }
        ensureSeries(seriesCount + 1);
        serT[seriesCount] = tau;
        serV[seriesCount] = r;
        serQ[seriesCount] = q;
        seriesCount++;
        g.emit(f, tau, r, q);
    }

    /**
     * Appends slot s's series for window [a, b) to the sweep pool: its sample at or before a, then
     * its samples in (a, b). Inside s's own windows the call's series is complete (a raw input's
     * window ends at its next stored sample; a formula was recomputed at every time of its windows),
     * so history is read only for the rest of [a, b) before s's latest sample. The call's series wins
     * over history at equal times.
     */
    private void gather(int s, long a, long b) {
        long latest = g.time[s]; // as at begin(): the graph changes only after the sweep
        int oFrom = 0;
        int oEnd = 0;
        if (seriesPass[s] == pass) {
            oFrom = seriesStart[s];
            oEnd = oFrom + seriesLength[s];
        }
        int wFrom = 0;
        int wEnd = 0;
        if (windowPass[s] == pass) {
            wFrom = windowStart[s];
            wEnd = wFrom + windowLength[s];
        }

        int o = firstAfter(oFrom, oEnd, a);
        boolean have = false;
        long bt = NEVER;
        double bv = Double.NaN;
        int bq = 0;
        if (latest != NEVER) {
            if (a >= latest) {
                have = true;
                bt = latest;
                bv = g.value[s];
                bq = g.quality[s];
            } else if (!(o > oFrom && serT[o - 1] >= windowContaining(wFrom, wEnd, a))
                    && history.sampleAtOrBefore(g.slotTag[s], s, a, holder) && holder.epochMillis <= a) {
                have = true;
                bt = holder.epochMillis;
                bv = holder.value;
                bq = holder.qualityCode;
            }
        }
        if (o > oFrom && (!have || serT[o - 1] >= bt)) {
            have = true;
            bt = serT[o - 1];
            bv = serV[o - 1];
            bq = serQ[o - 1];
        }
        if (have) {
            appendSweep(bt, bv, bq);
        }

        readCount = 0;
        if (latest != NEVER && a < latest) {
            long u = a + 1;
            long limit = latest < b ? latest + 1 : b;
            for (int w = wFrom; w < wEnd && u < limit; w++) {
                if (winTo[w] <= u) {
                    continue;
                }
                if (winFrom[w] >= limit) {
                    break;
                }
                if (winFrom[w] > u) {
                    read(s, u, winFrom[w]);
                }
                u = winTo[w];
            }
            if (u < limit) {
                read(s, u, limit);
            }
        }
        int r = 0;
        while (r < readCount || (o < oEnd && serT[o] < b)) {
            if (o < oEnd && serT[o] < b && (r >= readCount || serT[o] <= rdT[r])) {
                if (r < readCount && rdT[r] == serT[o]) {
                    r++;
                }
                appendSweep(serT[o], serV[o], serQ[o]);
                o++;
            } else {
                appendSweep(rdT[r], rdV[r], rdQ[r]);
                r++;
            }
        }
    }

    /** The start of the window in [wFrom, wEnd) that contains t, or Long.MAX_VALUE when none does. */
    private long windowContaining(int wFrom, int wEnd, long t) {
        for (int w = wFrom; w < wEnd && winFrom[w] <= t; w++) {
            if (t < winTo[w]) {
                return winFrom[w];
            }
        }
        return Long.MAX_VALUE;
    }

    /** Appends the stored samples of s in [from, to) to the read pool. */
    private void read(int s, long from, long to) {
        readFrom = from;
        readTo = to;
        history.samples(g.slotTag[s], s, from, to, collector);
    }

    /** The first index in [from, to) of the series pool whose time is after t (binary search). */
    private int firstAfter(int from, int to, long t) {
        int lo = from;
        int hi = to;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (serT[mid] <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void collect(long t, double v, int q) {
        if (t < readFrom || t >= readTo || (readCount > 0 && t <= rdT[readCount - 1])) {
            return; // outside the window asked for, or not ascending: not ours to use
        }
        if (readCount == rdT.length) {
            int c = readCount * 2;
            rdT = Arrays.copyOf(rdT, c);
            rdV = Arrays.copyOf(rdV, c);
            rdQ = Arrays.copyOf(rdQ, c);
        }
        rdT[readCount] = t;
        rdV[readCount] = v;
        rdQ[readCount] = q;
        readCount++;
    }

    private void appendSweep(long t, double v, int q) {
        if (sweepCount == swT.length) {
            int c = sweepCount * 2;
            swT = Arrays.copyOf(swT, c);
            swV = Arrays.copyOf(swV, c);
            swQ = Arrays.copyOf(swQ, c);
        }
        swT[sweepCount] = t;
        swV[sweepCount] = v;
        swQ[sweepCount] = q;
        sweepCount++;
    }

    private void ensureSeries(int capacity) {
        if (capacity > serT.length) {
            int c = Math.max(capacity, serT.length * 2);
            serT = Arrays.copyOf(serT, c);
            serV = Arrays.copyOf(serV, c);
            serQ = Arrays.copyOf(serQ, c);
        }
    }

    /** Appends [from, to) to the list that starts at listStart, merging it with the list's last window. */
    private void addWindow(long from, long to) {
        if (windowCount > listStart && winTo[windowCount - 1] >= from) {
            winTo[windowCount - 1] = Math.max(winTo[windowCount - 1], to);
            return;
        }
        if (windowCount == winFrom.length) {
            int c = windowCount * 2;
            winFrom = Arrays.copyOf(winFrom, c);
            winTo = Arrays.copyOf(winTo, c);
        }
        winFrom[windowCount] = from;
        winTo[windowCount] = to;
        windowCount++;
    }

    /** Merges two sorted lists of disjoint windows into a new list at the end of the pool; returns its start. */
    private int mergeWindows(int aStart, int aLength, int bStart, int bLength) {
        listStart = windowCount;
        int i = aStart;
        int ie = aStart + aLength;
        int j = bStart;
        int je = bStart + bLength;
        while (i < ie || j < je) {
            if (j >= je || (i < ie && winFrom[i] <= winFrom[j])) {
                addWindow(winFrom[i], winTo[i]);
                i++;
            } else {
                addWindow(winFrom[j], winTo[j]);
                j++;
            }
        }
        return listStart;
    }
}
