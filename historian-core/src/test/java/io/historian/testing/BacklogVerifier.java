package io.historian.testing;

import io.historian.Historian;
import io.historian.query.SampleCursor;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The child side of the backlog test: opens a historian whose journal holds a large backlog
 * (replaying it within the child's small heap), then counts and checks every sample and prints
 * {@code OK samples=N replayed=M maxHeapUsedMiB=H}.
 */
public final class BacklogVerifier {
    private BacklogVerifier() {
    }

    /** The value of sample {@code i} of tag {@code t}. */
    public static double value(int t, long i) {
        return Math.round((100 + t + Math.sin(i / 500.0) * 10) * 100) / 100.0;
    }

    /** The tag name of index {@code t}. */
    public static String tag(int t) {
        return "backlog.tag" + t;
    }

    /** args: data directory, tags, samples per tag, first timestamp (epoch ms). */
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int tags = Integer.parseInt(args[1]);
        long perTag = Long.parseLong(args[2]);
        long t0 = Long.parseLong(args[3]);
        long total = 0;
        long replayed;
        try (Historian h = Historian.builder().dataDirectory(dir).jmx(false).build()) {
            replayed = h.stats().replayedSamples();
            for (int t = 0; t < tags; t++) {
                long i = 0;
                try (SampleCursor c = h.query(tag(t)).between(Instant.ofEpochMilli(t0), Instant.ofEpochMilli(Long.MAX_VALUE))
                        .raw()) {
                    while (c.next()) {
                        if (c.epochMillis() != t0 + i * 1000 || c.value() != value(t, i)) {
                            System.out.println("MISMATCH tag=" + tag(t) + " i=" + i + " ts=" + c.epochMillis()
                                    + " value=" + c.value());
                            System.exit(2);
                        }
                        i++;
                    }
                }
                if (i != perTag) {
                    System.out.println("COUNT tag=" + tag(t) + " expected=" + perTag + " found=" + i);
                    System.exit(3);
                }
                total += i;
            }
        }
        long heapMiB = 0;
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                heapMiB += pool.getPeakUsage().getUsed() >> 20;
            }
        }
        System.out.println("OK samples=" + total + " replayed=" + replayed + " peakHeapMiB=" + heapMiB);
    }
}
