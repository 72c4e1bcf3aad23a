package io.historian.internal.tier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.historian.internal.codec.ChunkCodec;
import io.historian.internal.codec.ChunkHeader;
import io.historian.internal.codec.CorruptChunkException;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds arbitrary bytes to {@link SegmentCodec#decode}: the only outcomes allowed are a decoded
 * segment that keeps every promise readers rely on, or a {@link CorruptSegmentException} naming
 * the object.
 *
 * <p>In a normal build this runs in regression mode over the inputs in
 * {@code src/test/resources/io/historian/internal/tier/SegmentDecoderFuzzTestInputs/decode/}. To
 * fuzz for real: {@code JAZZER_FUZZ=1 mvn test -Dtest=SegmentDecoderFuzzTest} (add
 * {@code -Djazzer.max_duration=5m}); crashes land in that directory and become regression inputs.
 */
class SegmentDecoderFuzzTest {

    @FuzzTest
    void decode(byte[] input) {
        SegmentCodec.Decoded d;
        try {
            d = SegmentCodec.decode(input, null, "fuzz/object.seg");
        } catch (CorruptSegmentException e) {
            assertTrue(e.getMessage().contains("fuzz/object.seg"), e.getMessage());
            return;
        }
        assertTrue(d.starts().length > 0);
        long previousLast = Long.MIN_VALUE;
        long samples = 0;
        List<Long> starts = new ArrayList<>();
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < d.starts().length; i++) {
            ChunkHeader h;
            try {
                h = ChunkCodec.readHeader(d.chunks()[i]);
            } catch (CorruptChunkException e) {
                throw new AssertionError("decode accepted a chunk whose header is corrupt", e);
            }
            assertEquals(h.firstTimestamp(), d.starts()[i]);
            assertTrue(i == 0 || d.starts()[i] > previousLast, "chunks overlap");
            previousLast = h.lastTimestamp();
            samples += h.count();
            starts.add(d.starts()[i]);
            chunks.add(d.chunks()[i]);
        }
        assertEquals(samples, d.samples());
        // What was accepted survives a re-encode.
        io.historian.internal.tier.proto.Segment s;
        try {
            s = io.historian.internal.tier.proto.Segment.parseFrom(input);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        byte[] again = SegmentCodec.encode(s.getTag(), s.getPartitionStart(), s.getPartitionEnd(), starts, chunks);
        try {
            SegmentCodec.Decoded d2 = SegmentCodec.decode(again, s.getTag(), "again");
            assertArrayEquals(d.starts(), d2.starts());
        } catch (CorruptSegmentException e) {
            throw new AssertionError("re-encoded segment does not decode", e);
        }
    }
}
