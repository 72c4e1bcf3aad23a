package io.historian.internal.journal;

import io.historian.Quality;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The compact binary form of one journal entry: a batch of samples, delta-encoded.
 *
 * <pre>
 * entry   = format:u8(=1) count:varint baseTs:i64 sample{count}
 * sample  = tagId:varint tsDelta:zigzag-varint flags:u8 [quality:i32] value
 * flags   = bits 0-2 value kind (0..6: decimal with that many digits, 7: raw IEEE bits);
 *           bit 3 quality differs from the previous sample of the entry (the first compares with Good);
 *           bits 4-7 zero
 * value   = kind 0..6: mantissa:zigzag-varint, value = mantissa / 10^kind (bit-exact, checked when encoding)
 *           kind 7: raw bits:i64 little-endian
 * tsDelta = timestamp minus the previous sample's (the first: minus baseTs), two's complement wrap
 * </pre>
 *
 * <p>Slowly varying analog values with two decimals take about 6 bytes a sample, against 21 for
 * a raw row: the journal's bytes per sample set the ingest ceiling on a disk-bound machine.
 *
 * <p>Decoding accepts any bytes: it returns the samples or throws {@link CorruptEntryException};
 * counts are checked against the bytes left before anything is allocated or looped over.
 *
 * <p><b>Thread safety:</b> instances hold scratch state; use one per thread.
 */
public final class JournalEntryCodec {
    /** The format byte written first. */
    public static final byte FORMAT = 1;
    /**
     * The samples a reader decodes at a time: an entry holds one whole write call (any accepted
     * batch size, with its derived samples), so entries larger than this are decoded in slices.
     */
    public static final int MAX_SAMPLES = 65_536;
    /** The most bytes one sample can take. */
    public static final int MAX_BYTES_PER_SAMPLE = 5 + 10 + 1 + 4 + 10;
    /** Header bytes: format, count, base timestamp. */
    public static final int MAX_HEADER_BYTES = 1 + 5 + 8;

    private static final int KIND_RAW = 7;
    private static final int MAX_DECIMALS = 6;
    private static final double[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] buf = new byte[64 * 1024];
    private int pos;
    private int lastScale = 2;

    /** The bytes of the last encoded entry; valid until the next call. */
    public byte[] buffer() {
        return buf;
    }

    /** The length of the last encoded entry. */
    public int length() {
        return pos;
    }

