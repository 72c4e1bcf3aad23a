package io.historian.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.historian.Quality;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Feeds arbitrary bytes to {@link ChunkCodec#readHeader} and {@link ChunkCodec#decode}: the only
 * outcomes allowed are a successful decode or a {@link CorruptChunkException}
 * ({@link IllegalArgumentException} only when the chunk's count exceeds the arrays passed here).
 *
 * <p>In a normal build each method runs in regression mode over the committed inputs in
 * {@code src/test/resources/io/historian/internal/codec/ChunkDecoderFuzzTestInputs/<method>/}. To
 * fuzz for real: {@code JAZZER_FUZZ=1 mvn test -Dtest=ChunkDecoderFuzzTest#decodeWithRepairedCrc}
 * (add {@code -Djazzer.max_duration=5m} or similar); crashes land in that directory and become
 * regression inputs.
 *
 * <p>{@link #decodeArbitraryBytes} sees the CRC as the real decoder does, so most mutations stop
 * there. {@link #decodeWithRepairedCrc} writes the correct CRC into the input first, so the fuzzer
 * reaches the payload parser with every mutation.
 */
class ChunkDecoderFuzzTest {

    /** Smaller than {@link ChunkCodec#MAX_SAMPLES} so that large counts exercise the array check. */
    private static final int CAPACITY = 1 << 16;
    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    // Fuzzing is single-threaded; one codec keeps its scratch buffers across inputs, as in production.
    private static final ChunkCodec CODEC = new ChunkCodec();

    @FuzzTest
    void decodeArbitraryBytes(byte[] input) {
        decodeOrReject(input);
    }

    @FuzzTest
    void decodeWithRepairedCrc(byte[] input) {
        byte[] chunk = input.clone();
        if (chunk.length >= ChunkCodec.HEADER_SIZE) {
            CRC32C crc = new CRC32C();
            crc.update(chunk, 0, 69);
            crc.update(chunk, ChunkCodec.HEADER_SIZE, chunk.length - ChunkCodec.HEADER_SIZE);
            INT_LE.set(chunk, 69, (int) crc.getValue());
        }
        decodeOrReject(chunk);
    }

    private static void decodeOrReject(byte[] chunk) {
        ChunkHeader header;
        try {
            header = ChunkCodec.readHeader(chunk);
        } catch (CorruptChunkException e) {
            header = null;
        }
        // Arrays of exactly the header's count: a decoder that writes past the count fails loudly.
        int size = header == null ? 1 : Math.min(header.count(), CAPACITY);
        long[] timestamps = new long[size];
        double[] values = new double[size];
        int[] qualities = new int[size];
        int count;
        try {
            count = CODEC.decode(chunk, timestamps, values, qualities);
        } catch (CorruptChunkException e) {
            return;
        } catch (IllegalArgumentException e) {
            if (header != null && header.count() > CAPACITY) {
                return;
            }
            throw e;
        }
        // Anything decode accepts, readHeader accepts, and the samples honour the header.
        assertTrue(header != null, "decode accepted a chunk whose header readHeader rejects");
        assertEquals(header.count(), count);
        assertEquals(header.firstTimestamp(), timestamps[0]);
        assertEquals(header.lastTimestamp(), timestamps[count - 1]);
        int worst = qualities[0];
        for (int i = 1; i < count; i++) {
            assertTrue(timestamps[i] > timestamps[i - 1], "timestamps not increasing");
            worst = Quality.worst(worst, qualities[i]);
        }
        assertEquals(header.worstQuality(), worst);

        // Whatever was decoded must survive a re-encode bit for bit.
        byte[] again = CODEC.encode(timestamps, values, qualities, count);
        long[] timestampsAgain = new long[count];
        double[] valuesAgain = new double[count];
        int[] qualitiesAgain = new int[count];
        try {
            assertEquals(count, CODEC.decode(again, timestampsAgain, valuesAgain, qualitiesAgain));
        } catch (CorruptChunkException e) {
            throw new AssertionError("re-encoded chunk does not decode", e);
        }
        assertTrue(Arrays.equals(timestamps, timestampsAgain), "timestamps differ");
        assertTrue(Arrays.equals(qualities, qualitiesAgain), "qualities differ");
        for (int i = 0; i < count; i++) {
            if (Double.doubleToRawLongBits(values[i]) != Double.doubleToRawLongBits(valuesAgain[i])) {
                throw new AssertionError("value " + i + " differs after re-encoding: " + values[i] + " vs "
                        + valuesAgain[i]);
            }
        }
    }
}
