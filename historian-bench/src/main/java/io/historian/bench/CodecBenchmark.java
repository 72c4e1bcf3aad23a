package io.historian.bench;

import io.historian.internal.codec.ChunkCodec;
import io.historian.internal.codec.CorruptChunkException;
import io.historian.testing.StandardDataset;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encodes and decodes 4,096-sample chunks of the standard dataset with {@link ChunkCodec}, the
 * chunk format the store writes (delta-of-delta timestamps, decimal-scaled bit-packed values,
 * run-length qualities, CRC32C).
 *
 * <p><b>Workload.</b> 32 chunks, one per tag of {@code StandardDataset.standard(32, 4096)}, 1 s
 * apart, all Good, generated in the setup. Each invocation encodes (or decodes) the next chunk in
 * turn, so the branch predictor does not learn a single chunk. The setup prints the encoded size.
 *
 * <p><b>Scores:</b> samples per second ({@code @OperationsPerInvocation(4096)}); under
 * {@code -prof gc}, {@code gc.alloc.rate.norm} is bytes per sample (encoding returns a new array by
 * design; decoding should allocate nothing).
 *
 * <p><b>Run:</b>
 * <pre>
 * java -jar historian-bench/target/benchmarks.jar CodecBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
@Threads(1)
public class CodecBenchmark {
    private static final int CHUNK = 4096;
    private static final int CHUNKS = 32;

    private final ChunkCodec codec = new ChunkCodec();
    private final long[][] timestamps = new long[CHUNKS][CHUNK];
    private final double[][] values = new double[CHUNKS][CHUNK];
    private final int[][] qualities = new int[CHUNKS][CHUNK];
    private final byte[][] encoded = new byte[CHUNKS][];
    private final long[] outTs = new long[CHUNK];
    private final double[] outValues = new double[CHUNK];
    private final int[] outQualities = new int[CHUNK];
    private int next;

    @Setup(Level.Trial)
    public void generate() throws CorruptChunkException {
        StandardDataset data = StandardDataset.standard(CHUNKS, CHUNK);
        long bytes = 0;
        for (int c = 0; c < CHUNKS; c++) {
            data.fillTimestamps(c, 0, timestamps[c], 0, CHUNK);
            data.fillValues(c, 0, values[c], 0, CHUNK);
            encoded[c] = codec.encode(timestamps[c], values[c], qualities[c], CHUNK);
            bytes += encoded[c].length;
            int n = codec.decode(encoded[c], outTs, outValues, outQualities);
            for (int i = 0; i < n; i++) {
                if (outTs[i] != timestamps[c][i]
                        || Double.doubleToRawLongBits(outValues[i]) != Double.doubleToRawLongBits(values[c][i])) {
                    throw new IllegalStateException("chunk " + c + " does not round-trip at sample " + i);
                }
            }
        }
        System.out.printf("%n[setup] %d chunks of %d samples: %.3f B/sample encoded (header included)%n",
                CHUNKS, CHUNK, bytes / (double) (CHUNKS * CHUNK));
    }

    @Benchmark
    @OperationsPerInvocation(CHUNK)
    public byte[] encode() {
        int c = next;
        next = (c + 1) % CHUNKS;
        return codec.encode(timestamps[c], values[c], qualities[c], CHUNK);
    }

    @Benchmark
    @OperationsPerInvocation(CHUNK)
    public int decode() throws CorruptChunkException {
        int c = next;
        next = (c + 1) % CHUNKS;
        int n = codec.decode(encoded[c], outTs, outValues, outQualities);
        return n + (int) outTs[n - 1] + (int) Double.doubleToRawLongBits(outValues[n - 1]);
    }
}