    /**
     * Encodes samples {@code [offset, offset + count)} into {@link #buffer()}; returns the length.
     */
    public int encode(int[] tagIds, long[] timestamps, double[] values, int[] qualities, int offset, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("entry sample count out of range: " + count);
        }
        // Typical samples take about 6 bytes: grow as the entry fills, not to the worst case up front.
        ensureRoom(MAX_HEADER_BYTES + Math.min(count, 4096) * MAX_BYTES_PER_SAMPLE);
        // The position lives in a local, not the field, so that it stays in a register.
        byte[] b = buf;
        b[0] = FORMAT;
        int p = putVarint(b, 1, count);
        long prevTs = timestamps[offset];
        LONG_LE.set(b, p, prevTs);
        p += 8;
        int prevQuality = Quality.GOOD.code();
        int scale = lastScale;
        double pow = POW10[scale];
        for (int i = offset, end = offset + count; i < end; i++) {
            if (b.length - p < MAX_BYTES_PER_SAMPLE) {
                ensureRoom((int) Math.min(Integer.MAX_VALUE - 16, p + (long) (end - i) * 8 + MAX_BYTES_PER_SAMPLE));
                b = buf;
            }
            int tagId = tagIds[i];
            if ((tagId & ~0x7F) == 0) {
                b[p++] = (byte) tagId;
            } else {
                p = putVarint(b, p, tagId);
            }
            long ts = timestamps[i];
            long delta = ts - prevTs;
            prevTs = ts;
            long zigzagDelta = (delta << 1) ^ (delta >> 63);
            if ((zigzagDelta & ~0x7FL) == 0) {
                b[p++] = (byte) zigzagDelta;
            } else {
                p = putVarint(b, p, zigzagDelta);
            }
            double v = values[i];
            long vBits = Double.doubleToRawLongBits(v);
            // The scale that fitted the previous value usually fits this one: one try, no loop.
            long mantissa = nearest(v * pow);
            int kind = scale;
            if (Double.doubleToRawLongBits(mantissa / pow) != vBits) {
                kind = KIND_RAW;
                for (int s = 0; s <= MAX_DECIMALS; s++) {
                    long m = nearest(v * POW10[s]);
                    if (Double.doubleToRawLongBits(m / POW10[s]) == vBits) {
                        kind = s;
                        mantissa = m;
                        scale = s;
                        pow = POW10[s];
                        break;
                    }
                }
            }
            int q = qualities[i];
            if (q != prevQuality) {
                b[p] = (byte) (kind | 0x08);
                INT_LE.set(b, p + 1, q);
                p += 5;
                prevQuality = q;
            } else {
                b[p++] = (byte) kind;
            }
            if (kind == KIND_RAW) {
                LONG_LE.set(b, p, vBits);
                p += 8;
            } else {
                p = putVarint(b, p, (mantissa << 1) ^ (mantissa >> 63));
            }
        }
        lastScale = scale;
        pos = p;
        return p;
    }

    /**
     * Decodes an entry in {@code bytes[offset, offset + length)}, validating everything before
     * handing any sample to the sink: a corrupt entry delivers nothing.
     *
     * @param maxTagId tag ids at or above this are corrupt
     * @param tagIds scratch for decoded tag ids, at least as long as the entry's count (likewise the others)
     * @return the number of samples decoded into the scratch arrays
     */
    public static int decode(byte[] bytes, int offset, int length, int maxTagId,
            int[] tagIds, long[] timestamps, double[] values, int[] qualities) throws CorruptEntryException {
        Slices slices = new Slices();
        int count = slices.open(bytes, offset, length, maxTagId, tagIds.length);
        if (count > tagIds.length) {
            throw new CorruptEntryException("sample count " + count + " exceeds the scratch of " + tagIds.length);
        }
        return slices.next(tagIds, timestamps, values, qualities);
    }

    /**
     * Decodes one entry in slices of at most the scratch arrays' length, so that a reader's memory
     * does not grow with the batch size. Everything is validated before the first sample is handed
     * out: an entry that fits one slice in the same pass that decodes it, a larger one in a pass of
     * its own first. A corrupt entry therefore delivers nothing. Reusable; one per thread.
     */
    public static final class Slices {
        private final Reader r = new Reader();
        private int left;
        private int maxTagId;
        private int decoded;

        /**
         * Opens an entry; returns its sample count. An entry of more than {@code sliceCapacity}
         * samples is validated as a whole here.
         */
        public int open(byte[] bytes, int offset, int length, int maxTagId, int sliceCapacity)
                throws CorruptEntryException {
            left = 0;
            r.reset(bytes, offset, length);
            int format = r.u8();
            if (format != FORMAT) {
                throw new CorruptEntryException("unknown entry format " + format);
            }
            long count = r.varint();
            // Every sample needs at least three bytes: check before trusting the count.
            if (count < 1 || count * 3 > r.remaining()) {
                throw new CorruptEntryException("sample count " + count + " does not fit the entry of " + length + " bytes");
            }
            r.prevTs = r.i64();
            r.prevQuality = Quality.GOOD.code();
            this.maxTagId = maxTagId;
            this.decoded = 0;
            int n = (int) count;
            if (n > sliceCapacity) {
                int mark = r.p;
                long ts = r.prevTs;
                samples(r, n, maxTagId, null, null, null, null, 0, 0);
                checkEnd(n);
                r.p = mark;
                r.prevTs = ts;
                r.prevQuality = Quality.GOOD.code();
            }
            left = n;
            return n;
        }

        /** Decodes the next slice into the arrays; returns its length, 0 when the entry is done. */
        public int next(int[] tagIds, long[] timestamps, double[] values, int[] qualities) throws CorruptEntryException {
            return next(tagIds, timestamps, values, qualities, 0);
        }

        /**
         * Decodes the next slice into the arrays from position {@code at} on, as long as they have
         * room; returns its length, 0 when the entry is done (or the arrays have no room left).
         */
        public int next(int[] tagIds, long[] timestamps, double[] values, int[] qualities, int at)
                throws CorruptEntryException {
            int n = Math.min(left, tagIds.length - at);
            if (n <= 0) {
                return 0;
            }
            samples(r, n, maxTagId, tagIds, timestamps, values, qualities, decoded, at);
            left -= n;
            decoded += n;
            if (left == 0) {
                checkEnd(decoded);
            }
            return n;
        }

        private void checkEnd(int n) throws CorruptEntryException {
            if (r.remaining() != 0) {
                throw new CorruptEntryException(r.remaining() + " bytes left after " + n + " samples");
            }
        }
    }

    /**
     * Reads {@code n} samples; stores them from position {@code at} on when {@code tagIds} is not
     * null. {@code first} numbers them in messages.
     */
    private static void samples(Reader r, int n, int maxTagId, int[] tagIds, long[] timestamps, double[] values,
            int[] qualities, int first, int at) throws CorruptEntryException {
        long prevTs = r.prevTs;
        int prevQuality = r.prevQuality;
        for (int i = 0; i < n; i++) {
            long tagId = r.varint();
            if (tagId < 0 || tagId >= maxTagId) {
                throw new CorruptEntryException("tag id " + tagId + " unknown (sample " + (first + i) + ")");
            }
            long z = r.varint();
            long delta = (z >>> 1) ^ -(z & 1);
            long ts = prevTs + delta;
            prevTs = ts;
            int flags = r.u8();
            if ((flags & 0xF0) != 0) {
                throw new CorruptEntryException("reserved flag bits set: " + flags + " (sample " + (first + i) + ")");
            }
            if ((flags & 0x08) != 0) {
                prevQuality = r.i32();
            }
            int kind = flags & 0x07;
            double v;
            if (kind == KIND_RAW) {
                v = Double.longBitsToDouble(r.i64());
            } else {
                long zm = r.varint();
                long mantissa = (zm >>> 1) ^ -(zm & 1);
                v = mantissa / POW10[kind];
            }
            if (tagIds != null) {
                tagIds[at + i] = (int) tagId;
                timestamps[at + i] = ts;
                values[at + i] = v;
                qualities[at + i] = prevQuality;
            }
        }
        r.prevTs = prevTs;
        r.prevQuality = prevQuality;
    }

    private void ensureRoom(int bytes) {
        if (buf.length < bytes) {
            buf = java.util.Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(bytes, buf.length * 2L)));
        }
    }

    /**
     * {@link Math#round}, which entries were always encoded with, at the cost of a hardware
     * rounding where the two cannot differ in effect: they differ only on halves, and below 2^50
     * no half is a mantissa that divides back to the value, so either way the scale is refused.
     */
    private static long nearest(double x) {
        return Math.abs(x) < 0x1p50 ? (long) Math.rint(x) : Math.round(x);
    }

    /** Writes {@code v} as a varint at {@code p}; returns the position after it. */
    private static int putVarint(byte[] b, int p, long v) {
        // Tag ids, time steps and decimal mantissas mostly take one to three bytes: no loop for those.
        if ((v & ~0x7FL) == 0) {
            b[p] = (byte) v;
            return p + 1;
        }
        if ((v & ~0x3FFFL) == 0) {
            SHORT_LE.set(b, p, (short) (v & 0x7F | 0x80 | (v << 1) & 0x7F00));
            return p + 2;
        }
        if ((v & ~0x1F_FFFFL) == 0) {
            // Four bytes stored at once; the fourth is overwritten next, and a sample's room covers it.
            INT_LE.set(b, p, (int) (v & 0x7F | 0x80 | (v << 1) & 0x7F00 | 0x8000 | (v << 2) & 0x7F_0000));
            return p + 3;
        }
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        return p;
    }

    /** Bounds-checked reading; every overrun is a {@link CorruptEntryException}. */
    private static final class Reader {
        private byte[] b;
        private int p;
        private int end;
        long prevTs;
        int prevQuality;

        void reset(byte[] b, int offset, int length) throws CorruptEntryException {
            if (offset < 0 || length < 0 || offset + length > b.length || offset + length < 0) {
                throw new CorruptEntryException("entry bounds outside the buffer");
            }
            this.b = b;
            this.p = offset;
            this.end = offset + length;
        }

        int remaining() {
            return end - p;
        }

        int u8() throws CorruptEntryException {
            if (p >= end) {
                throw new CorruptEntryException("entry truncated");
            }
            return b[p++] & 0xFF;
        }

        long varint() throws CorruptEntryException {
            long v = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                int x = u8();
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw new CorruptEntryException("varint longer than 10 bytes");
        }

        long i64() throws CorruptEntryException {
            if (end - p < 8) {
                throw new CorruptEntryException("entry truncated");
            }
            long v = 0;
            for (int i = 7; i >= 0; i--) {
                v = (v << 8) | (b[p + i] & 0xFF);
            }
            p += 8;
            return v;
        }

        int i32() throws CorruptEntryException {
            if (end - p < 4) {
                throw new CorruptEntryException("entry truncated");
            }
            int v = 0;
            for (int i = 3; i >= 0; i--) {
                v = (v << 8) | (b[p + i] & 0xFF);
            }
            p += 4;
            return v;
        }
    }
}
