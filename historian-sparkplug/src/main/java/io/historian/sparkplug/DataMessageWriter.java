package io.historian.sparkplug;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Arrays;

/**
 * Writes NDATA/DDATA payloads by hand into one reused buffer, with the field numbers of
 * {@code sparkplug_b.proto}: the forwarder's per-sample path, which allocates per message, not per
 * sample, and knows each metric's size before writing it, so a message is cut before it would
 * exceed the maximum size.
 *
 * <p>A message is {@code timestamp (1)}, then one {@code metrics (2)} per sample: {@code alias (2),
 * timestamp (3), properties (9) = {keys: ["Quality"], values: [{type: Int32, int_value}]},
 * double_value (13)}, then {@code seq (3)}, written last because it is known only when the message
 * is cut. Owned by the forwarder's calling thread.
 */
final class DataMessageWriter {
    static final String QUALITY = "Quality";
    static final int INT32 = 3;
    /** The most bytes {@code seq (3)} takes: a tag byte and a varint below 256. */
    private static final int SEQ_BOUND = 3;
    private static final int QUALITY_KEY_SIZE = CodedOutputStream.computeStringSize(1, QUALITY);

    private final byte[] buffer;
    private CodedOutputStream out;
    private int used;
    private int metrics;

    DataMessageWriter(int maxBytes) {
        this.buffer = new byte[maxBytes];
    }

    /** Starts a message sent at {@code nowMillis}. */
    void start(long nowMillis) {
        out = CodedOutputStream.newInstance(buffer);
        metrics = 0;
        try {
            out.writeUInt64(1, nowMillis);
        } catch (IOException e) {
            throw new IllegalStateException("the buffer holds at least a message header", e);
        }
        used = CodedOutputStream.computeUInt64Size(1, nowMillis);
    }

    int metrics() {
        return metrics;
    }

    /**
     * Appends one metric if it fits; {@return false, with nothing written, if it does not}
     */
    boolean append(int alias, long timestamp, double value, int qualityCode) {
        int valueSize = CodedOutputStream.computeUInt32Size(1, INT32)
                + CodedOutputStream.computeUInt32Size(3, qualityCode);
        int propertiesSize = QUALITY_KEY_SIZE + CodedOutputStream.computeTagSize(2)
                + CodedOutputStream.computeUInt32SizeNoTag(valueSize) + valueSize;
        int metricSize = CodedOutputStream.computeUInt64Size(2, alias)
                + CodedOutputStream.computeUInt64Size(3, timestamp)
                + CodedOutputStream.computeTagSize(9) + CodedOutputStream.computeUInt32SizeNoTag(propertiesSize)
                + propertiesSize
                + CodedOutputStream.computeDoubleSize(13, value);
        int total = CodedOutputStream.computeTagSize(2) + CodedOutputStream.computeUInt32SizeNoTag(metricSize)
                + metricSize;
        if (used + total + SEQ_BOUND > buffer.length) {
            return false;
        }
        try {
            out.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(metricSize);
            out.writeUInt64(2, alias);
            out.writeUInt64(3, timestamp);
            out.writeTag(9, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(propertiesSize);
            out.writeString(1, QUALITY);
            out.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(valueSize);
            out.writeUInt32(1, INT32);
            out.writeUInt32(3, qualityCode);
            out.writeDouble(13, value);
        } catch (IOException e) {
            throw new IllegalStateException("the metric's size was checked against the buffer", e);
        }
        used += total;
        metrics++;
        return true;
    }

    /** Ends the message with its sequence number; {@return the payload} */
    byte[] finish(int seq) {
        try {
            out.writeUInt64(3, seq);
        } catch (IOException e) {
            throw new IllegalStateException("room for seq is kept free", e);
        }
        return Arrays.copyOf(buffer, out.getTotalBytesWritten());
    }
}
