package io.historian.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.testing.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 50M samples of one tag (1 s period, with one long gap) are written, then a child JVM with a
 * 128 MiB heap runs a raw read, LTTB, MinMaxLTTB, plot values and hourly aggregates over all of
 * them: every mode streams, none holds the range in heap. Size: {@code -Dhistorian.streamingSamples}.
 */
class QueryStreamingIT {
    static final long SAMPLES = Long.getLong("historian.streamingSamples", 50_000_000);
    static final long T0 = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();
    static final String TAG = "big.signal";

    @TempDir
    Path dir;

    static long time(long i) {
        // One gap of a day in the middle.
        return T0 + i * 1000 + (i >= SAMPLES / 2 ? 86_400_000L : 0);
    }

    @Test
    void everyMode_overFiftyMillionSamples_completesInA128MiBHeap() throws Exception {
        Path data = dir.resolve("data");
        try (Historian h = Historian.builder().dataDirectory(data).jmx(false).build()) {
            SampleBatch batch = new SampleBatch(100_000);
            for (long i = 0; i < SAMPLES; i += 100_000) {
                batch.clear();
                for (long k = i; k < Math.min(SAMPLES, i + 100_000); k++) {
                    batch.add(TAG, time(k), Math.round(Math.sin(k / 500.0) * 10_000) / 100.0, Quality.GOOD);
                }
                h.write(batch);
            }
        }
        Path log = dir.resolve("child.log");
        Process child = ChildJvm.start(Child.class, "128m", log, data.toString(), Long.toString(SAMPLES));
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(child.waitFor(10, TimeUnit.MINUTES));
        System.out.println("QueryStreamingIT child: " + out);
        assertEquals(0, child.exitValue(), out + "\n" + Files.readString(log));
        assertTrue(out.startsWith("OK raw=" + SAMPLES + " lttb=2002 "), out);
    }

    /** The child: runs each mode once over the whole range and prints counts and informal timings. */
    public static final class Child {
        public static void main(String[] args) {
            Path data = Path.of(args[0]);
            long n = Long.parseLong(args[1]);
            Instant from = Instant.ofEpochMilli(T0);
            Instant to = Instant.ofEpochMilli(time(n - 1) + 1);
            try (Historian h = Historian.builder().dataDirectory(data).jmx(false).build()) {
                RawQuery q = h.query(TAG).between(from, to);
                long t0 = System.nanoTime();
                long raw = 0;
                try (var c = q.raw()) {
                    while (c.next()) {
                        raw++;
                    }
                }
                long t1 = System.nanoTime();
                long lttb = count(q.lttb(2000));
                long t2 = System.nanoTime();
                long minMax = count(q.minMaxLttb(2000));
                long t3 = System.nanoTime();
                long plot = count(q.plot(800));
                long t4 = System.nanoTime();
                long hours = 0;
                try (AggregateCursor c = q.aggregate(Duration.ofHours(1), Aggregate.TIME_WEIGHTED_MEAN,
                        Aggregate.MIN, Aggregate.MAX, Aggregate.COUNT)) {
                    while (c.next()) {
                        hours++;
                    }
                }
                long t5 = System.nanoTime();
                // Informal warm timings (no assertion): the first runs above include JIT warm-up.
                StringBuilder warm = new StringBuilder();
                for (int i = 0; i < 3; i++) {
                    long w0 = System.nanoTime();
                    count(q.lttb(2000));
                    long w1 = System.nanoTime();
                    count(q.minMaxLttb(2000));
                    long w2 = System.nanoTime();
                    warm.append(" lttb=").append((w1 - w0) / 1_000_000).append(" minMaxLttb=")
                            .append((w2 - w1) / 1_000_000);
                }
                System.out.println("OK raw=" + raw + " lttb=" + lttb + " minMaxLttb=" + minMax + " plot=" + plot
                        + " hours=" + hours + " ms[raw=" + (t1 - t0) / 1_000_000 + " lttb=" + (t2 - t1) / 1_000_000
                        + " minMaxLttb=" + (t3 - t2) / 1_000_000 + " plot=" + (t4 - t3) / 1_000_000 + " hourly="
                        + (t5 - t4) / 1_000_000 + "] warm ms[" + warm.toString().trim() + "] heapMax=" + Runtime.getRuntime().maxMemory() / (1 << 20) + "MiB");
            }
        }

        private static long count(PointCursor c) {
            long k = 0;
            try (c) {
                while (c.next()) {
                    k++;
                }
            }
            return k;
        }
    }
}
