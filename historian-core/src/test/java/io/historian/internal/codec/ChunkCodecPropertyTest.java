package io.historian.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.historian.Quality;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded-random properties of {@link ChunkCodec}: bit-exact round trips, headers equal to a naive
 * computation, and corruption always detected. Each test prints its seed; replay one with
 * {@code -Dhistorian.seed=<seed>}.
 */
class ChunkCodecPropertyTest {

    private static final int[] SIZES = {1, 2, 3, 127, 128, 129, 4096, 100_000};
    private static final long SENTINEL_TIMESTAMP = 0x5EED_5EED_5EED_5EEDL;
    private static final double SENTINEL_VALUE = Double.longBitsToDouble(0x7ff4_5EED_0000_5EEDL);
    private static final int SENTINEL_QUALITY = 0x5EED_5EED;

    private final ChunkCodec codec = new ChunkCodec();

    static IntStream sizes() {
        return IntStream.of(SIZES);
    }

    @ParameterizedTest(name = "count={0}")
    @MethodSource("sizes")
    void roundTrip_arbitraryDoubles_isBitExact(int count) {
        long seed = Seeds.next("roundTrip_arbitraryDoubles_isBitExact[count=" + count + "]");
        SplittableRandom r = new SplittableRandom(seed);
        Samples s = new Samples(count);
        for (int round = 0; round < roundsFor(count); round++) {
            SampleGenerators.timestamps(r, s.t, count);
            SampleGenerators.arbitraryDoubles(r, s.v, count);
            SampleGenerators.qualities(r, s.q, count);
            assertRoundTrip(s, count, seed);
        }
    }

    @ParameterizedTest(name = "count={0}")
    @MethodSource("sizes")
    void roundTrip_decimalsWithFewExceptions_isBitExactAndCompact(int count) {
        long seed = Seeds.next("roundTrip_decimalsWithFewExceptions_isBitExactAndCompact[count=" + count + "]");
        SplittableRandom r = new SplittableRandom(seed);
        Samples s = new Samples(count);
        for (int decimals = 0; decimals <= 6; decimals++) {
            for (int round = 0; round < Math.max(1, roundsFor(count) / 4); round++) {
                SampleGenerators.timestamps(r, s.t, count);
                SampleGenerators.decimals(r, s.v, count, decimals, r.nextInt(3) * 0.005);
                SampleGenerators.qualities(r, s.q, count);
                byte[] chunk = assertRoundTrip(s, count, seed);
                if (count >= 4096) {
                    // The walk's steps are at most 1000 units of the last decimal (11 bits) and
                    // exceptions at most 1 %; only scaling, not XOR, stays this small.
                    double valueBytes = valueBytesPerSample(chunk, s, count);
                    assertTrue(valueBytes < 4.0, "decimal data was not scaled [seed=" + seed + ", decimals="
                            + decimals + ", bytesPerSample=" + valueBytes + "]");
                }
            }
        }
    }

    @ParameterizedTest(name = "count={0}")
    @MethodSource("sizes")
    void roundTrip_irregularAndExtremeTimestamps_isExact(int count) {
        long seed = Seeds.next("roundTrip_irregularAndExtremeTimestamps_isExact[count=" + count + "]");
        SplittableRandom r = new SplittableRandom(seed);
        Samples s = new Samples(count);
        for (int round = 0; round < roundsFor(count) * 2; round++) {
            SampleGenerators.timestamps(r, s.t, count);
            SampleGenerators.decimals(r, s.v, count, 2, 0);
            Arrays.fill(s.q, 0, count, 0);
            assertRoundTrip(s, count, seed);
        }
    }

    @Test
    void roundTrip_timestampsAtBothEndsOfTheRange_isExact() throws CorruptChunkException {
        long[][] cases = {
            {Long.MIN_VALUE, Long.MAX_VALUE},
            {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE},
            {Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1, Long.MAX_VALUE},
            {Long.MIN_VALUE, 0, Long.MAX_VALUE},
            {-1, 0, 1, Long.MAX_VALUE},
            {Long.MAX_VALUE - 2, Long.MAX_VALUE - 1, Long.MAX_VALUE},
        };
        for (long[] t : cases) {
            int n = t.length;
            double[] v = new double[n];
            int[] q = new int[n];
            byte[] chunk = codec.encode(t, v, q, n);
            long[] t2 = new long[n];
            codec.decode(chunk, t2, new double[n], new int[n]);
            assertTrue(Arrays.equals(t, t2), Arrays.toString(t) + " came back as " + Arrays.toString(t2));
        }
    }

