package io.historian.testing;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The standard dataset of DESIGN section 13: slowly varying analog signals, one sample per tag per
 * second, rounded to 2 decimals, all Good; plus an irregular variant for the cases the standard one
 * does not exercise.
 *
 * <pre>{@code
 * StandardDataset data = StandardDataset.standard(100, 1_000_000);
 * double[] buf = new double[4096];
 * for (int from = 0; from < data.samplesPerTag(); from += buf.length) {
 *     int n = Math.min(buf.length, data.samplesPerTag() - from);
 *     data.fillValues(42, from, buf, 0, n);        // tag 42, samples [from, from + n)
 *     long t0 = data.timestamp(from);              // T0 + from * 1000
 * }
 * }</pre>
 *
 * <h2>Standard variant</h2>
 * Tag {@code i} draws from its own {@link SplittableRandom} seeded with
 * {@code seed + i * 0x9E3779B97F4A7C15L} (SplittableRandom mixes the seed, so neighbouring tags are
 * unrelated). In this order it draws: a base level uniform in [10, 1000); a sine swing of 1..10 % of
 * the base; a period of 1..24 h; a phase in [0, 2 pi). Then for each sample {@code n} (at time
 * {@code T0 + n s}): {@code walk = 0.99995 * walk + N(0, 0.0002 * base)} (walk starts at 0),
 * {@code x = base + swing * sin(2 pi n / period + phase) + walk + N(0, 0.0003 * base)}, and the
 * value is {@code Math.round(x * 100) / 100.0}. Quality is always Good (code 0). This is the
 * generator of research/perf.md section 2.
 *
 * <h2>Irregular variant</h2>
 * <ul>
 *   <li>Timestamps are jittered: sample {@code n} of tag {@code i} is at
 *       {@code T0 + n * 1000 + j(i, n)} ms with {@code j} a hash-derived offset in [0, 200), so
 *       intervals vary between 801 and 1199 ms and stay strictly increasing. Use
 *       {@link #fillTimestamps}; {@link #timestamp(int)} is the undisturbed grid.</li>
 *   <li>Even tags are step signals: a level that holds for a geometric number of samples (mean
 *       300) and then jumps to a new level, uniform in [0, 1000) with 2
 *       decimals. Odd tags are the standard analog signal.</li>
 *   <li>Arrival is 5 % out of order: {@link #fillArrivalOrder} permutes a range of sample indices
 *       so that about 5 % of samples arrive 1 to 8 positions late. In the standard variant it is the
 *       identity.</li>
 * </ul>
 *
 * <p><b>Determinism:</b> values are generated per tag by a sequential generator. A call that
 * continues where the previous call for the same tag stopped costs O(len) and allocates nothing; a
 * call that starts elsewhere regenerates the tag from sample 0 up to the start (a backward jump
 * allocates one {@code SplittableRandom}). Either way the same range always gives the same values.
 * Timestamps and arrival orders are pure functions of (seed, tag, sample index).
 *
 * <p><b>Thread safety:</b> not thread-safe (the per-tag generators hold state); use one instance
 * per thread, or one per tag range.
 */
public final class StandardDataset {

    /** The first timestamp, 2023-11-14T22:13:20Z, in epoch milliseconds. */
    public static final long T0 = 1_700_000_000_000L;
    /** The sample period in milliseconds. */
    public static final long PERIOD_MS = 1000;
    /** The base seed of the published dataset. */
    public static final long DEFAULT_SEED = 42;
    /** Quality code of every sample: OPC UA Good. */
    public static final int QUALITY_GOOD = 0;
    static final int STEP_MEAN_HOLD = 300;
    private static final long JITTER_MS = 200;
    private static final double OUT_OF_ORDER_FRACTION = 0.05;
    private static final int MAX_LATENESS = 8;

    private final int tags;
    private final int samplesPerTag;
    private final long seed;
    private final boolean irregular;
    private final TagGenerator[] generators;

    /** The standard variant. */
    public StandardDataset(int tags, int samplesPerTag, long seed) {
        this(tags, samplesPerTag, seed, false);
    }

    private StandardDataset(int tags, int samplesPerTag, long seed, boolean irregular) {
        if (tags < 1 || tags > 1_000_000) {
            throw new IllegalArgumentException("tags out of range [tags=" + tags + ", range=1..1000000]");
        }
        if (samplesPerTag < 1) {
            throw new IllegalArgumentException("samplesPerTag must be positive [samplesPerTag=" + samplesPerTag + "]");
        }
        this.tags = tags;
        this.samplesPerTag = samplesPerTag;
        this.seed = seed;
        this.irregular = irregular;
        this.generators = new TagGenerator[tags];
        for (int i = 0; i < tags; i++) {
            generators[i] = new TagGenerator(tagSeed(i), irregular && i % 2 == 0);
        }
    }

    /** The standard variant with the published seed (42). */
    public static StandardDataset standard(int tags, int samplesPerTag) {
        return new StandardDataset(tags, samplesPerTag, DEFAULT_SEED);
    }

    /** The irregular variant: jittered timestamps, step signals on even tags, 5 % late arrivals. */
    public static StandardDataset irregular(int tags, int samplesPerTag, long seed) {
        return new StandardDataset(tags, samplesPerTag, seed, true);
    }

    public int tags() {
        return tags;
    }

    public int samplesPerTag() {
        return samplesPerTag;
    }

    public long seed() {
        return seed;
    }

    public boolean isIrregular() {
        return irregular;
    }

    /** {@code std.tag042} style: three digits at least. */
    public String tagName(int tag) {
        checkTag(tag);
        return String.format("std.tag%03d", tag);
    }

    /** The grid time of a sample: {@code T0 + sampleIndex * 1000}; exact for the standard variant. */
    public long timestamp(int sampleIndex) {
        return T0 + sampleIndex * PERIOD_MS;
    }

    /** Writes the timestamps of samples {@code [from, from + len)} of a tag to {@code dst[off..]}. */
    public void fillTimestamps(int tag, int from, long[] dst, int off, int len) {
        checkRange(tag, from, dst.length, off, len);
        if (!irregular) {
            for (int i = 0; i < len; i++) {
                dst[off + i] = timestamp(from + i);
            }
            return;
        }
        long tagKey = tagSeed(tag) ^ 0x5DEECE66DL;
        for (int i = 0; i < len; i++) {
            int n = from + i;
            dst[off + i] = timestamp(n) + Long.remainderUnsigned(mix(tagKey + n), JITTER_MS);
        }
    }

    /**
     * Writes the values of samples {@code [from, from + len)} of a tag to {@code dst[off..]}. See
     * the class comment for the cost of non-sequential calls.
     */
    public void fillValues(int tag, int from, double[] dst, int off, int len) {
        checkRange(tag, from, dst.length, off, len);
        TagGenerator g = generators[tag];
        if (g.next != from) {
            if (g.next > from) {
                g.restart();
            }
            g.skip(from - g.next);
        }
        g.fill(dst, off, len);
    }

    /**
     * Writes the sample indices {@code [from, from + len)} to {@code dst[off..]} in the order they
     * arrive. Standard variant: in order. Irregular variant: about 5 % of the samples arrive 1 to 8
     * positions late (never later than the end of the range).
     */
    public void fillArrivalOrder(int tag, int from, int[] dst, int off, int len) {
        checkRange(tag, from, dst.length, off, len);
        for (int i = 0; i < len; i++) {
            dst[off + i] = from + i;
        }
        if (!irregular) {
            return;
        }
        long key = tagSeed(tag) ^ 0x2545F4914F6CDD1DL;
        for (int i = len - 2; i >= 0; i--) {
            long h = mix(key + from + i);
            if ((h >>> 11) * 0x1.0p-53 >= OUT_OF_ORDER_FRACTION) {
                continue;
            }
            int lateness = 1 + (int) ((h & 0xFF) % MAX_LATENESS);
            int target = Math.min(i + lateness, len - 1);
            int late = dst[off + i];
            System.arraycopy(dst, off + i + 1, dst, off + i, target - i);
            dst[off + target] = late;
        }
    }

    private long tagSeed(int tag) {
        return seed + tag * 0x9E3779B97F4A7C15L;
    }

    private void checkTag(int tag) {
        if (tag < 0 || tag >= tags) {
            throw new IllegalArgumentException("tag out of range [tag=" + tag + ", tags=" + tags + "]");
        }
    }

    private void checkRange(int tag, int from, int dstLength, int off, int len) {
        checkTag(tag);
        Objects.checkFromIndexSize(off, len, dstLength);
        if (from < 0 || len < 0 || from > samplesPerTag - len) {
            throw new IllegalArgumentException("sample range out of bounds [from=" + from + ", len=" + len
                    + ", samplesPerTag=" + samplesPerTag + "]");
        }
    }

    /** SplitMix64's finalizer: a stateless hash for the position-keyed parts of the dataset. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** One tag's sequential generator; {@code next} is the index of the sample it produces next. */
    private static final class TagGenerator {
        private final long seed;
        private final boolean step;
        private SplittableRandom random;
        private double base;
        private double swing;
        private double omega;
        private double phase;
        private double walk;
        private double level;
        private int next;

        TagGenerator(long seed, boolean step) {
            this.seed = seed;
            this.step = step;
            restart();
        }

        void restart() {
            random = new SplittableRandom(seed);
            base = 10 + 990 * random.nextDouble();
            swing = base * (0.01 + 0.09 * random.nextDouble());
            double periodSeconds = 3600 * (1 + 23 * random.nextDouble());
            omega = 2 * Math.PI / periodSeconds;
            phase = 2 * Math.PI * random.nextDouble();
            walk = 0;
            // Only step tags draw a level, so analog tags follow the published sequence exactly.
            level = step ? Math.round(random.nextDouble() * 100_000) / 100.0 : 0;
            next = 0;
        }

        void skip(int n) {
            for (int i = 0; i < n; i++) {
                nextValue();
            }
        }

        void fill(double[] dst, int off, int len) {
            for (int i = 0; i < len; i++) {
                dst[off + i] = nextValue();
            }
        }

        private double nextValue() {
            int n = next++;
            if (step) {
                if (random.nextInt(STEP_MEAN_HOLD) == 0) {
                    level = Math.round(random.nextDouble() * 100_000) / 100.0;
                }
                return level;
            }
            walk = 0.99995 * walk + random.nextGaussian() * (0.0002 * base);
            double x = base + swing * Math.sin(omega * n + phase) + walk + random.nextGaussian() * (0.0003 * base);
            return Math.round(x * 100) / 100.0;
        }
    }
}
