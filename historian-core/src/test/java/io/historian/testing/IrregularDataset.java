package io.historian.testing;

import java.util.Arrays;
import java.util.Objects;

/**
 * The second benchmark dataset: irregular timestamps, step signals and late samples, as one stream
 * over all tags in the order the samples arrive.
 *
 * <pre>{@code
 * IrregularDataset data = IrregularDataset.of(100, 1_000_000, 42);     // 5 % late
 * IrregularDataset.Stream stream = data.stream();
 * int[] tag = new int[10_000]; long[] ts = new long[10_000]; double[] v = new double[10_000];
 * for (int n; (n = stream.next(tag, ts, v, 0, tag.length)) > 0; ) {
 *     // samples in arrival order: tag[i] (an index; data.tagName(tag[i])), ts[i], v[i]
 * }
 * }</pre>
 *
 * <p><b>Samples.</b> Per tag, timestamps and values are those of
 * {@link StandardDataset#irregular(int, int, long)} with the same seed: timestamps on a 1 s grid
 * jittered by 0 to 199 ms (intervals of 801 to 1,199 ms), even tags step signals (a level holding
 * for a geometric number of samples, mean 300, then jumping), odd tags the standard 2-decimal
 * analog signal. All Good.
 *
 * <p><b>Arrival.</b> Round {@code r} is every tag's sample {@code r}, tags in index order, as a
 * live source delivers one scan. A sample is late with probability {@code lateFraction} (decided
 * by a hash of seed, tag and round, so the same positions are late in every run): it is held back
 * 1 to 8 rounds (never beyond the last round) and arrives at the end of the round it is held to,
 * after that round's on-time samples, in the order it was held. A late sample therefore arrives
 * after a later sample of its own tag: out of order for a historian. With {@code lateFraction} 0 the
 * stream is the live order of the standard benchmarks.
 *
 * <p><b>Determinism:</b> a stream always yields the same samples in the same order for the same
 * (tags, samplesPerTag, seed, lateFraction). Memory: a block of up to 1,024 rounds of every tag
 * (capped at about 1M samples) plus the held samples.
 *
 * <p><b>Thread safety:</b> a dataset is immutable; each {@link Stream} belongs to one thread.
 */
public final class IrregularDataset {
    /** The published fraction of late samples: 5 %. */
    public static final double DEFAULT_LATE_FRACTION = 0.05;
    /** A late sample arrives at most this many rounds after its own. */
    public static final int MAX_LATE_ROUNDS = 8;

    private final int tags;
    private final int samplesPerTag;
    private final long seed;
    private final double lateFraction;
    /** False: the standard variant's samples (1 s grid, analog), with the same arrival rule. */
    private final boolean irregularSamples;

    private IrregularDataset(int tags, int samplesPerTag, long seed, double lateFraction, boolean irregularSamples) {
        if (!(lateFraction >= 0 && lateFraction <= 1)) {
            throw new IllegalArgumentException("lateFraction out of range [lateFraction=" + lateFraction
                    + ", range=0..1]");
        }
        // StandardDataset checks tags and samplesPerTag and names the bad one.
        StandardDataset.irregular(tags, samplesPerTag, seed);
        this.tags = tags;
        this.samplesPerTag = samplesPerTag;
        this.seed = seed;
        this.lateFraction = lateFraction;
        this.irregularSamples = irregularSamples;
    }

    /** The published dataset: 5 % of samples late. */
    public static IrregularDataset of(int tags, int samplesPerTag, long seed) {
        return new IrregularDataset(tags, samplesPerTag, seed, DEFAULT_LATE_FRACTION, true);
    }

    /** The dataset with another fraction of late samples (0 to 1). */
    public static IrregularDataset of(int tags, int samplesPerTag, long seed, double lateFraction) {
        return new IrregularDataset(tags, samplesPerTag, seed, lateFraction, true);
    }

    /**
     * The standard dataset's samples ({@link StandardDataset#standard}: 1 s grid, analog, seed 42)
     * arriving by this class's rule with {@code lateFraction} of them late: out-of-order arrival
     * without the irregular timestamps and step signals, for benchmarks that vary only that.
     */
    public static IrregularDataset standardArrivingLate(int tags, int samplesPerTag, double lateFraction) {
        return new IrregularDataset(tags, samplesPerTag, StandardDataset.DEFAULT_SEED, lateFraction, false);
    }

