package io.historian.bench;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.testing.IrregularDataset;
import io.historian.testing.StandardDataset;

/**
 * Standard-dataset samples, pre-generated once, handed out in live order (each second, one sample
 * per tag) for as long as a benchmark runs.
 *
 * <pre>{@code
 * LiveFeed feed = LiveFeed.generate("", 100, 100_000);   // 10M values, 80 MB
 * feed.fill(batch, 10_000);                               // the next 100 seconds of 100 tags
 * historian.write(batch);
 * }</pre>
 *
 * <p>The values of {@code tags x seconds} samples are generated up front so no benchmark times the
 * generator. When the feed has handed out all of them it starts over with the same values at later
 * timestamps: time only ever advances, so a historian sees steady-state ingest, never duplicates.
 * Once per pass a tag's value jumps back to its first value; one step in {@code seconds} costs the
 * codec nothing measurable.
 *
 * <p>{@link #generate(String, IrregularDataset)} makes a feed of the irregular dataset (or of the
 * standard one with late samples): the samples are kept in arrival order with their tag and
 * timestamp, 20 bytes each, and each later pass shifts every timestamp by the dataset's span.
 *
 * <p><b>Thread safety:</b> not thread-safe; one feed per writer thread. Feeds with different
 * prefixes have disjoint tags, so threads never write the same (tag, timestamp).
 */
final class LiveFeed {
    private final String[] names;
    /** Live order: the value of tag {@code t} at second {@code s} is at {@code s * tags + t}. */
    private final double[] values;
    private final int tags;
    private int next;
    private int tag;
    private long epochMillis = StandardDataset.T0;
    private long handedOut;
    /** Arrival-order feeds only: each sample's tag and timestamp (first pass); null for live order. */
    private final int[] tagColumn;
    private final long[] tsColumn;
    private final long passSpanMillis;
    private long passShiftMillis;

    private LiveFeed(String[] names, double[] values) {
        this(names, values, null, null, 0);
    }

    private LiveFeed(String[] names, double[] values, int[] tagColumn, long[] tsColumn, long passSpanMillis) {
        this.names = names;
        this.values = values;
        this.tags = names.length;
        this.tagColumn = tagColumn;
        this.tsColumn = tsColumn;
        this.passSpanMillis = passSpanMillis;
    }

    /**
     * Pre-generates every sample of {@code data} in its arrival order; tag names are
     * {@code prefix + "std.tag042"}.
     */
    static LiveFeed generate(String prefix, IrregularDataset data) {
        if (data.size() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("feed too large [tags=" + data.tags() + ", samplesPerTag="
                    + data.samplesPerTag() + "]");
        }
        int size = (int) data.size();
        String[] names = new String[data.tags()];
        for (int t = 0; t < names.length; t++) {
            names[t] = (prefix + data.tagName(t)).intern();
        }
        int[] tagColumn = new int[size];
        long[] tsColumn = new long[size];
        double[] values = new double[size];
        IrregularDataset.Stream stream = data.stream();
        int at = 0;
        for (int n; (n = stream.next(tagColumn, tsColumn, values, at, Math.min(1 << 16, size - at))) > 0; ) {
            at += n;
        }
        // Jitter stays under one period, so a pass shifted by samplesPerTag periods starts after the last one.
        return new LiveFeed(names, values, tagColumn, tsColumn, data.samplesPerTag() * StandardDataset.PERIOD_MS);
    }

    /**
     * Generates {@code tags x seconds} standard-dataset values (seed 42); tag names are
     * {@code prefix + "std.tag042"}.
     */
    static LiveFeed generate(String prefix, int tags, int seconds) {
        long total = (long) tags * seconds;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("feed too large [tags=" + tags + ", seconds=" + seconds + "]");
        }
        StandardDataset data = StandardDataset.standard(tags, seconds);
        String[] names = new String[tags];
        double[] values = new double[(int) total];
        double[] column = new double[seconds];
        for (int t = 0; t < tags; t++) {
            names[t] = (prefix + data.tagName(t)).intern();
            data.fillValues(t, 0, column, 0, seconds);
            for (int s = 0; s < seconds; s++) {
                values[s * tags + t] = column[s];
            }
        }
        return new LiveFeed(names, values);
    }

    /** Clears the batch and adds the next {@code n} samples to it. */
    void fill(SampleBatch batch, int n) {
        batch.clear();
        if (tagColumn != null) {
            for (int i = 0; i < n; i++) {
                batch.add(names[tagColumn[next]], tsColumn[next] + passShiftMillis, values[next], Quality.GOOD);
                advanceInArrivalOrder();
            }
            handedOut += n;
            return;
        }
        for (int i = 0; i < n; i++) {
            batch.add(names[tag], epochMillis, values[next], Quality.GOOD);
            advance();
        }
        handedOut += n;
    }

    /** Writes the next sample through the single-sample API. */
    void writeNext(Historian historian) {
        if (tagColumn != null) {
            historian.write(names[tagColumn[next]], tsColumn[next] + passShiftMillis, values[next], Quality.GOOD);
            advanceInArrivalOrder();
            handedOut++;
            return;
        }
        historian.write(names[tag], epochMillis, values[next], Quality.GOOD);
        advance();
        handedOut++;
    }

    private void advanceInArrivalOrder() {
        if (++next == values.length) {
            next = 0;
            passShiftMillis += passSpanMillis;
        }
    }

    private void advance() {
        next++;
        if (++tag == tags) {
            tag = 0;
            epochMillis += StandardDataset.PERIOD_MS;
            if (next == values.length) {
                next = 0;
            }
        }
    }

    int tags() {
        return tags;
    }

    /** The name of tag {@code t}, prefix included. */
    String tagName(int t) {
        return names[t];
    }

    /** Samples handed out so far. */
    long handedOut() {
        return handedOut;
    }
}
