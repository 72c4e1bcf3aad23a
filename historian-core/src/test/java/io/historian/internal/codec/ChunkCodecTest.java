package io.historian.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** Example-based checks of {@link ChunkCodec}: sizes of the easy cases, input validation, error messages. */
class ChunkCodecTest {

    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long T0 = 1_700_000_000_000L;

    private final ChunkCodec codec = new ChunkCodec();

    @Test
    void encodeToBuffer_writesTheBytesEncodeReturns_whenTheBufferIsReusedForSmallerChunks() {
        java.util.Random random = new java.util.Random(11);
        ChunkCodec reused = new ChunkCodec();
        for (int n : new int[] {20_000, 3, 4096, 1, 700}) {
            long[] t = new long[n];
            double[] v = new double[n];
            int[] q = new int[n];
            long ts = 1_700_000_000_000L;
            for (int i = 0; i < n; i++) {
                ts += 1 + random.nextInt(5_000);
                t[i] = ts;
                v[i] = random.nextInt(4) == 0 ? Double.NaN : random.nextGaussian() * 1e9;
                q[i] = random.nextInt(9) == 0 ? 0x8031_0000 : 0;
            }
            byte[] expected = new ChunkCodec().encode(t, v, q, n);
            int length = reused.encodeToBuffer(t, v, q, n);
            assertEquals(expected.length, length, "n=" + n);
            assertTrue(Arrays.equals(expected, Arrays.copyOf(reused.encoded(), length)), "n=" + n);
        }
    }

    @Test
    void encode_regularConstantGoodChunk_costsAFewBytesBeyondTheHeader() {
        int n = 4096;
        long[] t = regular(n, 1000);
        double[] v = new double[n];
        Arrays.fill(v, 21.5);
        byte[] chunk = codec.encode(t, v, new int[n], n);
        // Regular timestamps and all-Good qualities cost one bit each; the repeated value one bit
        // per 128 samples.
        assertTrue(chunk.length <= ChunkCodec.HEADER_SIZE + 8, "length " + chunk.length);
    }

    @Test
    void encode_regularTimestamps_costNothingPerSample() {
        int n = 4096;
        double[] v = new double[n];
        int[] q = new int[n];
        long[] jittered = regular(n, 1000);
        for (int i = 1; i < n; i += 2) {
            jittered[i] += 1; // intervals alternate 1001, 999: every delta-of-delta is +-2
        }
        int regularSize = codec.encode(regular(n, 1000), v, q, n).length;
        int jitteredSize = codec.encode(jittered, v, q, n).length;
        assertTrue(regularSize <= ChunkCodec.HEADER_SIZE + 8, "regular " + regularSize);
        assertTrue(jitteredSize > regularSize + n / 4, "jittered " + jitteredSize + ", regular " + regularSize);
    }

    @Test
    void decode_reportsWhetherTheTimestampsAreEvenlySpaced() throws CorruptChunkException {
        int n = 300;
        long[] gap = regular(n, 1000);
        gap[n - 1] += 1;
        long[] out = new long[n];
        codec.decode(codec.encode(regular(n, 1000), new double[n], new int[n], n), out, new double[n], new int[n]);
        assertTrue(codec.decodedRegularTimestamps());
        codec.decode(codec.encode(gap, new double[n], new int[n], n), out, new double[n], new int[n]);
        assertFalse(codec.decodedRegularTimestamps());
        assertTrue(Arrays.equals(gap, out));
        codec.decode(codec.encode(new long[] {T0}, new double[1], new int[1], 1), out, new double[1], new int[1]);
        assertTrue(codec.decodedRegularTimestamps());
    }

    @Test
    void encode_gapInRegularSeries_staysSmall() {
        int n = 4096;
        long[] t = regular(n, 1000);
        for (int i = 2000; i < n; i++) {
            t[i] += 3_600_000; // one hour missing
        }
        byte[] chunk = codec.encode(t, new double[n], new int[n], n);
        // The gap's two delta-of-deltas are patched exceptions, not a reason to widen their block.
        assertTrue(chunk.length < ChunkCodec.HEADER_SIZE + 30, "length " + chunk.length);
    }

