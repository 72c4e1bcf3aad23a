package io.historian.modbus;

import io.historian.Quality;

/**
 * Decodes register and bit images into sample values. Pure functions; the response buffer
 * holds the big-endian register bytes exactly as they came off the wire.
 */
final class Decoder {
    private Decoder() {
    }

    /**
     * The value of {@code point}, read from {@code data}, where {@code data[dataOffset]} is the
     * first byte of the register at wire address {@code firstAddress}. For bit tables,
     * {@code data} is the packed bit image (LSB first) starting at {@code firstAddress}.
     */
    static double decode(Point point, byte[] data, int dataOffset, int firstAddress) {
        return scaled(raw(point, data, dataOffset, firstAddress), point.scale(), point.offset());
    }

    /**
     * {@code raw * scale + offset}, leaving out the steps that are the identity. Not only for
     * speed: in IEEE arithmetic {@code -0.0 + 0.0} is {@code +0.0}, so adding an offset of 0
     * would turn a device's -0.0 into +0.0, and multiplying by 1 is not guaranteed to keep a
     * NaN's payload. With scale 1 and offset 0 the raw value passes bit for bit; a scale other
     * than 1 follows IEEE multiplication (-0.0 times a positive scale stays -0.0, NaN stays NaN,
     * infinities keep or flip their sign with the scale's); a non-zero offset is added.
     */
    static double scaled(double raw, double scale, double offset) {
        double v = scale == 1.0 ? raw : raw * scale;
        return offset == 0.0 ? v : v + offset;
    }

    /**
     * The quality of a value decoded from a normal response: Good, unless it is NaN or
     * infinite. Only floating-point registers (or a scale that overflows) produce those, and
     * devices use them to report a failed or disconnected sensor, so the sample is stored as
     * {@code Bad_SensorFailure}, with the value kept as read, as OPC UA servers report it.
     */
    static Quality quality(double value) {
        return Double.isFinite(value) ? Quality.GOOD : Quality.BAD_SENSOR_FAILURE;
    }

    static double raw(Point point, byte[] data, int dataOffset, int firstAddress) {
        int index = point.address() - firstAddress;
        if (point.table().isBits()) {
            int b = data[dataOffset + index / 8] >> (index % 8);
            return b & 1;
        }
        int registers = point.type().registers();
        int start = dataOffset + index * 2;
        if (point.type() == DataType.BIT) {
            int word = ((data[start] & 0xFF) << 8) | (data[start + 1] & 0xFF);
            return (word >> point.bit()) & 1;
        }
        long bits = assemble(data, start, registers, point.order());
        return switch (point.type()) {
            case INT16 -> (short) bits;
            case UINT16 -> bits & 0xFFFF;
            case INT32 -> (int) bits;
            case UINT32 -> bits & 0xFFFF_FFFFL;
            case INT64 -> bits;
            case UINT64 -> unsigned(bits);
            case FLOAT32 -> Float.intBitsToFloat((int) bits);
            case FLOAT64 -> Double.longBitsToDouble(bits);
            case BOOL -> bits != 0 ? 1 : 0;
            case BIT -> throw new AssertionError("handled above");
        };
    }

    /** Puts the registers in significance order, most significant byte first, as one number. */
    static long assemble(byte[] data, int start, int registers, WordOrder order) {
        long v = 0;
        for (int i = 0; i < registers; i++) {
            int w = order.wordSwap() ? registers - 1 - i : i;
            int hi = data[start + 2 * w] & 0xFF;
            int lo = data[start + 2 * w + 1] & 0xFF;
            v = (v << 16) | (order.byteSwap() ? (lo << 8) | hi : (hi << 8) | lo);
        }
        return v;
    }

    /**
     * The inverse of {@link #assemble}: the wire registers (as unsigned 16-bit ints) that carry
     * {@code bits} in {@code order}. Used by the probe and by tests that place values in servers.
     */
    static int[] registersOf(long bits, int registers, WordOrder order) {
        int[] out = new int[registers];
        for (int i = 0; i < registers; i++) {
            int word = (int) (bits >>> (16 * (registers - 1 - i))) & 0xFFFF;
            if (order.byteSwap()) {
                word = ((word & 0xFF) << 8) | (word >>> 8);
            }
            out[order.wordSwap() ? registers - 1 - i : i] = word;
        }
        return out;
    }

    private static double unsigned(long bits) {
        double d = (double) (bits >>> 1) * 2.0;
        return d + (bits & 1);
    }
}
