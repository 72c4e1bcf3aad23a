package io.historian.internal.codec;

import io.historian.Quality;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Encodes one tag's samples (timestamps, values, qualities) into a self-checking chunk, and back.
 *
 * <pre>{@code
 * ChunkCodec codec = new ChunkCodec();                 // one per thread
 * byte[] chunk = codec.encode(ts, values, qualities, n);
 * ChunkHeader h = ChunkCodec.readHeader(chunk);        // no payload decoding
 * int count = codec.decode(chunk, ts2, values2, qualities2);
 * }</pre>
 *
 * <h2>Format, version 2</h2>
 * All multi-byte header fields are little-endian.
 * <pre>
 * offset size field
 *      0    1 version (2)
 *      1    4 count, 1..MAX_SAMPLES
 *      5    8 first timestamp (epoch ms)
 *     13    8 last timestamp
 *     21    8 min   (double bits; over non-NaN values, NaN if none)
 *     29    8 max
 *     37    8 sum
 *     45    4 worst quality (OPC UA status code)
 *     49    8 first non-NaN value (NaN if none)
 *     57    8 last non-NaN value (NaN if none)
 *     65    4 number of non-NaN values
 *     69    4 CRC32C of bytes [0, 69) followed by bytes [73, end)
 *     73    - payload: one bit stream, fields packed LSB-first, zero-padded to a byte
 * </pre>
 * The payload holds three sections, each starting with a mode bit:
 * <ul>
 *   <li><b>Timestamps</b> (absent when count is 1). Mode 0, regular: every interval equals
 *       {@code (last - first) / (count - 1)}, so nothing more is stored. Mode 1: the first interval
 *       as a varint, then the {@code count - 2} delta-of-deltas, zig-zag encoded, in packed blocks.
 *       Intervals and their differences are computed modulo 2<sup>64</sup>: they wrap for series that
 *       span most of the {@code long} range, and wrap back on decoding, so every strictly increasing
 *       series round-trips; a wrapped difference simply costs up to 64 bits.</li>
 *   <li><b>Values</b>. Mode 0, decimal: a 4-bit scale {@code d} (0..10); every value
 *       {@code v} is stored as {@code k = rint(v * 10^d)} when {@code (double) k / 10^d} reproduces
 *       {@code v} bit for bit. The first {@code k} is a zig-zag varint, the {@code count - 1}
 *       differences follow zig-zagged in packed blocks. Values that do not reproduce (NaN, -0.0,
 *       infinities, too many digits, beyond the {@code long} range) are exceptions: their slot
 *       repeats the previous {@code k}, and after the blocks come the exception count (varint), then
 *       per exception the gap to the previous position (varint) and the raw 64 bits. Mode 1, XOR:
 *       the Gorilla scheme (first value raw; then {@code 0} = same bits, {@code 10} = XOR within the
 *       previous window, {@code 11} = 6-bit leading zeros, 6-bit length - 1, the meaningful bits).
 *       XOR is chosen when no scale fits or more than half the values would be exceptions.</li>
 *   <li><b>Qualities</b>. Mode 0: every quality equals the header's worst quality (so all-Good
 *       costs one bit). Mode 1: the run count (varint), then per run the 32-bit code and the run
 *       length (varint).</li>
 * </ul>
 * A <b>packed block</b> holds up to 128 unsigned values, in patched frame-of-reference style.
 * One bit: 0 when every value is zero, and nothing follows (so regular timestamps and repeated
 * values cost one bit per block). Otherwise a 7-bit width {@code w}, one bit saying whether
 * exceptions follow and, if they do, the exception count - 1 (7 bits), the high width {@code hw}
 * (7 bits) and per exception its position in the block (7 bits) and its bits above {@code w}
 * ({@code hw} bits); then the low {@code w} bits of every value. The encoder picks the {@code w}
 * that makes the block smallest, so a few outliers (a gap in a regular series, a jump in a signal)
 * do not widen the whole block.
 *
 * <p><b>Invariants.</b> {@link #encode} always produces a chunk that {@link #decode} returns bit for
 * bit ({@link Double#doubleToRawLongBits}, so NaN payloads and -0.0 survive). {@link #decode} checks
 * the CRC before anything else in the payload, and every count and length before it allocates or
 * loops, so any byte array either decodes or throws {@link CorruptChunkException}; the decoded
 * timestamps are strictly increasing and match the header, and the decoded qualities fold to the
 * header's worst quality.
 *
 * <p><b>Thread safety:</b> not thread-safe; use one instance per thread. An instance reuses its
 * scratch buffers, so encoding allocates only the returned array and decoding allocates nothing
 * once the buffers have grown to the largest chunk seen.
 *
 * <p><b>Errors:</b> {@link IllegalArgumentException} for invalid encoder input (count out of range,
 * arrays too short, timestamps not strictly increasing) and for decoder output arrays shorter than
 * the chunk's count; {@link CorruptChunkException} for any bytes that are not a valid chunk.
 */
public final class ChunkCodec {

    /** The format version this codec writes and the only one it reads. */
    public static final byte VERSION = 2;
    /** The most samples one chunk holds; the decoder rejects larger counts before allocating. */
    public static final int MAX_SAMPLES = 1 << 20;
    /** Size of the fixed header, CRC included. */
    public static final int HEADER_SIZE = 73;

    static final int MAX_SCALE = 10;
    static final int BLOCK = 128;

    private static final int OFF_COUNT = 1;
    private static final int OFF_FIRST = 5;
    private static final int OFF_LAST = 13;
    private static final int OFF_MIN = 21;
    private static final int OFF_MAX = 29;
    private static final int OFF_SUM = 37;
    private static final int OFF_WORST = 45;
    private static final int OFF_FIRST_VALUE = 49;
    private static final int OFF_LAST_VALUE = 57;
    private static final int OFF_NUMBERS = 65;
    private static final int OFF_CRC = 69;

    private static final int VALUES_DECIMAL = 0;
    private static final int VALUES_XOR = 1;
    /** How many values the scale detection looks at. */
    private static final int SCALE_SAMPLES = 32;

    private static final double[] POW10 = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
    };

    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Made by the first encode: most codecs only decode, on the read path. */
    private BitWriter out;
    private final BitReader in = new BitReader();
    private final CRC32C crc = new CRC32C();
    private final long[] block = new long[BLOCK];
    private final int[] widthHistogram = new int[65];
    private final int[] blockExceptionPos = new int[BLOCK];
    private final long[] blockExceptionHigh = new long[BLOCK];
    private final int[] scaleMisses = new int[MAX_SCALE + 1];
    private int[] valueExceptionPos = new int[64];
    private boolean oneQuality;
    private boolean regularTimestamps;
    private long[] valueExceptionBits = new long[64];

    public ChunkCodec() {
    }

    // ------------------------------------------------------------------ encoding

    /**
     * Encodes samples {@code [0, count)}.
     *
     * @param timestamps epoch milliseconds, strictly increasing
     * @param values any doubles; each round-trips bit for bit
     * @param qualities OPC UA status codes
     * @param count 1..{@link #MAX_SAMPLES}
     * @return a new array holding the chunk
     * @throws IllegalArgumentException if count is out of range, an array is shorter than count, or
     *     the timestamps are not strictly increasing
     */
    public byte[] encode(long[] timestamps, double[] values, int[] qualities, int count) {
        int length = encodeToBuffer(timestamps, values, qualities, count);
        return Arrays.copyOf(out.buffer(), length);
    }

    /**
     * {@link #encode} into this codec's own buffer, {@link #encoded()}, valid until the next call;
     * returns the chunk's length. For a writer that copies the chunk on at once (into a RocksDB
     * batch), so that no array is allocated per chunk.
     */
    public int encodeToBuffer(long[] timestamps, double[] values, int[] qualities, int count) {
        Objects.requireNonNull(timestamps, "timestamps");
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(qualities, "qualities");
        if (count < 1 || count > MAX_SAMPLES) {
            throw new IllegalArgumentException("count out of range [count=" + count + ", range=1.."
                    + MAX_SAMPLES + "]");
        }
        if (timestamps.length < count || values.length < count || qualities.length < count) {
            throw new IllegalArgumentException("array shorter than count [count=" + count
                    + ", timestamps=" + timestamps.length + ", values=" + values.length
                    + ", qualities=" + qualities.length + "]");
        }
        boolean regular = checkTimestamps(timestamps, count);

        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = -0.0; // the identity of IEEE addition, so a lone -0.0 sums to -0.0
        int numbers = 0;
        double firstValue = Double.NaN;
        double lastValue = Double.NaN;
        for (int i = 0; i < count; i++) {
            double v = values[i];
            if (v == v) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
                if (numbers == 0) {
                    firstValue = v;
                }
                lastValue = v;
                numbers++;
            }
        }
        if (numbers == 0) {
            min = Double.NaN;
            max = Double.NaN;
            sum = Double.NaN;
        }
        int worst = qualities[0];
        boolean sameQuality = true;
        for (int i = 1; i < count; i++) {
            sameQuality &= qualities[i] == worst;
        }
        if (!sameQuality) {
            for (int i = 1; i < count; i++) {
                worst = Quality.worst(worst, qualities[i]);
            }
        }

        if (out == null) {
            out = new BitWriter();
        }
        out.reset(HEADER_SIZE);
        if (count > 1) {
            writeTimestamps(timestamps, count, regular);
        }
        writeValues(values, count);
        writeQualities(qualities, count, sameQuality);
        int length = out.finish();

        byte[] chunk = out.buffer();
        chunk[0] = VERSION;
        INT_LE.set(chunk, OFF_COUNT, count);
        LONG_LE.set(chunk, OFF_FIRST, timestamps[0]);
        LONG_LE.set(chunk, OFF_LAST, timestamps[count - 1]);
        LONG_LE.set(chunk, OFF_MIN, Double.doubleToRawLongBits(min));
        LONG_LE.set(chunk, OFF_MAX, Double.doubleToRawLongBits(max));
        LONG_LE.set(chunk, OFF_SUM, Double.doubleToRawLongBits(sum));
        INT_LE.set(chunk, OFF_WORST, worst);
        LONG_LE.set(chunk, OFF_FIRST_VALUE, Double.doubleToRawLongBits(firstValue));
        LONG_LE.set(chunk, OFF_LAST_VALUE, Double.doubleToRawLongBits(lastValue));
        INT_LE.set(chunk, OFF_NUMBERS, numbers);
        INT_LE.set(chunk, OFF_CRC, crcOf(chunk, length));
        return length;
    }

    /** The buffer {@link #encodeToBuffer} wrote the last chunk into, at offset 0. */
    public byte[] encoded() {
        return out.buffer();
    }

    /** Returns whether the timestamps are evenly spaced; throws if they are not strictly increasing. */
    private static boolean checkTimestamps(long[] timestamps, int count) {
        boolean increasing = true;
        boolean regular = true;
        long delta = count > 1 ? timestamps[1] - timestamps[0] : 0;
        for (int i = 1; i < count; i++) {
            increasing &= timestamps[i] > timestamps[i - 1];
            regular &= timestamps[i] - timestamps[i - 1] == delta;
        }
        if (!increasing) {
            for (int i = 1; i < count; i++) {
                if (timestamps[i] <= timestamps[i - 1]) {
                    throw new IllegalArgumentException("timestamps not strictly increasing [index=" + i
                            + ", previous=" + timestamps[i - 1] + ", timestamp=" + timestamps[i] + "]");
                }
            }
        }
        return regular;
    }

    private void writeTimestamps(long[] t, int count, boolean regular) {
        if (regular) {
            out.write(0, 1);
            return;
        }
        out.write(1, 1);
        long delta = t[1] - t[0];
        out.writeVarLong(delta);
        long[] b = block;
        for (int start = 2; start < count; start += BLOCK) {
            int len = Math.min(BLOCK, count - start);
            for (int j = 0; j < len; j++) {
                int i = start + j;
                long d = t[i] - t[i - 1];
                b[j] = zigZag(d - delta);
                delta = d;
            }
            packBlock(len);
        }
    }

    private void writeValues(double[] v, int count) {
        int scale = chooseScale(v, count);
        if (scale >= 0) {
            out.mark();
            if (writeDecimal(v, count, scale)) {
                return;
            }
            out.rewind();
        }
        writeXor(v, count);
    }

    /**
     * Picks the decimal scale from a sample of the values, trading digits (about 3.3 bits per value
     * per decimal) against exceptions (about 72 bits each). Returns -1 when most of the sample fits
     * no scale, so the caller goes straight to XOR.
     */
    private int chooseScale(double[] v, int count) {
        int samples = Math.min(count, SCALE_SAMPLES);
        int[] misses = scaleMisses;
        Arrays.fill(misses, 0);
        int noScale = 0;
        for (int s = 0; s < samples; s++) {
            double x = v[(int) ((long) s * count / samples)];
            int d = minimalScale(x);
            if (d < 0) {
                noScale++;
            } else {
                for (int smaller = 0; smaller < d; smaller++) {
                    misses[smaller]++;
                }
            }
        }
        int best = 0;
        long bestCost = Long.MAX_VALUE;
        for (int d = 0; d <= MAX_SCALE; d++) {
            long cost = (long) samples * d * 332 + (long) (misses[d] + noScale) * 7200;
            if (cost < bestCost) {
                bestCost = cost;
                best = d;
            }
        }
        return (misses[best] + noScale) * 2 > samples ? -1 : best;
    }

    /** The smallest scale at which {@code x} round-trips, or -1. */
    private static int minimalScale(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return -1;
        }
        long bits = Double.doubleToRawLongBits(x);
        for (int d = 0; d <= MAX_SCALE; d++) {
            double p = POW10[d];
            long k = (long) Math.rint(x * p);
            if (Double.doubleToRawLongBits(k / p) == bits) {
                return d;
            }
        }
        return -1;
    }

    /** Writes the decimal section; returns false (leaving a partial section) if too many values miss. */
    private boolean writeDecimal(double[] v, int count, int scale) {
        double p = POW10[scale];
        int maxExceptions = count / 2;
        int exceptions = 0;
        out.write(VALUES_DECIMAL, 1);
        out.write(scale, 4);

        long prev = (long) Math.rint(v[0] * p);
        if (Double.doubleToRawLongBits(prev / p) != Double.doubleToRawLongBits(v[0])) {
            if (maxExceptions == 0) {
                return false;
            }
            addValueException(0, 0, Double.doubleToRawLongBits(v[0]));
            exceptions = 1;
            prev = 0;
        }
        out.writeVarLong(zigZag(prev));

        long[] b = block;
        for (int start = 1; start < count; start += BLOCK) {
            int len = Math.min(BLOCK, count - start);
            for (int j = 0; j < len; j++) {
                double x = v[start + j];
                long k = (long) Math.rint(x * p);
                long bits = Double.doubleToRawLongBits(x);
                if (Double.doubleToRawLongBits(k / p) != bits) {
                    if (exceptions == maxExceptions) {
                        return false;
                    }
                    addValueException(exceptions++, start + j, bits);
                    k = prev; // a zero difference keeps the block narrow
                }
                b[j] = zigZag(k - prev);
                prev = k;
            }
            packBlock(len);
        }

        out.writeVarLong(exceptions);
        int last = -1;
        for (int e = 0; e < exceptions; e++) {
            int position = valueExceptionPos[e];
            out.writeVarLong(position - last - 1);
            out.write(valueExceptionBits[e], 64);
            last = position;
        }
        return true;
    }

    private void addValueException(int index, int position, long bits) {
        if (index == valueExceptionPos.length) {
            valueExceptionPos = Arrays.copyOf(valueExceptionPos, index * 2);
            valueExceptionBits = Arrays.copyOf(valueExceptionBits, index * 2);
        }
        valueExceptionPos[index] = position;
        valueExceptionBits[index] = bits;
    }

    private void writeXor(double[] v, int count) {
        out.write(VALUES_XOR, 1);
        long prev = Double.doubleToRawLongBits(v[0]);
        out.write(prev, 64);
        // 65 cannot match a real leading-zero count, so the first non-zero XOR opens a window.
        int windowLz = 65;
        int windowTz = 65;
        for (int i = 1; i < count; i++) {
            long bits = Double.doubleToRawLongBits(v[i]);
            long xor = bits ^ prev;
            prev = bits;
            if (xor == 0) {
                out.write(0, 1);
                continue;
            }
            int lz = Long.numberOfLeadingZeros(xor);
            int tz = Long.numberOfTrailingZeros(xor);
            if (lz >= windowLz && tz >= windowTz) {
                out.write(0b01, 2);
                out.write(xor >>> windowTz, 64 - windowLz - windowTz);
            } else {
                int len = 64 - lz - tz;
                out.write(0b11, 2);
                out.write(lz, 6);
                out.write(len - 1, 6);
                out.write(xor >>> tz, len);
                windowLz = lz;
                windowTz = tz;
            }
        }
    }

    private void writeQualities(int[] q, int count, boolean same) {
        if (same) {
            out.write(0, 1);
            return;
        }
        out.write(1, 1);
        int runs = 1;
        for (int i = 1; i < count; i++) {
            if (q[i] != q[i - 1]) {
                runs++;
            }
        }
        out.writeVarLong(runs);
        int runStart = 0;
        for (int i = 1; i <= count; i++) {
            if (i == count || q[i] != q[runStart]) {
                out.write(q[runStart] & 0xFFFF_FFFFL, 32);
                out.writeVarLong(i - runStart);
                runStart = i;
            }
        }
    }

    /** Writes {@code block[0, len)} as one packed block (see the class comment). */
    private void packBlock(int len) {
        long[] b = block;
        int[] histogram = widthHistogram;
        Arrays.fill(histogram, 0);
        long or = 0;
        for (int j = 0; j < len; j++) {
            long u = b[j];
            or |= u;
            histogram[64 - Long.numberOfLeadingZeros(u)]++;
        }
        int maxWidth = 64 - Long.numberOfLeadingZeros(or);
        int width = maxWidth;
        long bestCost = (long) len * maxWidth;
        int exceptions = 0;
        int above = 0;
        for (int w = maxWidth - 1; w >= 0; w--) {
            above += histogram[w + 1];
            long cost = (long) len * w + 14 + (long) above * (7 + maxWidth - w);
            if (cost < bestCost) {
                bestCost = cost;
                width = w;
                exceptions = above;
            }
        }
        if (maxWidth == 0) {
            out.write(0, 1); // all zero: regular timestamps, repeated values
            return;
        }
        out.write(1, 1);
        out.write(width, 7);
        if (exceptions == 0) {
            out.write(0, 1);
        } else {
            int highWidth = maxWidth - width;
            out.write(1, 1);
            out.write(exceptions - 1, 7);
            out.write(highWidth, 7);
            for (int j = 0; j < len; j++) {
                long high = b[j] >>> width;
                if (high != 0) {
                    out.write(j, 7);
                    out.write(high, highWidth);
                }
            }
        }
        if (width > 0) {
            out.writePacked(b, len, width);
        }
    }

    // ------------------------------------------------------------------ header

    /**
     * Reads and checks the fixed header: length, version, count range and the consistency of the
     * timestamps and min/max. Does not check the CRC; {@link #decode} does.
     *
     * @throws CorruptChunkException if the header is truncated or inconsistent
     */
    public static ChunkHeader readHeader(byte[] chunk) throws CorruptChunkException {
        Objects.requireNonNull(chunk, "chunk");
        return readHeader(chunk, chunk.length);
    }

    /**
     * {@link #readHeader(byte[])} of a chunk in the first {@code length} bytes of {@code chunk}.
     *
     * @throws CorruptChunkException if the header is truncated or inconsistent
     */
    public static ChunkHeader readHeader(byte[] chunk, int length) throws CorruptChunkException {
        int count = checkHeader(chunk, length);
        return new ChunkHeader(count, (long) LONG_LE.get(chunk, OFF_FIRST), (long) LONG_LE.get(chunk, OFF_LAST),
                doubleAt(chunk, OFF_MIN), doubleAt(chunk, OFF_MAX), doubleAt(chunk, OFF_SUM),
                (int) INT_LE.get(chunk, OFF_WORST), doubleAt(chunk, OFF_FIRST_VALUE),
                doubleAt(chunk, OFF_LAST_VALUE), (int) INT_LE.get(chunk, OFF_NUMBERS));
    }

    /**
     * Checks the header of the chunk in {@code chunk[0, length)} as {@link #readHeader} does, and
     * returns the count, without allocating a {@link ChunkHeader}: a scan reads a header per
     * chunk. The other fields are then read with {@link #headerLong} and {@link #headerDouble}.
     *
     * @throws CorruptChunkException if the header is truncated or inconsistent
     */
    public static int checkedCount(byte[] chunk, int length) throws CorruptChunkException {
        return checkHeader(chunk, length);
    }

    /** Header fields for {@link #headerLong}, {@link #headerDouble} and {@link #headerInt}. */
    public enum Field {
        /** {@link ChunkHeader#firstTimestamp()}. */
        FIRST_TIMESTAMP(OFF_FIRST),
        /** {@link ChunkHeader#lastTimestamp()}. */
        LAST_TIMESTAMP(OFF_LAST),
        /** {@link ChunkHeader#min()}. */
        MIN(OFF_MIN),
        /** {@link ChunkHeader#max()}. */
        MAX(OFF_MAX),
        /** {@link ChunkHeader#sum()}. */
        SUM(OFF_SUM),
        /** {@link ChunkHeader#worstQuality()}. */
        WORST_QUALITY(OFF_WORST),
        /** {@link ChunkHeader#firstValue()}. */
        FIRST_VALUE(OFF_FIRST_VALUE),
        /** {@link ChunkHeader#lastValue()}. */
        LAST_VALUE(OFF_LAST_VALUE),
        /** {@link ChunkHeader#numbers()}. */
        NUMBERS(OFF_NUMBERS);

        private final int offset;

        Field(int offset) {
            this.offset = offset;
        }
    }

    /** A timestamp field of a header that {@link #checkedCount} accepted. */
    public static long headerLong(byte[] chunk, Field field) {
        return (long) LONG_LE.get(chunk, field.offset);
    }

    /** A value field of a header that {@link #checkedCount} accepted. */
    public static double headerDouble(byte[] chunk, Field field) {
        return doubleAt(chunk, field.offset);
    }

    /** An int field (worst quality, numbers) of a header that {@link #checkedCount} accepted. */
    public static int headerInt(byte[] chunk, Field field) {
        return (int) INT_LE.get(chunk, field.offset);
    }

    /** Checks the header of the chunk in {@code chunk[0, length)} and returns the count; allocates nothing. */
    private static int checkHeader(byte[] chunk, int length) throws CorruptChunkException {
        Objects.requireNonNull(chunk, "chunk");
        if (length < HEADER_SIZE || length > chunk.length) {
            throw new CorruptChunkException("truncated header [length=" + length + ", header="
                    + HEADER_SIZE + "]");
        }
        if (chunk[0] != VERSION) {
            throw new CorruptChunkException("unknown codec version [version=" + chunk[0] + ", supported="
                    + VERSION + "]");
        }
        int count = (int) INT_LE.get(chunk, OFF_COUNT);
        if (count < 1 || count > MAX_SAMPLES) {
            throw new CorruptChunkException("count out of range [count=" + count + ", range=1.."
                    + MAX_SAMPLES + "]");
        }
        long first = (long) LONG_LE.get(chunk, OFF_FIRST);
        long last = (long) LONG_LE.get(chunk, OFF_LAST);
        // Strictly increasing timestamps span at least count - 1 ms (the span may exceed Long.MAX_VALUE).
        if (count == 1 ? first != last : first >= last || Long.compareUnsigned(last - first, count - 1) < 0) {
            throw new CorruptChunkException("timestamps contradict the count [count=" + count + ", first="
                    + first + ", last=" + last + "]");
        }
        double min = doubleAt(chunk, OFF_MIN);
        double max = doubleAt(chunk, OFF_MAX);
        if (Double.isNaN(min) != Double.isNaN(max) || min > max) {
            throw new CorruptChunkException("min and max contradict each other [min=" + min + ", max="
                    + max + "]");
        }
        int numbers = (int) INT_LE.get(chunk, OFF_NUMBERS);
        double firstValue = doubleAt(chunk, OFF_FIRST_VALUE);
        double lastValue = doubleAt(chunk, OFF_LAST_VALUE);
        boolean none = numbers == 0;
        if (numbers < 0 || numbers > count || none != Double.isNaN(min) || none != Double.isNaN(firstValue)
                || none != Double.isNaN(lastValue)
                || !none && (firstValue < min || firstValue > max || lastValue < min || lastValue > max)) {
            throw new CorruptChunkException("value summary contradicts the header [numbers=" + numbers + ", count="
                    + count + ", min=" + min + ", max=" + max + ", first=" + firstValue + ", last=" + lastValue + "]");
        }
        return count;
    }

    private static double doubleAt(byte[] chunk, int offset) {
        return Double.longBitsToDouble((long) LONG_LE.get(chunk, offset));
    }

    private int crcOf(byte[] chunk, int length) {
        CRC32C c = crc;
        c.reset();
        c.update(chunk, 0, OFF_CRC);
        c.update(chunk, HEADER_SIZE, length - HEADER_SIZE);
        return (int) c.getValue();
    }

    // ------------------------------------------------------------------ decoding

    /**
     * Verifies the CRC32C and decodes the chunk into the arrays.
     *
     * @return the number of samples written, {@code header.count()}
     * @throws CorruptChunkException if the bytes are not a valid chunk
     * @throws IllegalArgumentException if an array is shorter than the chunk's count (checked after
     *     the CRC, so a corrupt count is reported as corruption)
     */
    public int decode(byte[] chunk, long[] timestamps, double[] values, int[] qualities)
            throws CorruptChunkException {
        Objects.requireNonNull(chunk, "chunk");
        return decode(chunk, chunk.length, timestamps, values, qualities);
    }

    /**
     * {@link #decode(byte[], long[], double[], int[])} of a chunk in the first {@code length}
     * bytes of {@code chunk}, so that a reader can reuse one buffer for chunks of any size.
     *
     * @return the number of samples written
     * @throws CorruptChunkException if the bytes are not a valid chunk
     */
    public int decode(byte[] chunk, int length, long[] timestamps, double[] values, int[] qualities)
            throws CorruptChunkException {
        Objects.requireNonNull(timestamps, "timestamps");
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(qualities, "qualities");
        int count = checkHeader(chunk, length);
        int expected = (int) INT_LE.get(chunk, OFF_CRC);
        int actual = crcOf(chunk, length);
        if (expected != actual) {
            throw new CorruptChunkException(String.format("bad CRC32C [expected=0x%08x, actual=0x%08x, length=%d]",
                    expected, actual, length));
        }
        if (timestamps.length < count || values.length < count || qualities.length < count) {
            throw new IllegalArgumentException("array shorter than the chunk's count [count=" + count
                    + ", timestamps=" + timestamps.length + ", values=" + values.length
                    + ", qualities=" + qualities.length + "]");
        }
        in.reset(chunk, HEADER_SIZE, length - HEADER_SIZE);
        long first = (long) LONG_LE.get(chunk, OFF_FIRST);
        long last = (long) LONG_LE.get(chunk, OFF_LAST);
        readTimestamps(timestamps, count, first, last);
        readValues(values, count);
        readQualities(qualities, count, (int) INT_LE.get(chunk, OFF_WORST));
        in.checkInBounds("end of payload");
        long unused = in.limit() - in.position();
        if (unused >= 8) {
            throw new CorruptChunkException("trailing bytes after the payload [unused=" + unused + " bits]");
        }
        return count;
    }

    /**
     * Whether every sample of the chunk the last successful {@link #decode} returned has the same
     * quality code, as its quality section says: a reader may then skip per-sample quality checks.
     */
    public boolean decodedOneQuality() {
        return oneQuality;
    }

    /**
     * Whether the timestamps of the chunk the last successful {@link #decode} returned are evenly
     * spaced, as its timestamp section says: a reader may then take every interval from the first.
     */
    public boolean decodedRegularTimestamps() {
        return regularTimestamps;
    }

    private void readTimestamps(long[] t, int count, long first, long last) throws CorruptChunkException {
        t[0] = first;
        regularTimestamps = true;
        if (count == 1) {
            return;
        }
        in.require(1, "timestamp mode");
        if (in.readBit() == 0) {
            long span = last - first;
            long delta = Long.divideUnsigned(span, count - 1);
            if (delta * (count - 1) != span) {
                throw new CorruptChunkException("regular timestamps do not divide the span [count=" + count
                        + ", first=" + first + ", last=" + last + "]");
            }
            long ts = first;
            for (int i = 1; i < count; i++) {
                ts += delta;
                t[i] = ts;
            }
            return;
        }
        regularTimestamps = false;
        long delta = in.readVarLong("first interval");
        long ts = first + delta;
        boolean increasing = ts > first;
        t[1] = ts;
        long[] b = block;
        for (int start = 2; start < count; start += BLOCK) {
            int len = Math.min(BLOCK, count - start);
            unpackBlock(len, "timestamp block");
            for (int j = 0; j < len; j++) {
                long u = b[j];
                delta += (u >>> 1) ^ -(u & 1);
                long next = ts + delta;
                increasing &= next > ts;
                ts = next;
                t[start + j] = ts;
            }
        }
        if (!increasing || ts != last) {
            throw new CorruptChunkException("decoded timestamps contradict the header [increasing="
                    + increasing + ", decodedLast=" + ts + ", headerLast=" + last + "]");
        }
    }

    private void readValues(double[] v, int count) throws CorruptChunkException {
        in.require(1, "value mode");
        if (in.readBit() == VALUES_XOR) {
            readXor(v, count);
            return;
        }
        in.require(4, "decimal scale");
        int scale = (int) in.read(4);
        if (scale > MAX_SCALE) {
            throw new CorruptChunkException("decimal scale out of range [scale=" + scale + ", max="
                    + MAX_SCALE + "]");
        }
        long k = unZigZag(in.readVarLong("first value"));
        v[0] = k;
        long[] b = block;
        for (int start = 1; start < count; start += BLOCK) {
            int len = Math.min(BLOCK, count - start);
            unpackBlock(len, "value block");
            for (int j = 0; j < len; j++) {
                long u = b[j];
                k += (u >>> 1) ^ -(u & 1);
                v[start + j] = k;
            }
        }
        // The division has a loop of its own: over doubles the JIT vectorizes it, while beside the
        // running sum above it would cost a scalar division per value. (double) k / p is what
        // k / p computes, so every value is bit for bit the same; dividing by 1 changes nothing.
        if (scale > 0) {
            divide(v, count, POW10[scale]);
        }
        long exceptions = in.readVarLong("exception count");
        if (Long.compareUnsigned(exceptions, count) > 0) {
            throw new CorruptChunkException("exception count out of range [exceptions="
                    + Long.toUnsignedString(exceptions) + ", count=" + count + "]");
        }
        int position = -1;
        for (int e = 0; e < exceptions; e++) {
            long gap = in.readVarLong("exception position");
            if (Long.compareUnsigned(gap, count - position - 1) >= 0) {
                throw new CorruptChunkException("exception position out of range [previous=" + position
                        + ", gap=" + Long.toUnsignedString(gap) + ", count=" + count + "]");
            }
            position += (int) gap + 1;
            v[position] = Double.longBitsToDouble(in.read(64));
            in.checkInBounds("exception value");
        }
    }

    private static void divide(double[] v, int count, double p) {
        for (int i = 0; i < count; i++) {
            v[i] = v[i] / p;
        }
    }

    private void readXor(double[] v, int count) throws CorruptChunkException {
        in.require(64, "first value");
        long prev = in.read(64);
        v[0] = Double.longBitsToDouble(prev);
        int windowTz = 0;
        int windowLen = 0;
        BitReader r = in;
        for (int i = 1; i < count; i++) {
            if (r.readBit() != 0) {
                long xor;
                if (r.readBit() == 0) {
                    if (windowLen == 0) {
                        throw new CorruptChunkException("XOR value reuses a window before any was set [index="
                                + i + "]");
                    }
                    xor = r.read(windowLen) << windowTz;
                } else {
                    int lz = (int) r.read(6);
                    int len = (int) r.read(6) + 1;
                    if (lz + len > 64) {
                        throw new CorruptChunkException("XOR window out of range [index=" + i
                                + ", leadingZeros=" + lz + ", length=" + len + "]");
                    }
                    windowTz = 64 - lz - len;
                    windowLen = len;
                    xor = r.read(len) << windowTz;
                }
                prev ^= xor;
            }
            v[i] = Double.longBitsToDouble(prev);
            r.checkInBounds("XOR value");
        }
    }

    private void readQualities(int[] q, int count, int headerWorst) throws CorruptChunkException {
        in.require(1, "quality mode");
        if (in.readBit() == 0) {
            Arrays.fill(q, 0, count, headerWorst);
            oneQuality = true;
            return;
        }
        long runs = in.readVarLong("quality run count");
        oneQuality = runs == 1;
        if (runs < 1 || runs > count) {
            throw new CorruptChunkException("quality run count out of range [runs="
                    + Long.toUnsignedString(runs) + ", count=" + count + "]");
        }
        int filled = 0;
        int worst = 0;
        for (int r = 0; r < runs; r++) {
            int quality = (int) in.read(32);
            long len = in.readVarLong("quality run length");
            if (len < 1 || len > count - filled) {
                throw new CorruptChunkException("quality run length out of range [run=" + r + ", length="
                        + Long.toUnsignedString(len) + ", remaining=" + (count - filled) + "]");
            }
            Arrays.fill(q, filled, filled + (int) len, quality);
            filled += (int) len;
            worst = r == 0 ? quality : Quality.worst(worst, quality);
        }
        if (filled != count || worst != headerWorst) {
            throw new CorruptChunkException("quality runs contradict the header [covered=" + filled
                    + ", count=" + count + ", worst=" + worst + ", headerWorst=" + headerWorst + "]");
        }
    }

    /** Reads one packed block of {@code len} values into {@code block}. */
    private void unpackBlock(int len, String what) throws CorruptChunkException {
        BitReader r = in;
        r.require(1, what);
        if (r.readBit() == 0) {
            Arrays.fill(block, 0, len, 0L);
            return;
        }
        r.require(8, what);
        int width = (int) r.read(7);
        if (width > 64) {
            throw new CorruptChunkException("block width out of range [reading=" + what + ", width=" + width
                    + "]");
        }
        int exceptions = 0;
        int highWidth = 0;
        if (r.readBit() != 0) {
            r.require(14, what);
            exceptions = (int) r.read(7) + 1;
            highWidth = (int) r.read(7);
            if (exceptions > len || highWidth < 1 || width + highWidth > 64) {
                throw new CorruptChunkException("block exceptions out of range [reading=" + what
                        + ", exceptions=" + exceptions + ", length=" + len + ", width=" + width
                        + ", highWidth=" + highWidth + "]");
            }
            r.require((long) exceptions * (7 + highWidth), what);
            for (int e = 0; e < exceptions; e++) {
                int position = (int) r.read(7);
                if (position >= len) {
                    throw new CorruptChunkException("block exception position out of range [reading=" + what
                            + ", position=" + position + ", length=" + len + "]");
                }
                blockExceptionPos[e] = position;
                blockExceptionHigh[e] = r.read(highWidth);
            }
        }
        r.require((long) len * width, what);
        long[] b = block;
        r.unpack(b, len, width);
        for (int e = 0; e < exceptions; e++) {
            b[blockExceptionPos[e]] |= blockExceptionHigh[e] << width;
        }
    }

    private static long zigZag(long x) {
        return (x << 1) ^ (x >> 63);
    }

    private static long unZigZag(long u) {
        return (u >>> 1) ^ -(u & 1);
    }
}
