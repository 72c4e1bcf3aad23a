package io.historian.bench;

import io.historian.DataSize;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ingest one sample per call through {@code Historian.write(String, long, double, Quality)}, the
 * allocation-free single-sample overload, with the journal on (default durability
 * {@code PROCESS_CRASH}).
 *
 * <p><b>Workload.</b> Each writer thread feeds its own 100 tags of the standard dataset in live
 * order (100 x 100,000 values generated in the setup and reused with ever later timestamps, see
 * {@link LiveFeed}); thread {@code k}'s tags are named {@code w<k>.std.tag000} and up, so two threads
 * never write the same (tag, timestamp). {@code oneThread} is a single writer;
 * {@code twoThreads} and {@code fourThreads} are two and four writers on one historian (the machine
 * has two cores, so the store writer and Chronicle compete with them).
 *
 * <p>The journal budget is 4 GiB; each iteration logs how far the store writer trails the journal.
 *
 * <p><b>Scores.</b> Operations are samples: the score is samples per second (summed over threads)
 * and, under {@code -prof gc}, {@code gc.alloc.rate.norm} is bytes per sample, all threads together.
 * Each iteration also logs an {@code [alloc]} line per writer splitting that between the writer
 * thread and the store writer thread ({@link ThreadAllocation}; with two writers the store
 * writer's bytes are divided by one writer's samples, so halve them).
 *
 * <p><b>Run:</b>
 * <pre>
 * java -jar historian-bench/target/benchmarks.jar SingleSampleIngestBenchmark -prof gc
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
public class SingleSampleIngestBenchmark {
    private static final int TAGS = 100;
    private static final int SECONDS = 100_000;

    private ScratchHistorian scratch;
    private final AtomicInteger writerCount = new AtomicInteger();
    /** Every writer state, so the trial teardown can count what they handed out. */
    private final List<Writer> writers = new CopyOnWriteArrayList<>();

    /** One writer's feed, with tags of its own. */
    @State(Scope.Thread)
    public static class Writer {
        LiveFeed feed;

        @Setup(Level.Trial)
        public void generate(SingleSampleIngestBenchmark benchmark) {
            feed = LiveFeed.generate("w" + benchmark.writerCount.getAndIncrement() + ".", TAGS, SECONDS);
            benchmark.writers.add(this);
        }

        private ThreadAllocation allocation;
        private long handedOutAtStart;

        @Setup(Level.Iteration)
        public void startIteration() {
            allocation = ThreadAllocation.start();
            handedOutAtStart = feed.handedOut();
        }

        @TearDown(Level.Iteration)
        public void logAllocation() {
            System.out.println();
            System.out.println(allocation.report(feed.handedOut() - handedOutAtStart));
        }
    }

    @Setup(Level.Trial)
    public void open() {
        scratch = ScratchHistorian.open(DataSize.ofGigabytes(4));
    }

    @Benchmark
    @Threads(1)
    public void oneThread(Writer writer) {
        writer.feed.writeNext(scratch.historian());
    }

    @Benchmark
    @Threads(2)
    public void twoThreads(Writer writer) {
        writer.feed.writeNext(scratch.historian());
    }

    @Benchmark
    @Threads(4)
    public void fourThreads(Writer writer) {
        writer.feed.writeNext(scratch.historian());
    }

    @TearDown(Level.Iteration)
    public void logBacklog() {
        System.out.println();
        System.out.println(scratch.backlog());
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
