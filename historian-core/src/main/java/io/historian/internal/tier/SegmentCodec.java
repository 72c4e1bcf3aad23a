package io.historian.internal.tier;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.historian.internal.codec.ChunkCodec;
import io.historian.internal.codec.ChunkHeader;
import io.historian.internal.codec.CorruptChunkException;
import io.historian.internal.tier.proto.Segment;
import io.historian.internal.tier.proto.SegmentChunk;
import java.util.List;

/**
 * Encodes and decodes segment objects (see {@code segment.proto}). Decoding checks everything a
 * reader relies on: the format version, the tag, chunk headers, that chunks lie in the partition,
 * start where their keys say and do not overlap. The content checksum is checked before this, by
 * the caller that knows the expected SHA-256.
 */
public final class SegmentCodec {
    /** The segment format version written. */
    public static final int VERSION = 1;

    private SegmentCodec() {
    }

    /** A decoded segment: chunk starts (ascending) and the chunks' codec bytes. */
    public record Decoded(long[] starts, byte[][] chunks, long samples) {
    }

    /** Encodes the chunks of one tag and partition; {@code starts} ascending. */
    public static byte[] encode(String tag, long partitionStart, long partitionEnd, List<Long> starts,
            List<byte[]> chunks) {
        Segment.Builder b = Segment.newBuilder().setVersion(VERSION).setTag(tag).setPartitionStart(partitionStart)
                .setPartitionEnd(partitionEnd);
        for (int i = 0; i < starts.size(); i++) {
            b.addChunks(SegmentChunk.newBuilder().setStart(starts.get(i)).setData(ByteString.copyFrom(chunks.get(i))));
        }
        return b.build().toByteArray();
    }

    /**
     * Decodes a segment; {@code expectedTag} may be null to accept any tag.
     *
     * @throws CorruptSegmentException naming {@code objectKey} and the problem
     */
    public static Decoded decode(byte[] content, String expectedTag, String objectKey) throws CorruptSegmentException {
        Segment s;
        try {
            s = Segment.parseFrom(content);
        } catch (InvalidProtocolBufferException e) {
            throw new CorruptSegmentException(objectKey, "not a segment: " + e.getMessage());
        }
        if (s.getVersion() != VERSION) {
            throw new CorruptSegmentException(objectKey, "unknown segment version " + s.getVersion());
        }
        if (expectedTag != null && !expectedTag.equals(s.getTag())) {
            throw new CorruptSegmentException(objectKey, "segment holds tag '" + s.getTag() + "', expected '"
                    + expectedTag + "'");
        }
        long pStart = s.getPartitionStart();
        long pEnd = s.getPartitionEnd();
        if (pEnd <= pStart) {
            throw new CorruptSegmentException(objectKey, "empty partition [" + pStart + ", " + pEnd + ")");
        }
        int n = s.getChunksCount();
        if (n == 0) {
            throw new CorruptSegmentException(objectKey, "no chunks");
        }
        long[] starts = new long[n];
        byte[][] chunks = new byte[n][];
        long samples = 0;
        long previousLast = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            SegmentChunk c = s.getChunks(i);
            byte[] data = c.getData().toByteArray();
            ChunkHeader h;
            try {
                h = ChunkCodec.readHeader(data);
            } catch (CorruptChunkException e) {
                throw new CorruptSegmentException(objectKey, "chunk " + i + ": " + e.getMessage());
            }
            long start = c.getStart();
            if (start != h.firstTimestamp()) {
                throw new CorruptSegmentException(objectKey, "chunk " + i + " starts at " + h.firstTimestamp()
                        + " but is keyed " + start);
            }
            if (start < pStart || start >= pEnd) {
                throw new CorruptSegmentException(objectKey, "chunk " + i + " starts at " + start
                        + ", outside the partition [" + pStart + ", " + pEnd + ")");
            }
            if (i > 0 && start <= previousLast) {
                throw new CorruptSegmentException(objectKey, "chunk " + i + " overlaps the chunk before it");
            }
            previousLast = h.lastTimestamp();
            starts[i] = start;
            chunks[i] = data;
            samples += h.count();
        }
        return new Decoded(starts, chunks, samples);
    }
}
