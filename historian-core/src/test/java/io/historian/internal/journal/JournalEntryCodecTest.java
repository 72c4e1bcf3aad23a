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

    @Test
    void encode_writesTheDocumentedBytes() {
        JournalEntryCodec codec = new JournalEntryCodec();
        int[] ids = {7, 300, 7, 1, 2_000_000_000, 5};
        long[] ts = {1000, 990, 2000, 2000, Long.MIN_VALUE, Long.MAX_VALUE};
        double[] vs = {1.5, Double.NaN, -0.0, 0.001, 123456.78, -2.5e-7};
        int[] qs = {0, 0x40, 0x40, 0, 0, 0x80000000};
        int len = codec.encode(ids, ts, vs, qs, 0, ids.length);
        // Written by the encoder of the first journals: entries on disk look like this.
        String expected = "01" + "06" + "e803000000000000"
                + "07" + "00" + "02" + "ac02"
                + "ac02" + "13" + "0f" + "40000000" + "000000000000f87f"
                + "07" + "e40f" + "07" + "0000000000000080"
                + "01" + "00" + "0b" + "00000000" + "02"
                + "80a8d6b907" + "e0e0ffffffffffffff01" + "03" + "98b4de75"
                + "05" + "01" + "0f" + "00000080" + "8dedb5a0f7c690be";
        assertEquals(expected, java.util.HexFormat.of().formatHex(codec.buffer(), 0, len));
    }

    @RepeatedTest(50)
    void encode_matchesAByteAtATimeEncoderOfTheFormat() {
        SplittableRandom r = new SplittableRandom(seed("JournalEntryCodecTest.matchesReference"));
        JournalEntryCodec codec = new JournalEntryCodec();
        ReferenceEncoder reference = new ReferenceEncoder();
        // Several entries through one codec: the scale tried first carries over from entry to entry.
        for (int entry = 0; entry < 4; entry++) {
            int n = 1 + r.nextInt(r.nextBoolean() ? 30 : 20_000);
            int offset = r.nextInt(3);
            int[] ids = new int[offset + n];
            long[] ts = new long[offset + n];
            double[] vs = new double[offset + n];
            int[] qs = new int[offset + n];
            long t = r.nextLong();
            for (int i = 0; i < offset + n; i++) {
                ids[i] = switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(128);
                    case 1 -> r.nextInt(1 << 14);
                    case 2 -> r.nextInt(1 << 21);
                    default -> r.nextInt(Integer.MAX_VALUE);
                };
                t += switch (r.nextInt(6)) {
                    case 0 -> 0;
                    case 1 -> r.nextInt(2000) - 1000;
                    case 2 -> r.nextLong();
                    case 3 -> r.nextLong(1L << (7 * (1 + r.nextInt(8))));
                    case 4 -> -r.nextLong(1L << (7 * (1 + r.nextInt(8))));
                    default -> 1000;
                };
                ts[i] = t;
                vs[i] = switch (r.nextInt(8)) {
                    case 0 -> Double.longBitsToDouble(r.nextLong());
                    case 1 -> Math.round(r.nextDouble(-1e6, 1e6) * 100) / 100.0;
                    case 2 -> new double[] {Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                        Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 0x1p63, -0x1p63, 0x1p52 + 0.5,
                        -0x1p51 - 0.25, 9.223372036854775E12, 0.5, -0.5, 2.5, 0.025, -0.125,
                        // Halves once scaled, beyond 2^50 where rounding half up and half even part.
                        (0x1p51 + 1.5) / 10, (0x1p50 + 0.5) / 100, -(0x1p51 + 0.5), 0x1p50 + 2.5}[r.nextInt(22)];
                    case 3 -> r.nextInt(1000);
                    // Mantissas of every varint length, with each number of decimals.
                    case 4 -> r.nextLong(-(1L << (7 * (1 + r.nextInt(8)))), 1L << (7 * (1 + r.nextInt(8))))
                            / Math.pow(10, r.nextInt(7));
                    case 5 -> Math.round(r.nextDouble() * 1e6) / 1e6;
                    case 6 -> Math.round(r.nextDouble(-1e3, 1e3) * 10) / 10.0;
                    default -> r.nextDouble() * 1e300;
                };
                qs[i] = switch (r.nextInt(4)) {
                    case 0 -> r.nextInt();
                    case 1 -> 0x40;
                    default -> 0;
                };
            }
            int len = codec.encode(ids, ts, vs, qs, offset, n);
            byte[] expected = reference.encode(ids, ts, vs, qs, offset, n);
            assertArrayEquals(expected, java.util.Arrays.copyOf(codec.buffer(), len), "entry " + entry);
        }
    }

    /** The format written one byte at a time, straight from the grammar in the codec's Javadoc. */
    private static final class ReferenceEncoder {
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        /** The encoder tries the scale that fitted last first (2 at the start), then 0 to 6. */
        private int lastScale = 2;

        byte[] encode(int[] ids, long[] ts, double[] vs, int[] qs, int offset, int n) {
            out.reset();
            out.write(JournalEntryCodec.FORMAT);
            varint(n);
            fixed(ts[offset], 8);
            long prevTs = ts[offset];
            int prevQuality = 0;
            for (int i = offset; i < offset + n; i++) {
                varint(ids[i]);
                long delta = ts[i] - prevTs;
                prevTs = ts[i];
                varint((delta << 1) ^ (delta >> 63));
                int kind = 7;
                long mantissa = 0;
                if (fits(vs[i], lastScale)) {
                    kind = lastScale;
                } else {
                    for (int s = 0; s <= 6; s++) {
                        if (fits(vs[i], s)) {
                            kind = s;
                            lastScale = s;
                            break;
                        }
                    }
                }
                if (kind != 7) {
                    mantissa = Math.round(vs[i] * Math.pow(10, kind));
                }
                boolean qualityChanges = qs[i] != prevQuality;
                out.write(kind | (qualityChanges ? 0x08 : 0));
                if (qualityChanges) {
                    fixed(qs[i], 4);
                    prevQuality = qs[i];
                }
                if (kind == 7) {
                    fixed(Double.doubleToRawLongBits(vs[i]), 8);
                } else {
                    varint((mantissa << 1) ^ (mantissa >> 63));
                }
            }
            return out.toByteArray();
        }

        private static boolean fits(double v, int scale) {
            double pow = Math.pow(10, scale);
            return Double.doubleToRawLongBits(Math.round(v * pow) / pow) == Double.doubleToRawLongBits(v);
        }

        private void varint(long v) {
            while (Long.compareUnsigned(v, 0x80) >= 0) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }

        private void fixed(long v, int bytes) {
            for (int i = 0; i < bytes; i++) {
                out.write((int) (v >>> (8 * i)) & 0xFF);
            }
        }
    }
}