    @Test
    void encode_mixedQualities_storesRuns() throws CorruptChunkException {
        int n = 1000;
        int[] q = new int[n];
        Arrays.fill(q, 300, 400, 0x8031_0000);
        Arrays.fill(q, 700, 701, 0x4090_0000);
        byte[] chunk = codec.encode(regular(n, 1000), new double[n], q, n);
        assertEquals(0x8031_0000, ChunkCodec.readHeader(chunk).worstQuality());
        int[] back = new int[n];
        codec.decode(chunk, new long[n], new double[n], back);
        assertTrue(Arrays.equals(q, back));
    }

    @Test
    void encode_randomDoubles_fallsBackWithoutBlowingUp() {
        int n = 4096;
        double[] v = new double[n];
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < n; i++) {
            v[i] = Double.longBitsToDouble(r.nextLong());
        }
        byte[] chunk = codec.encode(regular(n, 1000), v, new int[n], n);
        // XOR worst case: 2 control bits, 12 bits of window and 64 bits per value.
        assertTrue(chunk.length <= ChunkCodec.HEADER_SIZE + 16 + n * 78 / 8, "length " + chunk.length);
    }

    @Test
    void encode_invalidInput_throwsIllegalArgument() {
        long[] t = {1, 2, 3};
        double[] v = {1, 2, 3};
        int[] q = {0, 0, 0};
        assertMessage(assertThrows(IllegalArgumentException.class, () -> codec.encode(t, v, q, 0)), "count out of range");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> codec.encode(t, v, q, ChunkCodec.MAX_SAMPLES + 1)), "count out of range");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> codec.encode(t, v, q, 4)), "shorter");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> codec.encode(new long[] {1, 2, 2}, v, q, 3)), "not strictly increasing [index=2");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> codec.encode(new long[] {Long.MAX_VALUE, Long.MIN_VALUE}, v, q, 2)), "not strictly increasing");
        assertThrows(NullPointerException.class, () -> codec.encode(null, v, q, 3));
    }

    @Test
    void decode_arraysShorterThanCount_throwsIllegalArgument() {
        byte[] chunk = codec.encode(regular(10, 1000), new double[10], new int[10], 10);
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> codec.decode(chunk, new long[9], new double[10], new int[10])), "count=10, timestamps=9");
        assertThrows(IllegalArgumentException.class, () -> codec.decode(chunk, new long[10], new double[9], new int[10]));
        assertThrows(IllegalArgumentException.class, () -> codec.decode(chunk, new long[10], new double[10], new int[9]));
    }

    @Test
    void decode_badCrc_namesExpectedAndActual() {
        byte[] chunk = codec.encode(regular(10, 1000), new double[10], new int[10], 10);
        chunk[chunk.length - 1] ^= 0x10;
        CorruptChunkException e = assertThrows(CorruptChunkException.class,
                () -> codec.decode(chunk, new long[10], new double[10], new int[10]));
        assertTrue(e.getMessage().matches("bad CRC32C \\[expected=0x[0-9a-f]{8}, actual=0x[0-9a-f]{8}, length=\\d+]"),
                e.getMessage());
    }

    @Test
    void readHeader_rejectsWhatItCannotTrust() {
        byte[] good = codec.encode(regular(10, 1000), new double[10], new int[10], 10);
        assertMessage(corruptHeader(new byte[ChunkCodec.HEADER_SIZE - 1]), "truncated header");

        byte[] version = good.clone();
        version[0] = 1;
        assertMessage(corruptHeader(version), "unknown codec version [version=1");

        for (int count : new int[] {0, -1, ChunkCodec.MAX_SAMPLES + 1}) {
            byte[] bad = good.clone();
            INT_LE.set(bad, 1, count);
            assertMessage(corruptHeader(bad), "count out of range [count=" + count);
        }

        byte[] backwards = good.clone();
        LONG_LE.set(backwards, 13, T0 - 1);
        assertMessage(corruptHeader(backwards), "timestamps contradict the count");

        byte[] tooShortSpan = good.clone();
        LONG_LE.set(tooShortSpan, 13, T0 + 8); // 10 strictly increasing timestamps span at least 9 ms
        assertMessage(corruptHeader(tooShortSpan), "timestamps contradict the count");

        byte[] minAboveMax = good.clone();
        LONG_LE.set(minAboveMax, 21, Double.doubleToRawLongBits(2.0));
        LONG_LE.set(minAboveMax, 29, Double.doubleToRawLongBits(1.0));
        assertMessage(corruptHeader(minAboveMax), "min and max contradict");

        byte[] moreNumbersThanSamples = good.clone();
        INT_LE.set(moreNumbersThanSamples, 65, 11);
        assertMessage(corruptHeader(moreNumbersThanSamples), "value summary contradicts the header [numbers=11");

        byte[] firstOutsideRange = good.clone();
        LONG_LE.set(firstOutsideRange, 49, Double.doubleToRawLongBits(5.0));
        assertMessage(corruptHeader(firstOutsideRange), "value summary contradicts the header");
    }

    @Test
    void header_summarizesTheValuesThatAreNumbers() throws CorruptChunkException {
        double[] v = {Double.NaN, 3.0, -1.5, Double.NaN, 7.25, Double.NaN};
        ChunkHeader h = ChunkCodec.readHeader(codec.encode(regular(6, 1000), v, new int[6], 6));
        assertEquals(3, h.numbers());
        assertEquals(3.0, h.firstValue());
        assertEquals(7.25, h.lastValue());
        assertEquals(-1.5, h.min());
        assertEquals(8.75, h.sum());
        ChunkHeader none = ChunkCodec.readHeader(codec.encode(regular(2, 1000), new double[] {Double.NaN, Double.NaN},
                new int[2], 2));
        assertEquals(0, none.numbers());
        assertTrue(Double.isNaN(none.firstValue()) && Double.isNaN(none.lastValue()));
    }

    @Test
    void decode_payloadThatContradictsTheHeader_isCorruptEvenWithAValidCrc() {
        int n = 300;
        long[] t = regular(n, 1000);
        t[150] += 7; // irregular, so the timestamps are stored explicitly
        byte[] chunk = codec.encode(t, new double[n], new int[n], n);
        LONG_LE.set(chunk, 13, t[n - 1] + 1);
        fixCrc(chunk);
        assertMessage(assertThrows(CorruptChunkException.class,
                () -> codec.decode(chunk, new long[n], new double[n], new int[n])), "decoded timestamps contradict the header");

        int[] q = new int[n];
        q[5] = 0x8031_0000;
        byte[] qualities = codec.encode(regular(n, 1000), new double[n], q, n);
        INT_LE.set(qualities, 45, 0x4090_0000);
        fixCrc(qualities);
        assertMessage(assertThrows(CorruptChunkException.class,
                () -> codec.decode(qualities, new long[n], new double[n], new int[n])), "quality runs contradict the header");
    }

    @Test
    void codecInstance_isReusableAcrossSizes() throws CorruptChunkException {
        int[] sizes = {5000, 3, 200_000, 1, 64};
        for (int n : sizes) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = i % 3 == 0 ? Double.NaN : i * 0.25;
            }
            byte[] chunk = codec.encode(regular(n, 10), v, new int[n], n);
            double[] back = new double[n];
            assertEquals(n, codec.decode(chunk, new long[n], back, new int[n]));
            for (int i = 0; i < n; i++) {
                assertEquals(Double.doubleToRawLongBits(v[i]), Double.doubleToRawLongBits(back[i]), "n=" + n + ", i=" + i);
            }
        }
    }

    private static long[] regular(int n, long period) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = T0 + i * period;
        }
        return t;
    }

    private static CorruptChunkException corruptHeader(byte[] chunk) {
        return assertThrows(CorruptChunkException.class, () -> ChunkCodec.readHeader(chunk));
    }

    private static void assertMessage(Exception e, String expectedPart) {
        assertTrue(e.getMessage().contains(expectedPart), "message '" + e.getMessage() + "' lacks '" + expectedPart + "'");
    }

    private static void fixCrc(byte[] chunk) {
        CRC32C crc = new CRC32C();
        crc.update(chunk, 0, 69);
        crc.update(chunk, ChunkCodec.HEADER_SIZE, chunk.length - ChunkCodec.HEADER_SIZE);
        INT_LE.set(chunk, 69, (int) crc.getValue());
    }
}
