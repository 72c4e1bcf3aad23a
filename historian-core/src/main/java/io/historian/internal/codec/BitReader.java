package io.historian.internal.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reads bit fields LSB-first from a private, zero-padded copy of a chunk's payload.
 *
 * <p>Invariant: the copy is followed by {@link #PADDING} zero bytes, so any read that starts at or
 * before {@link #limit} and spans at most {@link #MAX_UNCHECKED_BITS} bits stays inside the array.
 * Callers therefore either {@link #require} a known number of bits before a long run of reads (a
 * bit-packed block), or read one small unit (a varint, an XOR-coded value) and then call
 * {@link #checkInBounds}. Reading past the payload can then never go further than the padding, and
 * a truncated or lying payload ends in a {@link CorruptChunkException}.
 */
final class BitReader {

    static final int PADDING = 64;
    /** The longest unit a caller may read between two bounds checks. */
    static final int MAX_UNCHECKED_BITS = 160;

    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Sized by the first chunk read: a reader that only looks at headers never needs one. */
    private byte[] buf = new byte[0];
    private long pos;
    private long limit;

    void reset(byte[] src, int from, int length) {
        if (buf.length < length + PADDING) {
            buf = new byte[Math.max(length + PADDING + (length >> 2), buf.length * 2)];
        }
        System.arraycopy(src, from, buf, 0, length);
        Arrays.fill(buf, length, length + PADDING, (byte) 0);
        pos = 0;
        limit = (long) length * 8;
    }

    long position() {
        return pos;
    }

    long limit() {
        return limit;
    }

    /** Throws unless {@code bits} more bits lie inside the payload. */
    void require(long bits, String what) throws CorruptChunkException {
        if (bits > limit - pos) {
            throw new CorruptChunkException("truncated payload [reading=" + what + ", needed=" + bits
                    + " bits, available=" + Math.max(0, limit - pos) + " bits]");
        }
    }

    /** Throws if the reads since the last check went past the payload. */
    void checkInBounds(String what) throws CorruptChunkException {
        if (pos > limit) {
            throw new CorruptChunkException("truncated payload [reading=" + what + ", overran by "
                    + (pos - limit) + " bits]");
        }
    }

    /** Reads {@code width} bits, width in 1..64. */
    long read(int width) {
        int index = (int) (pos >>> 3);
        int shift = (int) (pos & 7);
        long word = (long) LONG_LE.get(buf, index) >>> shift;
        if (width + shift > 64) {
            word |= (buf[index + 8] & 0xFFL) << (64 - shift);
        }
        pos += width;
        return word & (-1L >>> (64 - width));
    }

    /** Reads one bit. */
    int readBit() {
        int bit = (buf[(int) (pos >>> 3)] >>> (int) (pos & 7)) & 1;
        pos++;
        return bit;
    }

    /** Unsigned LEB128 in 8-bit groups, at most ten groups. */
    long readVarLong(String what) throws CorruptChunkException {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            long group = read(8);
            result |= (group & 0x7F) << shift;
            if ((group & 0x80) == 0) {
                checkInBounds(what);
                return result;
            }
        }
        throw new CorruptChunkException("varint longer than 10 bytes [reading=" + what + "]");
    }

    /**
     * Reads {@code len} fields of {@code width} bits (0..64) into {@code dst}. The caller has
     * {@link #require required} {@code len * width} bits.
     */
    void unpack(long[] dst, int len, int width) {
        if (width == 0) {
            Arrays.fill(dst, 0, len, 0L);
            return;
        }
        if (width > 56) {
            for (int i = 0; i < len; i++) {
                dst[i] = read(width);
            }
            return;
        }
        // One unaligned 8-byte load covers any field of up to 57 bits.
        long mask = -1L >>> (64 - width);
        long p = pos;
        byte[] b = buf;
        for (int i = 0; i < len; i++) {
            long word = (long) LONG_LE.get(b, (int) (p >>> 3));
            dst[i] = (word >>> (p & 7)) & mask;
            p += width;
        }
        pos = p;
    }
}
