package io.historian.modbus;

import io.historian.Historian;
import io.historian.HistorianStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Throughput figures for BENCHMARKS.md (not a test; a main run from the test classpath):
 *
 * <ol>
 *   <li>samples/s one poller delivers, and the bytes its poll thread allocates per poll:
 *       1,000 holding registers (uint16, 8 requests of at most 125) on a local server
 *       (digitalpetri's and j2mod's), polled back to back (1 ms period) for {@code seconds}
 *       into a real Historian, {@code runs} times per Modbus TCP framing (j2mod's transport
 *       and our own), with the median and range;
 *   <li>decode cost per register: {@link Decoder#decode} over 125-register response images,
 *       uint16 and float32 CDAB, after a warm-up.
 * </ol>
 *
 * <pre>
 * (the --add-exports/--add-opens flags the historian asks for are in the module README)
 * flock /tmp/historian-mvn.lock mvn -q -o -pl historian-modbus -am test-compile \
 *     dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * flock /tmp/historian-mvn.lock java -cp \
 *     historian-modbus/target/test-classes:historian-modbus/target/classes:$(cat historian-modbus/target/cp.txt) \
 *     io.historian.modbus.ModbusThroughput 5 3      # seconds per run, runs per framing and server
 * </pre>
 */
public final class ModbusThroughput {
    private ModbusThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.printf(Locale.ROOT, "java %s, %d cpus%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        String[] kinds = {"digitalpetri", "j2mod"};
        // Warm every combination before measuring any: the first one measured would otherwise
        // also pay for the JIT compiling the servers, the historian and the poll path.
        for (ModbusConnection.Framing framing : ModbusConnection.Framing.values()) {
            for (String kind : kinds) {
                poll(kind, framing, seconds, 1000);
            }
        }
        for (ModbusConnection.Framing framing : ModbusConnection.Framing.values()) {
            for (String kind : kinds) {
                double[] samples = new double[runs];
                double[] bytes = new double[runs];
                for (int r = 0; r < runs; r++) {
                    double[] result = poll(kind, framing, seconds, 1000);
                    samples[r] = result[0];
                    bytes[r] = result[1];
                }
                System.out.printf(Locale.ROOT, "SUMMARY framing=%-5s server=%-12s samples/s median %,10.0f "
                        + "(range %,.0f .. %,.0f); bytes allocated per poll median %,8.0f (range %,.0f .. %,.0f)%n",
                        framing, kind, median(samples), min(samples), max(samples), median(bytes), min(bytes),
                        max(bytes));
            }
        }
        decode(DataType.UINT16, WordOrder.ABCD);
        decode(DataType.FLOAT32, WordOrder.CDAB);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }

    /** The device's poll thread, by the name DevicePoller gives it. */
    private static long pollThreadId(String device) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("historian-modbus-" + device)) {
                return t.getId();
            }
        }
        throw new IllegalStateException("no poll thread for " + device);
    }

    /**
     * Polls back to back for {@code seconds}; returns {samples/s, bytes the poll thread
     * allocated per poll} (the thread's allocation counter, so the server's and the
     * historian's allocations are not counted; the sink's copy into the historian is).
     */
    static double[] poll(String kind, ModbusConnection.Framing framing, int seconds, int registers) throws Exception {
        Path dir = Files.createTempDirectory("modbus-throughput");
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (TestServer server = TestServer.of(kind)) {
            for (int i = 0; i < registers; i++) {
                server.holding(i, i);
            }
            String device = "bench-" + kind;
            ModbusSource.Builder b = ModbusSource.tcp("127.0.0.1", server.port()).name(device)
                    .pollEvery(Duration.ofMillis(1)).timeout(Duration.ofSeconds(2)).tcpFraming(framing);
            for (int i = 0; i < registers; i++) {
                b.holdingRegister(i + 1).uint16().tag("r" + i);
            }
            ModbusSource src = b.build();
            long polls0;
            long t0;
            long alloc0;
            long polls1;
            long t1;
            long alloc1;
            HistorianStats stats;
            try (Historian h = Historian.builder().dataDirectory(dir).jmx(false).source(src).build()) {
                while (src.stats().polls() < 3) {
                    Thread.onSpinWait();
                }
                long tid = pollThreadId(device);
                polls0 = src.stats().polls();
                alloc0 = threads.getThreadAllocatedBytes(tid);
                t0 = System.nanoTime();
                long end = t0 + Duration.ofSeconds(seconds).toNanos();
                while (System.nanoTime() < end) {
                    Thread.sleep(50);
                }
                polls1 = src.stats().polls();
                alloc1 = threads.getThreadAllocatedBytes(tid);
                t1 = System.nanoTime();
                h.flush();
                stats = h.stats();
            }
            double secs = (t1 - t0) / 1e9;
            double pollsPerSec = (polls1 - polls0) / secs;
            double bytesPerPoll = (double) (alloc1 - alloc0) / Math.max(1, polls1 - polls0);
            System.out.printf(Locale.ROOT, "%-5s %-12s %4d registers, %d requests/poll, %ds: %8.1f polls/s, "
                    + "%,10.0f samples/s, %,8.0f bytes/poll; historian received %,d, rejected %d, failed polls %d%n",
                    framing, kind, registers, src.requestsPerPoll(), seconds, pollsPerSec, pollsPerSec * registers,
                    bytesPerPoll, stats.receivedSamples(), stats.rejectedSamples(), src.stats().failedPolls());
            return new double[] {pollsPerSec * registers, bytesPerPoll};
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static void decode(DataType type, WordOrder order) {
        int per = 125 / type.registers();
        Point[] points = new Point[per];
        for (int i = 0; i < per; i++) {
            points[i] = new Point("t" + i, 1, Table.HOLDING_REGISTER, i * type.registers(), type, order, -1, 0.1, 0);
        }
        byte[] data = new byte[250];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        double sink = 0;
        long iterations = 0;
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 20; round++) {
            long t = System.nanoTime();
            for (int k = 0; k < 20_000; k++) {
                for (Point p : points) {
                    sink += Decoder.decode(p, data, 0, 0);
                }
            }
            long ns = System.nanoTime() - t;
            iterations += 20_000;
            if (round >= 5) {
                best = Math.min(best, ns);
            }
        }
        System.out.printf(Locale.ROOT, "decode %-7s %s: %.2f ns/value (best of 15 rounds of %,d values; %d rounds total, "
                + "checksum %.1f)%n", type.name().toLowerCase(Locale.ROOT), order, best / (20_000.0 * per), 20_000L * per,
                iterations / 20_000, sink);
    }
}
