package io.historian.bench;

import io.historian.DataSize;
import io.historian.query.SampleCursor;
import io.historian.testing.StandardDataset;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Reads one tag's whole history, hot, through {@code query(tag).between(from, to).raw()}; and
 * the same number of samples spread over every tag ({@code readManyTags}).
 *
 * <p><b>Workload.</b> The setup writes the standard dataset ({@code tags x samplesPerTag}, default
 * 100 x 1,000,000 = 100M samples) in live order through the batch API, waits for the store
 * writer to apply the whole journal and calls {@code Historian.compact()}, so every sample sits
 * in a committed, compacted chunk in RocksDB (nothing in memory, nothing left to replay). One invocation opens a cursor over the middle
 * tag ({@code std.tag050}) for its full range, sums timestamps and values into a
 * {@link Blackhole}, checks the count and closes the cursor. The store's block cache and the OS
 * page cache are warm after the first iterations, so this is the hot read of DESIGN section 13.
 * The setup takes about a minute on a 2-core machine.
 *
 * <p><b>Score:</b> milliseconds per read of {@code samplesPerTag} samples (one tag's whole
 * history, or a window of every tag through the pattern {@code std.tag*}).
 *
 * <p><b>Run:</b>
 * <pre>
 * java -jar historian-bench/target/benchmarks.jar RawReadBenchmark
 * java -jar historian-bench/target/benchmarks.jar RawReadBenchmark -p tags=1    # quicker setup
 * java -jar historian-bench/target/benchmarks.jar RawReadBenchmark.readManyTags
 * </pre>
 *
 * <p>The trial's data directory is deleted after the historian closes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.EXPORT_REF, ForkFlags.EXPORT_JAVAC_FILE, ForkFlags.OPEN_LANG,
        ForkFlags.OPEN_REFLECT, ForkFlags.OPEN_NIO_CH, ForkFlags.NO_ANALYTICS, ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
@Threads(1)
public class RawReadBenchmark {

    @Param({"100"})
    public int tags;

    @Param({"1000000"})
    public int samplesPerTag;

    private ScratchHistorian scratch;
    private String tag;
    private Instant from;
    private Instant to;
    private Instant manyFrom;
    private Instant manyTo;
    private long manySamples;

    @Setup(Level.Trial)
    public void load() {
        scratch = ScratchHistorian.open(DataSize.ofGigabytes(4));
        StandardDataset data = StandardDataset.standard(tags, samplesPerTag);
        long start = System.nanoTime();
        long written = DatasetLoader.load(scratch.historian(), data, 10_000);
        long loaded = System.nanoTime();
        scratch.commitAndCompact(data.tagName(0));
        long compacted = System.nanoTime();
        tag = data.tagName(tags / 2);
        from = Instant.ofEpochMilli(data.timestamp(0));
        to = Instant.ofEpochMilli(data.timestamp(samplesPerTag));
        int window = Math.max(1, samplesPerTag / tags);
        int middle = (samplesPerTag - window) / 2;
        manyFrom = Instant.ofEpochMilli(data.timestamp(middle));
        manyTo = Instant.ofEpochMilli(data.timestamp(middle + window));
        manySamples = (long) window * tags;
        System.out.printf("%n[setup] wrote %,d samples in %.1f s, drain + compact %.1f s, SST bytes %,d (%.3f B/sample)%n",
                written, (loaded - start) / 1e9, (compacted - loaded) / 1e9,
                scratch.historian().stats().storeBytes(),
                scratch.historian().stats().storeBytes() / (double) written);
    }

    @Benchmark
    public void readOneTag(Blackhole bh) {
        long count = 0;
        long tsSum = 0;
        double valueSum = 0;
        try (SampleCursor c = scratch.historian().query(tag).between(from, to).raw()) {
            while (c.next()) {
                tsSum += c.epochMillis();
                valueSum += c.value();
                count++;
            }
        }
        if (count != samplesPerTag) {
            throw new IllegalStateException("read " + count + " samples of " + tag + ", expected " + samplesPerTag);
        }
        bh.consume(tsSum);
        bh.consume(valueSum);
    }

    /**
     * Every tag through one pattern query ({@code std.tag*}), over a window holding as many samples
     * in all as one tag's whole history: {@code samplesPerTag / tags} seconds from the middle of
     * the data. The score is comparable with {@link #readOneTag}: the same sample count, spread
     * over {@code tags} cursors' worth of chunks.
     */
    @Benchmark
    public void readManyTags(Blackhole bh) {
        long count = 0;
        long tsSum = 0;
        double valueSum = 0;
        try (SampleCursor c = scratch.historian().query("std.tag*").between(manyFrom, manyTo).raw()) {
            while (c.next()) {
                tsSum += c.epochMillis();
                valueSum += c.value();
                count++;
            }
        }
        if (count != manySamples) {
            throw new IllegalStateException("read " + count + " samples of std.tag*, expected " + manySamples);
        }
        bh.consume(tsSum);
        bh.consume(valueSum);
    }

    @TearDown(Level.Trial)
    public void close() {
        scratch.close();
    }
}