    @Test
    void roundTrip_evenlySpacedTimestamps_areExactAcrossBlocksAndTheWholeRange() throws CorruptChunkException {
        for (int n : new int[] {2, 3, 127, 128, 129, 255, 256, 257, 1000, 4097}) {
            // The widest step that fits n samples from Long.MIN_VALUE: offsets of up to 128 steps
            // wrap past Long.MAX_VALUE, and only the sum with the block's base comes back in range.
            long widest = Long.divideUnsigned(-1L, n - 1);
            for (long[] firstAndStep : new long[][] {{Long.MIN_VALUE, widest}, {-5, 1}, {1_700_000_000_000L, 1000}}) {
                long[] t = new long[n];
                for (int i = 0; i < n; i++) {
                    t[i] = firstAndStep[0] + i * firstAndStep[1];
                }
                byte[] chunk = codec.encode(t, new double[n], new int[n], n);
                long[] out = new long[n];
                codec.decode(chunk, out, new double[n], new int[n]);
                String where = "[count=" + n + ", first=" + firstAndStep[0] + ", step=" + firstAndStep[1] + "]";
                assertTrue(codec.decodedRegularTimestamps(), where);
                assertTrue(Arrays.equals(t, out), where + " came back as " + Arrays.toString(out));
            }
        }
    }

    @Test
    void roundTrip_maxSamples_isExact() {
        long seed = Seeds.next("roundTrip_maxSamples_isExact");
        SplittableRandom r = new SplittableRandom(seed);
        int count = ChunkCodec.MAX_SAMPLES;
        Samples s = new Samples(count);
        SampleGenerators.timestamps(r, s.t, count);
        SampleGenerators.decimals(r, s.v, count, 3, 0.001);
        SampleGenerators.qualities(r, s.q, count);
        assertRoundTrip(s, count, seed);
    }

    @ParameterizedTest(name = "count={0}")
    @MethodSource("sizes")
    void header_equalsNaiveComputation(int count) throws CorruptChunkException {
        long seed = Seeds.next("header_equalsNaiveComputation[count=" + count + "]");
        SplittableRandom r = new SplittableRandom(seed);
        Samples s = new Samples(count);
        for (int round = 0; round < roundsFor(count); round++) {
            SampleGenerators.timestamps(r, s.t, count);
            switch (round % 4) {
                case 0 -> SampleGenerators.arbitraryDoubles(r, s.v, count);
                case 1 -> SampleGenerators.decimals(r, s.v, count, r.nextInt(7), 0.01);
                case 2 -> Arrays.fill(s.v, 0, count, Double.longBitsToDouble(0x7ff8_0000_0000_0042L)); // all NaN
                default -> { // signed zeros, infinities and NaN only
                    double[] few = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
                    for (int i = 0; i < count; i++) {
                        s.v[i] = few[r.nextInt(few.length)];
                    }
                }
            }
            SampleGenerators.qualities(r, s.q, count);
            ChunkHeader h = ChunkCodec.readHeader(codec.encode(s.t, s.v, s.q, count));

            double min = Double.NaN;
            double max = Double.NaN;
            double sum = Double.NaN;
            boolean seen = false; // not isNaN(sum): +inf + -inf is NaN too
            for (int i = 0; i < count; i++) {
                double v = s.v[i];
                if (Double.isNaN(v)) {
                    continue;
                }
                if (!seen) {
                    min = v;
                    max = v;
                    sum = v;
                    seen = true;
                } else {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    sum += v;
                }
            }
            int worst = s.q[0];
            for (int i = 1; i < count; i++) {
                worst = Quality.worst(worst, s.q[i]);
            }
            String context = " [seed=" + seed + ", round=" + round + "]";
            assertEquals(count, h.count(), "count" + context);
            assertEquals(s.t[0], h.firstTimestamp(), "first" + context);
            assertEquals(s.t[count - 1], h.lastTimestamp(), "last" + context);
            assertBitsEqual(min, h.min(), "min" + context);
            assertBitsEqual(max, h.max(), "max" + context);
            assertBitsEqual(sum, h.sum(), "sum" + context);
            assertEquals(worst, h.worstQuality(), "worst quality" + context);
        }
    }

    @RepeatedTest(5)
    void flippedByte_anywhere_isRejectedAsCorrupt() {
        long seed = Seeds.next("flippedByte_anywhere_isRejectedAsCorrupt");
        SplittableRandom r = new SplittableRandom(seed);
        int count = 1 + r.nextInt(600);
        Samples s = randomSamples(r, count);
        byte[] chunk = codec.encode(s.t, s.v, s.q, count);
        Samples out = new Samples(count);
        // Every position once: a CRC32C detects every error burst of up to 32 bits.
        for (int pos = 0; pos < chunk.length; pos++) {
            byte[] bad = chunk.clone();
            bad[pos] ^= (byte) (1 + r.nextInt(255));
            assertCorrupt(bad, out, "flipped byte " + pos + " of " + chunk.length + " [seed=" + seed + "]");
        }
    }

    @RepeatedTest(3)
    void flippedBits_inLargeChunks_areRejectedAsCorrupt() {
        long seed = Seeds.next("flippedBits_inLargeChunks_areRejectedAsCorrupt");
        SplittableRandom r = new SplittableRandom(seed);
        int count = 4096 + r.nextInt(60_000);
        Samples s = randomSamples(r, count);
        byte[] chunk = codec.encode(s.t, s.v, s.q, count);
        Samples out = new Samples(count);
        for (int trial = 0; trial < 300; trial++) {
            byte[] bad = chunk.clone();
            int pos = r.nextInt(chunk.length);
            // A burst of up to 4 bytes starting anywhere, header included.
            for (int k = 0; k < 1 + r.nextInt(4) && pos + k < bad.length; k++) {
                bad[pos + k] ^= (byte) (k == 0 ? 1 + r.nextInt(255) : r.nextInt(256));
            }
            assertCorrupt(bad, out, "burst at byte " + pos + " of " + chunk.length + " [seed=" + seed + "]");
        }
    }

