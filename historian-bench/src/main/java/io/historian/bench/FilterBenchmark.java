package io.historian.bench;

import io.historian.FilterStats;
import io.historian.TagDefinition;
import io.historian.internal.filter.Emitter;
import io.historian.internal.filter.SampleFilter;
import io.historian.testing.StandardDataset;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Runs the standard dataset through a tag's exception and swinging-door filters
 * ({@link SampleFilter}), the step between validation and the journal on the write path.
 *
 * <p><b>Workload.</b> 16 tags x 65,536 samples of {@code StandardDataset.standard(16, 65536)} (1 s
 * apart, 2 decimals, all Good), generated in the setup. Each invocation feeds one tag's whole
 * series, in order, to a new filter (the next tag each time, so the branch predictor does not learn
 * one series) and flushes it; the emitter folds what it receives into a checksum. Settings scale
 * with each tag's level (its first value): deadband 0.05 %, swinging-door deviation 0.1 %, ExcMax
 * 10 min, CompMax 1 h. {@code mode}:
 * <ul>
 *   <li>{@code NONE}: no filter; every sample goes straight to the emitter (what the engine does for
 *       a tag without filters: one branch);</li>
 *   <li>{@code DEADBAND}, {@code SWINGING_DOOR}, {@code BOTH}: the filter with that stage, or both.</li>
 * </ul>
 * The setup prints, per mode, the compression ratio and the largest reconstruction error over all
 * tags (from a {@link io.historian.internal.filter.Fidelity} run, not the timed one).
 *
 * <p><b>Scores:</b> nanoseconds per sample ({@code @OperationsPerInvocation(65536)}); under
 * {@code -prof gc}, {@code gc.alloc.rate.norm} is bytes per sample (one filter object per 65,536
 * samples; the filter itself allocates nothing per sample).
 *
 * <p><b>Run:</b>
 * <pre>
 * java -jar historian-bench/target/benchmarks.jar FilterBenchmark -prof gc
 * java -jar historian-bench/target/benchmarks.jar FilterBenchmark -f 1 -wi 2 -i 3 -w 3s -r 3s -prof gc   # quick
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
@Threads(1)
public class FilterBenchmark {
    private static final int TAGS = 16;
    private static final int SAMPLES = 65_536;
    private static final double DEADBAND_FRACTION = 0.0005;
    private static final double DOOR_FRACTION = 0.001;

    /** Which filter stages run. */
    public enum Mode {
        NONE, DEADBAND, SWINGING_DOOR, BOTH
    }

    @Param({"NONE", "DEADBAND", "SWINGING_DOOR", "BOTH"})
    public Mode mode;

    private final long[][] timestamps = new long[TAGS][SAMPLES];
    private final double[][] values = new double[TAGS][SAMPLES];
    private final TagDefinition[] definitions = new TagDefinition[TAGS];
    private final Checksum out = new Checksum();
    private int next;

    /** Folds every emitted sample into two longs, so that nothing the filter emits is dead code. */
    static final class Checksum implements Emitter {
        long count;
        long sum;

        @Override
        public void emit(long t, double v, int quality) {
            count++;
            sum += t ^ Double.doubleToRawLongBits(v) ^ quality;
        }
    }

    @Setup(Level.Trial)
    public void generate() {
        StandardDataset data = StandardDataset.standard(TAGS, SAMPLES);
        long archived = 0;
        double maxError = 0;
        double maxRelative = 0;
        for (int tag = 0; tag < TAGS; tag++) {
            data.fillTimestamps(tag, 0, timestamps[tag], 0, SAMPLES);
            data.fillValues(tag, 0, values[tag], 0, SAMPLES);
            double level = Math.abs(values[tag][0]);
            TagDefinition def = TagDefinition.of(data.tagName(tag));
            if (mode == Mode.DEADBAND || mode == Mode.BOTH) {
                def = def.deadband(level * DEADBAND_FRACTION).exceptionMax(Duration.ofMinutes(10));
            }
            if (mode == Mode.SWINGING_DOOR || mode == Mode.BOTH) {
                def = def.swingingDoor(level * DOOR_FRACTION, Duration.ofHours(1));
            }
            definitions[tag] = def;
            SampleFilter check = SampleFilter.of(def, SAMPLES);
            Checksum sink = new Checksum();
            for (int i = 0; i < SAMPLES; i++) {
                check.offer(timestamps[tag][i], values[tag][i], StandardDataset.QUALITY_GOOD, sink);
            }
            check.flush(sink);
            FilterStats stats = check.stats();
            archived += stats.archived();
            maxError = Math.max(maxError, stats.maxError());
            maxRelative = Math.max(maxRelative, stats.maxError() / level);
        }
        System.out.printf("%n[setup] mode=%s: %d samples -> %d archived, ratio %.2f:1, max error %.4f"
                + " (%.4f %% of the tag's level)%n", mode, (long) TAGS * SAMPLES, archived,
                (double) TAGS * SAMPLES / archived, maxError, 100 * maxRelative);
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public long filter() {
        int tag = next;
        next = (tag + 1) % TAGS;
        long[] ts = timestamps[tag];
        double[] vs = values[tag];
        Checksum sink = out;
        if (mode == Mode.NONE) {
            for (int i = 0; i < SAMPLES; i++) {
                sink.emit(ts[i], vs[i], StandardDataset.QUALITY_GOOD);
            }
            return sink.sum;
        }
        SampleFilter f = SampleFilter.of(definitions[tag]);
        for (int i = 0; i < SAMPLES; i++) {
            f.offer(ts[i], vs[i], StandardDataset.QUALITY_GOOD, sink);
        }
        f.flush(sink);
        return sink.sum;
    }
}
