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
 *   <li>samples/s one poller delivers: 1,000 holding registers (uint16, 8 requests of at most
 *       125) on a local server (digitalpetri's and j2mod's), polled back to back (1 ms period)
 *       for {@code seconds} into a real Historian;
 *   <li>decode cost per register: {@link Decoder#decode} over 125-register response images,
 *       uint16 and float32 CDAB, after a warm-up.
 * </ol>
 *
 * <pre>
 * (the --add-exports/--add-opens flags the historian asks for are in the module README)
 * cd /work/main &amp;&amp; flock /tmp/mvn.lock mvn -q -o -pl historian-modbus test-compile \
 *     dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp historian-modbus/target/test-classes:historian-modbus/target/classes:$(cat historian-modbus/target/cp.txt) \
 *     io.historian.modbus.ModbusThroughput 5
 * </pre>
 */
public final class ModbusThroughput {
    private ModbusThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        System.out.printf(Locale.ROOT, "java %s, %d cpus%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        for (String kind : new String[] {"digitalpetri", "j2mod"}) {
            poll(kind, 1, 1000);             // warm-up
            poll(kind, seconds, 1000);
        }
        decode(DataType.UINT16, WordOrder.ABCD);
        decode(DataType.FLOAT32, WordOrder.CDAB);
    }

    static void poll(String kind, int seconds, int registers) throws Exception {
        Path dir = Files.createTempDirectory("modbus-throughput");
        try (TestServer server = TestServer.of(kind)) {
            for (int i = 0; i < registers; i++) {
                server.holding(i, i);
            }
            ModbusSource.Builder b = ModbusSource.tcp("127.0.0.1", server.port()).name("bench-" + kind)
                    .pollEvery(Duration.ofMillis(1)).timeout(Duration.ofSeconds(2));
            for (int i = 0; i < registers; i++) {
                b.holdingRegister(i + 1).uint16().tag("r" + i);
            }
            ModbusSource src = b.build();
            long polls0;
            long t0;
            long polls1;
            long t1;
            HistorianStats stats;
            try (Historian h = Historian.builder().dataDirectory(dir).jmx(false).source(src).build()) {
                while (src.stats().polls() < 3) {
                    Thread.onSpinWait();
                }
                polls0 = src.stats().polls();
                t0 = System.nanoTime();
                long end = t0 + Duration.ofSeconds(seconds).toNanos();
                while (System.nanoTime() < end) {
                    Thread.sleep(50);
                }
                polls1 = src.stats().polls();
                t1 = System.nanoTime();
                h.flush();
                stats = h.stats();
            }
            double secs = (t1 - t0) / 1e9;
            double pollsPerSec = (polls1 - polls0) / secs;
            System.out.printf(Locale.ROOT, "%-12s %4d registers, %d requests/poll, %ds: %8.1f polls/s, "
                    + "%,10.0f samples/s; historian received %,d, rejected %d, failed polls %d%n",
                    kind, registers, src.requestsPerPoll(), seconds, pollsPerSec, pollsPerSec * registers,
                    stats.receivedSamples(), stats.rejectedSamples(), src.stats().failedPolls());
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
