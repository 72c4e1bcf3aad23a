package io.historian.bench;

import io.historian.DataSize;
import io.historian.SampleBatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sustained ingest through {@code Historian.write(SampleBatch)} with the journal on (default
 * durability {@code PROCESS_CRASH}: every returned write survives {@code kill -9}).
 *
 * <p><b>Workload.</b> The standard dataset (DESIGN section 13: 2-decimal analog signals, 1 s period,
 * all Good) for {@code tagCount} tags, in live order: each second one sample per tag. One
 * invocation fills a reused {@link SampleBatch} with the next {@code batchSize} samples and writes
 * it. The values are generated in the trial setup (10M values, reused with ever later timestamps,
 * see {@link LiveFeed}); filling the batch from arrays is part of the timed work, as it is for a
 * caller. The store writer applies and commits chunks in the background meanwhile. With the
 * journal budget ({@code journalBudgetMiB}, overflow {@code BLOCK}) full, a writer that outruns
 * the store writer waits: with the small budget the score is the steady state of the whole
 * pipeline; with the large one it may be the journal's pace while a backlog grows (each
 * iteration logs the backlog, so read it before quoting a score).
 *
 * <p><b>Scores.</b> The primary score is batches per second; the {@code samples} line is samples
 * per second (an {@link AuxCounters} counter). Under {@code -prof gc},
 * {@code gc.alloc.rate.norm} is bytes per batch, all threads together: divide by {@code batchSize}
 * for bytes per sample. Each iteration also logs an {@code [alloc]} line splitting the bytes per
 * sample between the writer thread and the store writer thread ({@link ThreadAllocation}).
 *
 * <p><b>Run:</b>
 * <pre>
 * java -jar historian-bench/target/benchmarks.jar BatchIngestBenchmark -prof gc
 * java -jar historian-bench/target/benchmarks.jar BatchIngestBenchmark -p tagCount=100 -p batchSize=10000 -p journalBudgetMiB=256
 * </pre>
 *
 * <p>Each trial opens a historian in a fresh temporary directory and deletes it after closing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.EXPORT_REF, ForkFlags.EXPORT_JAVAC_FILE, ForkFlags.OPEN_LANG,
        ForkFlags.OPEN_REFLECT, ForkFlags.OPEN_NIO_CH, ForkFlags.NO_ANALYTICS, ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
@Threads(1)
public class BatchIngestBenchmark {
    /** Pre-generated values: 10M whatever the tag count (100 x 100,000 or 10,000 x 1,000). */
    private static final int FEED_VALUES = 10_000_000;

    @Param({"100", "10000"})
    public int tagCount;

    @Param({"1000", "10000"})
    public int batchSize;

    /**
     * The journal budget. 4096 MiB holds the backlog of a whole run, so the store writer may trail
     * the journal; 256 MiB fills within seconds, so the writer soon runs at the pace the store
     * writer sustains (overflow {@code BLOCK}). Each iteration logs the backlog.
     */
    @Param({"4096", "256"})
    public int journalBudgetMiB;

    private ScratchHistorian scratch;
    private LiveFeed feed;
    private SampleBatch batch;

    /** Samples written per iteration, reported by JMH as samples per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Samples {
        public long samples;
        private ThreadAllocation allocation;

        @Setup(Level.Iteration)
        public void reset() {
            samples = 0;
            allocation = ThreadAllocation.start();
        }

        @TearDown(Level.Iteration)
        public void logAllocation() {
            System.out.println();
            System.out.println(allocation.report(samples));
        }
    }

    @Setup(Level.Trial)
    public void open() {
        feed = LiveFeed.generate("", tagCount, FEED_VALUES / tagCount);
        batch = new SampleBatch(batchSize);
        scratch = ScratchHistorian.open(DataSize.ofMegabytes(journalBudgetMiB));
    }

    @Benchmark
    public void writeBatch(Samples counter) {
        feed.fill(batch, batchSize);
        scratch.historian().write(batch);
        counter.samples += batchSize;
    }

    @TearDown(Level.Iteration)
    public void logBacklog() {
        System.out.println();
        System.out.println(scratch.backlog());
    }

    @TearDown(Level.Trial)
    public void close() {
        scratch.closeCheckingNothingLost(feed.handedOut());
    }
}
