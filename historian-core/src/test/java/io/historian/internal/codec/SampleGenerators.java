package io.historian.internal.codec;

import java.util.SplittableRandom;

/** Random sample data for the codec's property tests; every method is a pure function of the random. */
final class SampleGenerators {

    /** Doubles that break decimal scaling or sit at the edges of the format. */
    static final double[] SPECIALS = {
        Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_NORMAL,
        Double.longBitsToDouble(0x7ff0_0000_0000_0001L), // signalling NaN
        Double.longBitsToDouble(0xfff8_0000_0000_0000L), // negative quiet NaN
        Double.longBitsToDouble(0x7fff_ffff_ffff_ffffL), // NaN, all payload bits set
        Double.longBitsToDouble(0x000f_ffff_ffff_ffffL), // largest subnormal
        0x1.0p63, -0x1.0p63, 0x1.0p53 + 2, 9.223372036854776E18, 1e300, -1e-300, 0.1 + 0.2,
    };

    private static final int[] QUALITY_CODES = {
        0, 0x0096_0000, 0x4090_0000, 0x4093_0000, 0x8031_0000, 0x8089_0000, 0x808C_0000, 0xC000_0000,
    };

    private SampleGenerators() {
    }

    /** One special double, or a double with random raw bits (any NaN payload, subnormal...). */
    static double awkwardDouble(SplittableRandom r) {
        switch (r.nextInt(4)) {
            case 0:
                return SPECIALS[r.nextInt(SPECIALS.length)];
            case 1: // NaN with a random payload and sign
                return Double.longBitsToDouble(0x7ff0_0000_0000_0000L | (r.nextLong() & 0x800f_ffff_ffff_ffffL)
                        | 1L);
            case 2: // subnormal
                return Double.longBitsToDouble(r.nextLong() & 0x800f_ffff_ffff_ffffL);
            default:
                return Double.longBitsToDouble(r.nextLong());
        }
    }

    /** Arbitrary doubles: random bits, specials, runs of repeats and short decimal stretches. */
    static void arbitraryDoubles(SplittableRandom r, double[] v, int n) {
        int i = 0;
        while (i < n) {
            int run = Math.min(n - i, 1 + r.nextInt(40));
            switch (r.nextInt(4)) {
                case 0:
                    for (int j = 0; j < run; j++) {
                        v[i + j] = Double.longBitsToDouble(r.nextLong());
                    }
                    break;
                case 1:
                    for (int j = 0; j < run; j++) {
                        v[i + j] = awkwardDouble(r);
                    }
                    break;
                case 2:
                    double repeated = awkwardDouble(r);
                    for (int j = 0; j < run; j++) {
                        v[i + j] = repeated;
                    }
                    break;
                default:
                    long k = r.nextLong(-1_000_000, 1_000_000);
                    double scale = Math.pow(10, r.nextInt(7));
                    for (int j = 0; j < run; j++) {
                        k += r.nextInt(-50, 51);
                        v[i + j] = k / scale;
                    }
                    break;
            }
            i += run;
        }
    }

    /**
     * A random walk with {@code decimals} decimals (values {@code k / 10^decimals}), with about
     * {@code exceptionRate} of the values replaced by awkward doubles.
     */
    static void decimals(SplittableRandom r, double[] v, int n, int decimals, double exceptionRate) {
        double scale = Math.pow(10, decimals);
        long k = r.nextLong(-100_000_000, 100_000_000);
        int step = 1 + r.nextInt(1000);
        for (int i = 0; i < n; i++) {
            k += r.nextInt(-step, step + 1);
            v[i] = r.nextDouble() < exceptionRate ? awkwardDouble(r) : k / scale;
        }
    }

    /** Strictly increasing timestamps of a random kind: regular, jittered, gappy or extreme. */
    static void timestamps(SplittableRandom r, long[] t, int n) {
        switch (r.nextInt(6)) {
            case 0: { // regular
                long period = 1 + r.nextLong(100_000);
                long start = r.nextLong(-1L << 50, 1L << 50);
                for (int i = 0; i < n; i++) {
                    t[i] = start + i * period;
                }
                break;
            }
            case 1: { // jittered around a period
                long period = 100 + r.nextInt(10_000);
                long ts = r.nextLong(0, 1L << 45);
                for (int i = 0; i < n; i++) {
                    ts += period + r.nextLong(-period / 2, period / 2 + 1);
                    t[i] = ts;
                }
                break;
            }
            case 2: { // mostly regular with gaps
                long ts = 1_700_000_000_000L;
                for (int i = 0; i < n; i++) {
                    ts += r.nextInt(50) == 0 ? 1000L * (2 + r.nextInt(3600)) : 1000;
                    t[i] = ts;
                }
                break;
            }
            case 3: { // from Long.MIN_VALUE, gaps of every magnitude
                extremeFrom(r, t, n, Long.MIN_VALUE);
                break;
            }
            case 4: { // ending exactly at Long.MAX_VALUE
                extremeFrom(r, t, n, Long.MIN_VALUE + r.nextLong(1L << 40));
                long shift = Long.MAX_VALUE - t[n - 1];
                for (int i = 0; i < n; i++) {
                    t[i] += shift;
                }
                break;
            }
            default: { // span the whole range: first and last at the extremes
                extremeFrom(r, t, n, Long.MIN_VALUE);
                if (n > 1) {
                    t[n - 1] = Long.MAX_VALUE;
                }
                break;
            }
        }
    }

    /**
     * Increasing timestamps from {@code start} whose gaps have random magnitudes up to 2^62, so
     * intervals and their differences overflow a {@code long}; the total stays within the range.
     */
    private static void extremeFrom(SplittableRandom r, long[] t, int n, long start) {
        // Room left: Long.MAX_VALUE - start as an unsigned value, shared out so the sum never wraps.
        long room = Long.MAX_VALUE - start - n; // unsigned; the n covers the minimum gap of 1 each
        long ts = start;
        t[0] = ts;
        for (int i = 1; i < n; i++) {
            long share = Long.divideUnsigned(room, n - i);
            int bits = r.nextInt(64);
            long cap = bits == 0 ? 0 : (-1L >>> (64 - bits));
            if (Long.compareUnsigned(cap, share) > 0) {
                cap = share;
            }
            long gap = cap == 0 ? 0 : Long.remainderUnsigned(r.nextLong(), cap + 1 == 0 ? cap : cap + 1);
            room -= gap;
            ts += 1 + gap;
            t[i] = ts;
        }
    }

    /** All Good, constant non-Good, runs, or random codes. */
    static void qualities(SplittableRandom r, int[] q, int n) {
        switch (r.nextInt(4)) {
            case 0:
                java.util.Arrays.fill(q, 0, n, 0);
                break;
            case 1:
                java.util.Arrays.fill(q, 0, n, QUALITY_CODES[r.nextInt(QUALITY_CODES.length)]);
                break;
            case 2: {
                int code = 0;
                for (int i = 0; i < n; i++) {
                    if (r.nextInt(100) == 0) {
                        code = QUALITY_CODES[r.nextInt(QUALITY_CODES.length)];
                    }
                    q[i] = code;
                }
                break;
            }
            default:
                for (int i = 0; i < n; i++) {
                    q[i] = r.nextInt();
                }
                break;
        }
    }
}