    /** True for the irregular samples, false for {@link #standardArrivingLate}. */
    public boolean hasIrregularSamples() {
        return irregularSamples;
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

    public double lateFraction() {
        return lateFraction;
    }

    /** Every sample of every tag: {@code tags x samplesPerTag}. */
    public long size() {
        return (long) tags * samplesPerTag;
    }

    /** {@code std.tag042} style, as {@link StandardDataset#tagName(int)}. */
    public String tagName(int tag) {
        if (tag < 0 || tag >= tags) {
            throw new IllegalArgumentException("tag out of range [tag=" + tag + ", tags=" + tags + "]");
        }
        return String.format("std.tag%03d", tag);
    }

    /** A new pass over the whole dataset from the first sample. */
    public Stream stream() {
        return new Stream();
    }

    /** Whether sample {@code round} of {@code tag} arrives late, and by how many rounds (0 if on time). */
    int lateness(int tag, int round) {
        if (lateFraction == 0) {
            return 0;
        }
        long h = mix(seed * 0x632BE59BD9B4E019L + tag * 0x9E3779B97F4A7C15L + round);
        if ((h >>> 11) * 0x1.0p-53 >= lateFraction) {
            return 0;
        }
        return 1 + (int) ((h & 0xFF) % MAX_LATE_ROUNDS);
    }

    /** SplitMix64's finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * One pass over the dataset in arrival order. Generates a block of rounds at a time per tag and
     * keeps held samples in one queue per target round (a ring of {@code MAX_LATE_ROUNDS + 1}).
     */
    public final class Stream {
        private final StandardDataset source = irregularSamples ? StandardDataset.irregular(tags, samplesPerTag, seed)
                : new StandardDataset(tags, samplesPerTag, seed);
        private final int blockRounds = Math.max(1, Math.min(1024, (1 << 20) / tags));
        private final long[][] blockTs = new long[tags][blockRounds];
        private final double[][] blockValues = new double[tags][blockRounds];
        private final Held[] held = new Held[MAX_LATE_ROUNDS + 1];
        private int blockStart = -blockRounds;
        private int round;
        /** Next tag of the current round's on-time part; {@code tags} once it is done. */
        private int tag;
        /** Next position in the current round's held queue. */
        private int heldNext;
        private long delivered;

        private Stream() {
            for (int i = 0; i < held.length; i++) {
                held[i] = new Held();
            }
        }

        /** Samples handed out so far. */
        public long delivered() {
            return delivered;
        }

        /**
         * Writes up to {@code len} next samples to the arrays from {@code off}; returns how many (0
         * at the end of the dataset).
         */
        public int next(int[] tagOut, long[] tsOut, double[] valueOut, int off, int len) {
            Objects.checkFromIndexSize(off, len, tagOut.length);
            Objects.checkFromIndexSize(off, len, tsOut.length);
            Objects.checkFromIndexSize(off, len, valueOut.length);
            int n = 0;
            while (n < len && round < samplesPerTag) {
                if (round >= blockStart + blockRounds) {
                    loadBlock(round);
                }
                int i = round - blockStart;
                if (tag < tags) {
                    int t = tag++;
                    int late = lateness(t, round);
                    if (late == 0) {
                        tagOut[off + n] = t;
                        tsOut[off + n] = blockTs[t][i];
                        valueOut[off + n] = blockValues[t][i];
                        n++;
                    } else {
                        int target = Math.min(round + late, samplesPerTag - 1);
                        held[target % held.length].add(t, blockTs[t][i], blockValues[t][i]);
                    }
                    continue;
                }
                Held q = held[round % held.length];
                if (heldNext < q.size) {
                    tagOut[off + n] = q.tags[heldNext];
                    tsOut[off + n] = q.ts[heldNext];
                    valueOut[off + n] = q.values[heldNext];
                    heldNext++;
                    n++;
                    continue;
                }
                q.size = 0;
                heldNext = 0;
                tag = 0;
                round++;
            }
            delivered += n;
            return n;
        }

        private void loadBlock(int from) {
            blockStart = from;
            int len = Math.min(blockRounds, samplesPerTag - from);
            for (int t = 0; t < tags; t++) {
                source.fillTimestamps(t, from, blockTs[t], 0, len);
                source.fillValues(t, from, blockValues[t], 0, len);
            }
        }
    }

    /** The samples held back to one round, in the order they were held. */
    private static final class Held {
        int[] tags = new int[16];
        long[] ts = new long[16];
        double[] values = new double[16];
        int size;

        void add(int tag, long timestamp, double value) {
            if (size == tags.length) {
                tags = Arrays.copyOf(tags, size * 2);
                ts = Arrays.copyOf(ts, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            tags[size] = tag;
            ts[size] = timestamp;
            values[size] = value;
            size++;
        }
    }
}
