package io.historian.bench;

import io.historian.DataSize;
import io.historian.SampleBatch;
import io.historian.testing.IrregularDataset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Sustained ingest through {@code Historian.write(SampleBatch)} with the journal on (default
 * durability {@code PROCESS_CRASH}: every returned write survives {@code kill -9}), from 1, 2 or 4
 * writer threads.
 *
 * <p><b>Workload.</b> The standard dataset (DESIGN section 13: 2-decimal analog signals, 1 s period,
 * all Good) for {@code tagCount} tags in all, split evenly between the writer threads (each thread
 * has its own tags, so no two threads write the same (tag, timestamp)), in live order: each second
 * one sample per tag. With {@code outOfOrderFraction} above 0 that fraction of samples arrives 1 to
 * 8 seconds late ({@link IrregularDataset#standardArrivingLate}); {@code dataset=irregular} uses the
 * irregular dataset instead (jittered timestamps, step signals on even tags, the same late
 * fraction). One invocation fills a reused {@link SampleBatch} with the thread's next
 * {@code batchSize} samples and writes it. The values are generated in the trial setup (10M in all,
 * reused with ever later timestamps, see {@link LiveFeed}); filling the batch from arrays is part of
 * the timed work, as it is for a caller. The store writer applies and commits chunks in the
 * background meanwhile. With the journal budget ({@code journalBudgetMiB}, overflow {@code BLOCK})
 * full, a writer that outruns the store writer waits: with the small budget the score is the steady
 * state of the whole pipeline; with the large one it may be the journal's pace while a backlog grows
 * (each iteration logs the backlog, so read it before quoting a score).
 *
 * <p><b>Scores.</b> The primary score is batches per second (all threads); the {@code samples}
 * line is samples per second (an {@link AuxCounters} counter). Under {@code -prof gc},
 * {@code gc.alloc.rate.norm} is bytes per batch, all threads together: divide by {@code batchSize}
 * for bytes per sample. Each iteration also logs an {@code [alloc]} line per writer splitting the
 * bytes per sample between the writer thread and the store writer thread ({@link ThreadAllocation};
 * with several writers the store writer's bytes are divided by one writer's samples).
 *
 * <p><b>Run:</b>
 * <pre>
 * java -jar historian-bench/target/benchmarks.jar BatchIngestBenchmark -prof gc
 * java -jar historian-bench/target/benchmarks.jar 'BatchIngestBenchmark.oneWriter' -p tagCount=100 -p batchSize=10000 -p journalBudgetMiB=256
 * java -jar historian-bench/target/benchmarks.jar 'BatchIngestBenchmark.(two|four)Writers' -p tagCount=10000 -p outOfOrderFraction=0.05
 * java -jar historian-bench/target/benchmarks.jar 'BatchIngestBenchmark.oneWriter$' -p tagCount=100 -p batchSize=10000 -p journalBudgetMiB=256 -p outOfOrderFraction=0 -p metrics=true,false -prof gc
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
public class BatchIngestBenchmark {
    /** Pre-generated values in all, whatever the tag and thread count (e.g. 100 x 100,000). */
    private static final int FEED_VALUES = 10_000_000;

    @Param({"100", "10000", "100000"})
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

    /** The fraction of samples that arrive 1 to 8 seconds late. */
    @Param({"0", "0.05"})
    public double outOfOrderFraction;

    /** {@code standard} or {@code irregular} (see the class comment). */
    @Param({"standard"})
    public String dataset;

    /**
     * {@code true} binds {@code HistorianMetrics} to a {@code SimpleMeterRegistry} before writing and
     * reads every meter after each iteration, to show that the binder costs the write path nothing.
     */
    @Param({"false"})
    public boolean metrics;

    private io.micrometer.core.instrument.simple.SimpleMeterRegistry registry;

    private ScratchHistorian scratch;
    private final AtomicInteger writerCount = new AtomicInteger();
    /** Every writer state, so the trial teardown can count what they handed out. */
    private final List<Writer> writers = new CopyOnWriteArrayList<>();

    /** One writer thread's feed, batch and samples counter. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Writer {
        public long samples;
        LiveFeed feed;
        SampleBatch batch;
        private ThreadAllocation allocation;

        @Setup(Level.Trial)
        public void generate(BatchIngestBenchmark b, BenchmarkParams params) {
            int threads = params.getThreads();
            if (b.tagCount % threads != 0) {
                throw new IllegalArgumentException("tagCount must divide among the writer threads [tagCount="
                        + b.tagCount + ", threads=" + threads + "]");
            }
            int tags = b.tagCount / threads;
            int seconds = FEED_VALUES / b.tagCount;
            String prefix = "w" + b.writerCount.getAndIncrement() + ".";
            if (b.outOfOrderFraction == 0 && b.dataset.equals("standard")) {
                feed = LiveFeed.generate(prefix, tags, seconds);
            } else if (b.dataset.equals("standard")) {
                feed = LiveFeed.generate(prefix, IrregularDataset.standardArrivingLate(tags, seconds, b.outOfOrderFraction));
            } else if (b.dataset.equals("irregular")) {
                feed = LiveFeed.generate(prefix, IrregularDataset.of(tags, seconds, 42, b.outOfOrderFraction));
            } else {
                throw new IllegalArgumentException("unknown dataset [dataset=" + b.dataset + ", known=standard,irregular]");
            }
            batch = new SampleBatch(b.batchSize);
            b.writers.add(this);
        }

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
        scratch = ScratchHistorian.open(DataSize.ofMegabytes(journalBudgetMiB));
        if (metrics) {
            registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            new io.historian.metrics.HistorianMetrics(scratch.historian()).bindTo(registry);
        }
    }

    @Benchmark
    @Threads(1)
    public void oneWriter(Writer w) {
        write(w);
    }

    @Benchmark
    @Threads(2)
    public void twoWriters(Writer w) {
        write(w);
    }

    @Benchmark
    @Threads(4)
    public void fourWriters(Writer w) {
        write(w);
    }

    private void write(Writer w) {
        w.feed.fill(w.batch, batchSize);
        scratch.historian().write(w.batch);
        w.samples += batchSize;
    }

    @TearDown(Level.Iteration)
    public void logBacklog() {
        System.out.println();
        System.out.println(scratch.backlog());
        if (registry != null) {
            // Every meter read, as a scrape would, outside the measured loop.
            double journaled = registry.get("historian.ingest.samples").tag("stage", "journaled").functionCounter()
                    .count();
            System.out.println("[metrics] " + registry.getMeters().size() + " meters read; journaled=" + (long) journaled
                    + " " + registry.getMetersAsString().lines().count() + " lines");
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        // Every writer thread has left the measurement loop when the last one runs this teardown.
        long handedOut = 0;
        for (Writer w : writers) {
            handedOut += w.feed.handedOut();
        }
        scratch.closeCheckingNothingLost(handedOut);
    }
}
