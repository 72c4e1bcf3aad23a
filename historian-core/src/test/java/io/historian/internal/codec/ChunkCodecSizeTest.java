package io.historian.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.testing.StandardDataset;
import org.junit.jupiter.api.Test;

/**
 * Encoded size on the standard dataset (DESIGN section 13): 100 tags x 100,000 samples in chunks
 * of 4,096. Every chunk is also decoded and compared. The encode and decode rates are printed for
 * information only; tests never assert on wall-clock speed.
 */
class ChunkCodecSizeTest {

    private static final int CHUNK = 4096;

    @Test
    void standardDataset_costsAtMost1point1BytesPerSample() throws CorruptChunkException {
        Result r = encodeAll(StandardDataset.standard(100, 100_000));
        System.out.printf("standard dataset: %.4f bytes/sample (%d bytes, %d samples, header included); "
                + "encode %.0fM samples/s, decode %.0fM samples/s (informational)%n",
                r.bytesPerSample(), r.bytes, r.samples, r.encodeRate(), r.decodeRate());
        assertEquals(100L * 100_000, r.samples);
        assertTrue(r.bytesPerSample() <= 1.1, "bytes/sample " + r.bytesPerSample());
    }

    @Test
    void irregularDataset_roundTripsAndStaysCompact() throws CorruptChunkException {
        Result r = encodeAll(StandardDataset.irregular(20, 100_000, StandardDataset.DEFAULT_SEED));
        System.out.printf("irregular dataset: %.4f bytes/sample (%d bytes, %d samples)%n",
                r.bytesPerSample(), r.bytes, r.samples);
        // Jitter of up to 200 ms costs about 9 bits per timestamp; the values stay near the standard cost.
        assertTrue(r.bytesPerSample() <= 2.5, "bytes/sample " + r.bytesPerSample());
    }

    private static Result encodeAll(StandardDataset data) throws CorruptChunkException {
        ChunkCodec codec = new ChunkCodec();
        long[] t = new long[CHUNK];
        double[] v = new double[CHUNK];
        int[] q = new int[CHUNK];
        long[] t2 = new long[CHUNK];
        double[] v2 = new double[CHUNK];
        int[] q2 = new int[CHUNK];
        Result r = new Result();
        for (int tag = 0; tag < data.tags(); tag++) {
            for (int from = 0; from < data.samplesPerTag(); from += CHUNK) {
                int n = Math.min(CHUNK, data.samplesPerTag() - from);
                data.fillTimestamps(tag, from, t, 0, n);
                data.fillValues(tag, from, v, 0, n);
                long start = System.nanoTime();
                byte[] chunk = codec.encode(t, v, q, n);
                long encoded = System.nanoTime();
                int count = codec.decode(chunk, t2, v2, q2);
                r.decodeNanos += System.nanoTime() - encoded;
                r.encodeNanos += encoded - start;
                r.bytes += chunk.length;
                r.samples += n;
                assertEquals(n, count);
                for (int i = 0; i < n; i++) {
                    if (t[i] != t2[i] || Double.doubleToRawLongBits(v[i]) != Double.doubleToRawLongBits(v2[i])
                            || q[i] != q2[i]) {
                        throw new AssertionError("sample differs [tag=" + tag + ", index=" + (from + i) + "]");
                    }
                }
            }
        }
        return r;
    }

    private static final class Result {
        long bytes;
        long samples;
        long encodeNanos;
        long decodeNanos;

        double bytesPerSample() {
            return bytes / (double) samples;
        }

        double encodeRate() {
            return samples * 1e3 / encodeNanos;
        }

        double decodeRate() {
            return samples * 1e3 / decodeNanos;
        }
    }
}