    @RepeatedTest(3)
    void truncatedOrExtendedChunk_isRejectedAsCorrupt() {
        long seed = Seeds.next("truncatedOrExtendedChunk_isRejectedAsCorrupt");
        SplittableRandom r = new SplittableRandom(seed);
        int count = 1 + r.nextInt(300);
        Samples s = randomSamples(r, count);
        byte[] chunk = codec.encode(s.t, s.v, s.q, count);
        Samples out = new Samples(count);
        for (int len = 0; len < chunk.length; len++) {
            assertCorrupt(Arrays.copyOf(chunk, len), out, "truncated to " + len + " of " + chunk.length
                    + " [seed=" + seed + "]");
        }
        assertCorrupt(Arrays.copyOf(chunk, chunk.length + 1 + r.nextInt(20)), out,
                "zero bytes appended [seed=" + seed + "]");
    }

    private static int roundsFor(int count) {
        return count <= 200 ? 200 : count <= 5000 ? 20 : 3;
    }

    private Samples randomSamples(SplittableRandom r, int count) {
        Samples s = new Samples(count);
        SampleGenerators.timestamps(r, s.t, count);
        if (r.nextBoolean()) {
            SampleGenerators.arbitraryDoubles(r, s.v, count);
        } else {
            SampleGenerators.decimals(r, s.v, count, r.nextInt(4), 0.01);
        }
        SampleGenerators.qualities(r, s.q, count);
        return s;
    }

    /** Encodes, decodes into arrays with a sentinel tail, and compares bit for bit. */
    private byte[] assertRoundTrip(Samples s, int count, long seed) {
        byte[] chunk = codec.encode(s.t, s.v, s.q, count);
        int capacity = count + 3;
        Samples out = new Samples(capacity);
        Arrays.fill(out.t, SENTINEL_TIMESTAMP);
        Arrays.fill(out.v, SENTINEL_VALUE);
        Arrays.fill(out.q, SENTINEL_QUALITY);
        int decoded;
        try {
            decoded = codec.decode(chunk, out.t, out.v, out.q);
        } catch (CorruptChunkException e) {
            throw new AssertionError("fresh chunk does not decode [seed=" + seed + ", count=" + count + "]", e);
        }
        assertEquals(count, decoded, "count [seed=" + seed + "]");
        for (int i = 0; i < count; i++) {
            if (s.t[i] != out.t[i]) {
                fail("timestamp " + i + " differs [seed=" + seed + ", count=" + count + ", expected=" + s.t[i]
                        + ", actual=" + out.t[i] + "]");
            }
            long expected = Double.doubleToRawLongBits(s.v[i]);
            long actual = Double.doubleToRawLongBits(out.v[i]);
            if (expected != actual) {
                fail(String.format("value %d differs [seed=%d, count=%d, expected=%s (0x%016x), actual=%s (0x%016x)]",
                        i, seed, count, s.v[i], expected, out.v[i], actual));
            }
            if (s.q[i] != out.q[i]) {
                fail("quality " + i + " differs [seed=" + seed + ", count=" + count + "]");
            }
        }
        for (int i = count; i < capacity; i++) {
            assertEquals(SENTINEL_TIMESTAMP, out.t[i], "decode wrote past count [seed=" + seed + "]");
            assertEquals(Double.doubleToRawLongBits(SENTINEL_VALUE), Double.doubleToRawLongBits(out.v[i]),
                    "decode wrote past count [seed=" + seed + "]");
            assertEquals(SENTINEL_QUALITY, out.q[i], "decode wrote past count [seed=" + seed + "]");
        }
        return chunk;
    }

    /** Bytes per sample the values cost: the chunk minus the same chunk with constant values. */
    private double valueBytesPerSample(byte[] chunk, Samples s, int count) {
        double[] constant = new double[count];
        byte[] without = codec.encode(s.t, constant, s.q, count);
        return (chunk.length - without.length) / (double) count;
    }

    private void assertCorrupt(byte[] bad, Samples out, String what) {
        CorruptChunkException e = assertThrows(CorruptChunkException.class,
                () -> codec.decode(bad, out.t, out.v, out.q), what);
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), what + ": empty message");
    }

    private static void assertBitsEqual(double expected, double actual, String what) {
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
                what + ": expected " + expected + " but was " + actual);
    }

    /** Column arrays of one chunk. */
    private static final class Samples {
        final long[] t;
        final double[] v;
        final int[] q;

        Samples(int capacity) {
            t = new long[capacity];
            v = new double[capacity];
            q = new int[capacity];
        }
    }
}
