package io.historian.bench;

import io.historian.modbus.DecodeBenchSupport;
import io.historian.modbus.WordOrder;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decodes Modbus register responses into sample values with historian-modbus's decoder, the step
 * between a device's response and the write batch in every poll.
 *
 * <p><b>Workload.</b> One block of 1,000 contiguous holding registers per data type, planned into
 * requests by the production planner with the defaults (at most 125 registers per request, no
 * gap), holding plausible values drawn from a fixed seed. Each invocation decodes every value of
 * every request of the block into an array, in the loop {@code DevicePoller} runs per poll
 * (the batch replaced by the array, which goes to the {@link Blackhole}):
 * <ul>
 *   <li>{@code uint16Abcd}: 1,000 uint16 ABCD, 8 requests of 125 values;</li>
 *   <li>{@code int32CdabScaled}: 500 int32 CDAB with scale 0.1, 9 requests of at most 62 values
 *       (124 registers: a value is never split across requests);</li>
 *   <li>{@code float32CdabScaled}: 500 float32 CDAB with scale 0.1, planned the same way;</li>
 *   <li>{@code float64Abcd}: 250 float64 ABCD, 9 requests of at most 31 values.</li>
 * </ul>
 * The setup checks that every value decodes to what was placed in the registers and prints the
 * plan of each block. The decoder is package-private; {@link DecodeBenchSupport} reaches it.
 *
 * <p><b>Scores:</b> nanoseconds per value ({@code @OperationsPerInvocation} = values in the block);
 * under {@code -prof gc}, {@code gc.alloc.rate.norm} is bytes per value, and should be 0: decoding
 * allocates nothing.
 *
 * <p><b>Run:</b>
 * <pre>
 * java -jar historian-bench/target/benchmarks.jar ModbusDecodeBenchmark -prof gc
 * java -jar historian-bench/target/benchmarks.jar ModbusDecodeBenchmark -f 1 -wi 2 -i 3 -w 3s -r 3s -prof gc   # quick
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
@Threads(1)
public class ModbusDecodeBenchmark {
    private static final int REGISTERS = 1000;
    private static final long SEED = 42;

    private DecodeBenchSupport uint16;
    private DecodeBenchSupport int32;
    private DecodeBenchSupport float32;
    private DecodeBenchSupport float64;
    private final double[] out = new double[REGISTERS];

    @Setup(Level.Trial)
    public void plan() {
        uint16 = DecodeBenchSupport.contiguous("uint16", WordOrder.ABCD, 1, REGISTERS, SEED);
        int32 = DecodeBenchSupport.contiguous("int32", WordOrder.CDAB, 0.1, REGISTERS, SEED);
        float32 = DecodeBenchSupport.contiguous("float32", WordOrder.CDAB, 0.1, REGISTERS, SEED);
        float64 = DecodeBenchSupport.contiguous("float64", WordOrder.ABCD, 1, REGISTERS, SEED);
        System.out.println();
        for (DecodeBenchSupport block : new DecodeBenchSupport[] {uint16, int32, float32, float64}) {
            block.verify();
            System.out.println("[setup] " + block.describe());
        }
    }

    @Benchmark
    @OperationsPerInvocation(REGISTERS)
    public void uint16Abcd(Blackhole bh) {
        bh.consume(uint16.decodeInto(out));
        bh.consume(out);
    }

    @Benchmark
    @OperationsPerInvocation(REGISTERS / 2)
    public void int32CdabScaled(Blackhole bh) {
        bh.consume(int32.decodeInto(out));
        bh.consume(out);
    }

    @Benchmark
    @OperationsPerInvocation(REGISTERS / 2)
    public void float32CdabScaled(Blackhole bh) {
        bh.consume(float32.decodeInto(out));
        bh.consume(out);
    }

    @Benchmark
    @OperationsPerInvocation(REGISTERS / 4)
    public void float64Abcd(Blackhole bh) {
        bh.consume(float64.decodeInto(out));
        bh.consume(out);
    }
}
