package io.historian.internal.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Seeded-random round trips of journal entries; the seed is printed and replayable. */
class JournalEntryCodecTest {
    private static final SplittableRandom FRESH = new SplittableRandom();

    static long seed(String test) {
        String fixed = System.getProperty("historian.seed");
        long seed = fixed != null && !fixed.isBlank() ? Long.decode(fixed.trim()) : FRESH.split().nextLong();
        System.out.println(test + ": seed=" + seed + " (replay with -Dhistorian.seed=" + seed + ")");
        return seed;
    }

    @RepeatedTest(50)
    void roundTrip_isBitExact_forArbitrarySamples() throws Exception {
        SplittableRandom r = new SplittableRandom(seed("JournalEntryCodecTest.roundTrip"));
        int n = 1 + r.nextInt(r.nextBoolean() ? 20 : JournalEntryCodec.MAX_SAMPLES);
        int[] ids = new int[n];
        long[] ts = new long[n];
        double[] vs = new double[n];
        int[] qs = new int[n];
        long t = r.nextLong();
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(r.nextBoolean() ? 100 : 1_000_000);
            t += switch (r.nextInt(4)) {
                case 0 -> 0;
                case 1 -> r.nextInt(2000) - 500;
                case 2 -> r.nextLong();
                default -> 1000;
            };
            ts[i] = t;
            vs[i] = switch (r.nextInt(6)) {
                case 0 -> Double.longBitsToDouble(r.nextLong());
                case 1 -> Math.round(r.nextDouble(-1e6, 1e6) * 100) / 100.0;
                case 2 -> new double[] {Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                    Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 0x1p63, -0x1p63}[r.nextInt(10)];
                case 3 -> r.nextInt(1000);
                case 4 -> Math.round(r.nextDouble() * 1e6) / 1e6;
                default -> r.nextDouble() * 1e300;
            };
            qs[i] = r.nextInt(4) == 0 ? r.nextInt() : 0;
        }
        JournalEntryCodec codec = new JournalEntryCodec();
        int len = codec.encode(ids, ts, vs, qs, 0, n);
        byte[] bytes = java.util.Arrays.copyOf(codec.buffer(), len);
        int[] ids2 = new int[JournalEntryCodec.MAX_SAMPLES];
        long[] ts2 = new long[JournalEntryCodec.MAX_SAMPLES];
        double[] vs2 = new double[JournalEntryCodec.MAX_SAMPLES];
        int[] qs2 = new int[JournalEntryCodec.MAX_SAMPLES];
        assertEquals(n, JournalEntryCodec.decode(bytes, 0, len, 1_000_000, ids2, ts2, vs2, qs2));
        assertArrayEquals(ids, java.util.Arrays.copyOf(ids2, n));
        assertArrayEquals(ts, java.util.Arrays.copyOf(ts2, n));
        assertArrayEquals(qs, java.util.Arrays.copyOf(qs2, n));
        for (int i = 0; i < n; i++) {
            assertEquals(Double.doubleToRawLongBits(vs[i]), Double.doubleToRawLongBits(vs2[i]), "value " + i);
        }
    }

    @Test
    void twoDecimalAnalogData_takesAboutSixBytesPerSample() {
        int n = 10_000;
        int[] ids = new int[n];
        long[] ts = new long[n];
        double[] vs = new double[n];
        int[] qs = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i % 100;
            ts[i] = 1_700_000_000_000L + (i / 100) * 1000L;
            vs[i] = Math.round((500 + Math.sin(i / 1000.0) * 50) * 100) / 100.0;
        }
        JournalEntryCodec codec = new JournalEntryCodec();
        double perSample = (double) codec.encode(ids, ts, vs, qs, 0, n) / n;
        System.out.printf("journal entry: %.2f bytes/sample%n", perSample);
        assertEquals(6.0, perSample, 1.0);
    }

    @Test
    void decode_rejectsUnknownTagIdsTruncationAndTrailingBytes() {
        JournalEntryCodec codec = new JournalEntryCodec();
        int len = codec.encode(new int[] {7}, new long[] {1}, new double[] {1.5}, new int[] {0}, 0, 1);
        byte[] bytes = java.util.Arrays.copyOf(codec.buffer(), len + 1);
        int[] i = new int[1];
        long[] t = new long[1];
        double[] v = new double[1];
        int[] q = new int[1];
        assertThrows(CorruptEntryException.class, () -> JournalEntryCodec.decode(bytes, 0, len, 7, i, t, v, q));
        assertThrows(CorruptEntryException.class, () -> JournalEntryCodec.decode(bytes, 0, len - 1, 8, i, t, v, q));
        assertThrows(CorruptEntryException.class, () -> JournalEntryCodec.decode(bytes, 0, len + 1, 8, i, t, v, q));
        assertThrows(CorruptEntryException.class, () -> JournalEntryCodec.decode(new byte[0], 0, 0, 8, i, t, v, q));
    }
}
