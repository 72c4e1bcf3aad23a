package io.historian.bench;

import io.historian.internal.journal.CorruptEntryException;
import io.historian.internal.journal.JournalEntryCodec;
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
 * Encodes write calls into journal entries with {@link JournalEntryCodec}, the work the writer
 * thread does per sample before Chronicle copies the entry into the journal.
 *
 * <p><b>Workload.</b> The standard dataset for 100 tags in live order (each second one sample per
 * tag, all Good), cut into calls of 10,000 samples as {@code BatchIngestBenchmark} writes them:
 * 32 calls, generated in the setup, encoded in turn so that the branch predictor does not learn a
 * single call. The setup checks that every call round-trips and prints the encoded size.
 *
 * <p><b>Scores:</b> samples per second ({@code @OperationsPerInvocation(10000)}); under
 * {@code -prof gc}, {@code gc.alloc.rate.norm} is bytes per sample (encoding should allocate nothing).
 *
 * <p><b>Run:</b>
 * <pre>
 * java -jar historian-bench/target/benchmarks.jar JournalEntryCodecBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
@Threads(1)
public class JournalEntryCodecBenchmark {
    private static final int TAGS = 100;
    private static final int CALL = 10_000;
    private static final int CALLS = 32;

    private final JournalEntryCodec codec = new JournalEntryCodec();
    private final int[][] ids = new int[CALLS][CALL];
    private final long[][] timestamps = new long[CALLS][CALL];
    private final double[][] values = new double[CALLS][CALL];
    private final int[][] qualities = new int[CALLS][CALL];
    private int next;

    @Setup(Level.Trial)
    public void generate() throws CorruptEntryException {
        int seconds = CALLS * CALL / TAGS;
        StandardDataset data = StandardDataset.standard(TAGS, seconds);
        double[] column = new double[seconds];
        for (int t = 0; t < TAGS; t++) {
            data.fillValues(t, 0, column, 0, seconds);
            for (int s = 0; s < seconds; s++) {
                int i = s * TAGS + t;
                ids[i / CALL][i % CALL] = t;
                timestamps[i / CALL][i % CALL] = StandardDataset.T0 + s * StandardDataset.PERIOD_MS;
                values[i / CALL][i % CALL] = column[s];
            }
        }
        long bytes = 0;
        int[] outIds = new int[CALL];
        long[] outTs = new long[CALL];
        double[] outValues = new double[CALL];
        int[] outQualities = new int[CALL];
        for (int c = 0; c < CALLS; c++) {
            int length = codec.encode(ids[c], timestamps[c], values[c], qualities[c], 0, CALL);
            bytes += length;
            JournalEntryCodec.decode(codec.buffer(), 0, length, TAGS, outIds, outTs, outValues, outQualities);
            for (int i = 0; i < CALL; i++) {
                if (outIds[i] != ids[c][i] || outTs[i] != timestamps[c][i]
                        || Double.doubleToRawLongBits(outValues[i]) != Double.doubleToRawLongBits(values[c][i])) {
                    throw new IllegalStateException("call " + c + " does not round-trip at sample " + i);
                }
            }
        }
        System.out.printf("%n[setup] %d calls of %d samples: %.3f B/sample encoded (header included)%n",
                CALLS, CALL, bytes / (double) (CALLS * CALL));
    }

    @Benchmark
    @OperationsPerInvocation(CALL)
    public int encode() {
        int c = next;
        next = (c + 1) % CALLS;
        return codec.encode(ids[c], timestamps[c], values[c], qualities[c], 0, CALL);
    }
}
