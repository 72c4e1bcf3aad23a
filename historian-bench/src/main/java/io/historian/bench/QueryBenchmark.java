package io.historian.bench;

import io.historian.DataSize;
import io.historian.ValueAt;
import io.historian.query.Aggregate;
import io.historian.query.AggregateCursor;
import io.historian.query.PointCursor;
import io.historian.testing.StandardDataset;
import java.time.Duration;
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
 * The query modes over one tag's whole history, hot, decoding included: LTTB and MinMaxLTTB to
 * {@code points} points, plot values for {@code columns} pixel columns, hourly aggregates and
 * interpolation at a 1-minute step; and the point queries {@code latest} and
 * {@code valueAt(INTERPOLATED)} (scored in microseconds). Raw reads are in {@link RawReadBenchmark}.
 *
 * <p><b>Workload.</b> The setup writes {@code samplesPerTag} samples of one tag (default 10M: 1 s
 * data, about 116 days; use {@code -p samplesPerTag=31536000} for the year of DESIGN's hourly
 * target) of the standard dataset through the batch API, drains the store writer and compacts, so
 * every sample sits in a committed chunk. Each invocation opens one cursor over the full range,
 * consumes it into a {@link Blackhole} and closes it.
 *
 * <p><b>Score:</b> milliseconds per query (microseconds for the point queries). DESIGN section 13: LTTB of 10M samples to 2,000 points,
 * decode included, under 60 ms.
 *
 * <p><b>Run:</b>
 * <pre>
 * java -jar historian-bench/target/benchmarks.jar QueryBenchmark
 * java -jar historian-bench/target/benchmarks.jar QueryBenchmark.lttb -p samplesPerTag=1000000
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.EXPORT_REF, ForkFlags.EXPORT_JAVAC_FILE, ForkFlags.OPEN_LANG,
        ForkFlags.OPEN_REFLECT, ForkFlags.OPEN_NIO_CH, ForkFlags.NO_ANALYTICS, ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
@Threads(1)
public class QueryBenchmark {

    @Param({"10000000"})
    public int samplesPerTag;

    @Param({"2000"})
    public int points;

    @Param({"800"})
    public int columns;

    private ScratchHistorian scratch;
    private String tag;
    private Instant from;
    private Instant to;
    private Instant middle;

    @Setup(Level.Trial)
    public void load() {
        scratch = ScratchHistorian.open(DataSize.ofGigabytes(4));
        StandardDataset data = StandardDataset.standard(1, samplesPerTag);
        DatasetLoader.load(scratch.historian(), data, 10_000);
        scratch.commitAndCompact(data.tagName(0));
        tag = data.tagName(0);
        from = Instant.ofEpochMilli(data.timestamp(0));
        to = Instant.ofEpochMilli(data.timestamp(samplesPerTag));
        // Half a period after a sample, so the value is interpolated between two.
        middle = Instant.ofEpochMilli(data.timestamp(samplesPerTag / 2) + StandardDataset.PERIOD_MS / 2);
    }

    @Benchmark
    public long lttb(Blackhole bh) {
        return drain(scratch.historian().query(tag).between(from, to).lttb(points), bh);
    }

    @Benchmark
    public long minMaxLttb(Blackhole bh) {
        return drain(scratch.historian().query(tag).between(from, to).minMaxLttb(points), bh);
    }

    @Benchmark
    public long plot(Blackhole bh) {
        return drain(scratch.historian().query(tag).between(from, to).plot(columns), bh);
    }

    @Benchmark
    public long hourlyAggregates(Blackhole bh) {
        long n = 0;
        try (AggregateCursor c = scratch.historian().query(tag).between(from, to).aggregate(Duration.ofHours(1),
                Aggregate.TIME_WEIGHTED_MEAN, Aggregate.MIN, Aggregate.MAX, Aggregate.COUNT)) {
            while (c.next()) {
                bh.consume(c.value(0));
                bh.consume(c.value(1));
                bh.consume(c.value(2));
                n++;
            }
        }
        return n;
    }

    @Benchmark
    public long hourlyMinMaxFromHeaders(Blackhole bh) {
        long n = 0;
        try (AggregateCursor c = scratch.historian().query(tag).between(from, to).aggregate(Duration.ofHours(1),
                Aggregate.MIN, Aggregate.MAX, Aggregate.COUNT)) {
            while (c.next()) {
                bh.consume(c.value(0));
                n++;
            }
        }
        return n;
    }

    /** Linear interpolation at a 1-minute step over the whole history (about 167,000 points for 10M samples). */
    @Benchmark
    public long interpolatedMinutes(Blackhole bh) {
        return drain(scratch.historian().query(tag).between(from, to).interpolated(Duration.ofMinutes(1)), bh);
    }

    /** The latest sample: the open chunk in memory or the last committed one. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object latest() {
        return scratch.historian().latest(tag).orElseThrow();
    }

    /** The interpolated value at a time inside the history (one chunk found and decoded). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object valueAtInterpolated() {
        return scratch.historian().valueAt(tag, middle, ValueAt.INTERPOLATED).orElseThrow();
    }

    private static long drain(PointCursor c, Blackhole bh) {
        long n = 0;
        try (c) {
            while (c.next()) {
                bh.consume(c.value());
                n++;
            }
        }
        return n;
    }

    @TearDown(Level.Trial)
    public void close() {
        scratch.close();
    }
}
