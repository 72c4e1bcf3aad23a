package io.historian.internal.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Appends bit fields LSB-first to a growable byte array, eight bytes at a time.
 *
 * <p>Invariant: {@code accBits < 64}; the pending bits of {@code acc} above {@code accBits} are zero.
 * A field of {@code width} bits must not carry bits above {@code width}: the caller masks.
 * The buffer is reused across chunks, so a writer only allocates when a chunk is larger than any
 * before it.
 */
final class BitWriter {

    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] buf = new byte[1 << 14];
    private int bytePos;
    private long acc;
    private int accBits;

    private int markBytePos;
    private long markAcc;
    private int markAccBits;

    /** Starts a new stream at byte {@code start}; bytes before it are left for the caller. */
    void reset(int start) {
        ensure(start + 8);
        bytePos = start;
        acc = 0;
        accBits = 0;
    }

    /** Writes the low {@code width} bits of {@code value}, width in 0..64. */
    void write(long value, int width) {
        acc |= value << accBits; // value << 64 never happens: accBits < 64
        int total = accBits + width;
        if (total >= 64) {
            if (bytePos + 8 > buf.length) {
                grow();
            }
            LONG_LE.set(buf, bytePos, acc);
            bytePos += 8;
            total -= 64;
            // The bits of value that did not fit; with total == 0 the shift would be by width, so guard.
            acc = total == 0 ? 0 : value >>> (width - total);
        }
        accBits = total;
    }

    /**
     * Writes the low {@code width} bits (1..64) of each of {@code values[0, len)}; the same as
     * {@code len} calls of {@link #write} with masked values, with the state kept in locals.
     */
    void writePacked(long[] values, int len, int width) {
        ensure(bytePos + (int) (((long) len * width + 7) >>> 3) + 16);
        long mask = -1L >>> (64 - width);
        byte[] b = buf;
        int p = bytePos;
        long a = acc;
        int bits = accBits;
        for (int i = 0; i < len; i++) {
            long v = values[i] & mask;
            a |= v << bits;
            bits += width;
            if (bits >= 64) {
                LONG_LE.set(b, p, a);
                p += 8;
                bits -= 64;
                a = bits == 0 ? 0 : v >>> (width - bits);
            }
        }
        bytePos = p;
        acc = a;
        accBits = bits;
    }

    /** Unsigned LEB128 in 8-bit groups. */
    void writeVarLong(long value) {
        while ((value & ~0x7FL) != 0) {
            write((value & 0x7F) | 0x80, 8);
            value >>>= 7;
        }
        write(value, 8);
    }

    /** Remembers the current position so that {@link #rewind()} can undo what follows. */
    void mark() {
        markBytePos = bytePos;
        markAcc = acc;
        markAccBits = accBits;
    }

    void rewind() {
        bytePos = markBytePos;
        acc = markAcc;
        accBits = markAccBits;
    }

    /** Flushes the pending bits (zero-padded to a byte) and returns the stream's end, in bytes. */
    int finish() {
        ensure(bytePos + 8);
        LONG_LE.set(buf, bytePos, acc);
        bytePos += (accBits + 7) >>> 3;
        acc = 0;
        accBits = 0;
        return bytePos;
    }

    /** The backing array; valid up to the value {@link #finish()} returned. */
    byte[] buffer() {
        return buf;
    }

    private void ensure(int capacity) {
        if (capacity > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(capacity, buf.length * 2));
        }
    }

    private void grow() {
        buf = Arrays.copyOf(buf, buf.length * 2);
    }
}
