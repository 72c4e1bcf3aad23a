package io.historian;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.historian.testing.ChildJvm;
import io.historian.testing.CrashWriter;
import io.historian.testing.Reads;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing child JVM with {@code destroyForcibly()} at random moments, reopens, and checks
 * that every acknowledged sample is present exactly once. Cycles: {@code -Dhistorian.crashCycles}
 * (20 in the normal build, 500 in the {@code soak} profile); seed: {@code -Dhistorian.seed}.
 */
class CrashIT {
    @TempDir
    Path dir;

    @Test
    void write_afterKill_everyAcknowledgedSampleIsBackExactlyOnce() throws Exception {
        int cycles = Integer.getInteger("historian.crashCycles", 20);
        long seed = Long.getLong("historian.seed", System.nanoTime());
        System.out.println("CrashIT seed=" + seed + " cycles=" + cycles + " (rerun with -Dhistorian.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        Path data = dir.resolve("data");
        Path log = dir.resolve("child.log");
        long nextBatch = 0;
        long totalAcked = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            int killAfter = 1 + random.nextInt(300);
            AtomicLong lastAck = new AtomicLong(-1);
            Process child = ChildJvm.start(CrashWriter.class, "256m", log, data.toString(), Long.toString(nextBatch));
            Thread pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.startsWith("ACK ")) {
                            lastAck.set(Long.parseLong(line.substring(4)));
                        }
                    }
                } catch (java.io.IOException e) {
                    // the child died: its stream ends
                }
            }, "crash-test-stdout");
            pump.setDaemon(true);
            pump.start();
            long first = nextBatch;
            try {
                await("child acknowledges " + killAfter + " batches in cycle " + cycle)
                        .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(1))
                        .until(() -> lastAck.get() >= first + killAfter - 1 || !child.isAlive());
            } finally {
                child.destroyForcibly();
                child.waitFor();
                pump.join();
            }
            if (lastAck.get() < first + killAfter - 1) {
                fail("child died before it was killed in cycle " + cycle + "; see " + log + ": "
                        + java.nio.file.Files.readString(log));
            }
            long acked = lastAck.get();
            totalAcked += acked - first + 1;
            verify(data, acked);
            nextBatch = acked + 1;
        }
        assertTrue(totalAcked >= cycles, "acknowledged batches: " + totalAcked);
    }

    private static void verify(Path data, long lastAcked) {
        try (Historian h = Historian.builder().dataDirectory(data).jmx(false).chunkMaxSamples(64).build()) {
            for (int t = 0; t < CrashWriter.TAGS; t++) {
                List<Sample> all = Reads.all(h, CrashWriter.tag(t));
                Map<Long, Double> byTs = new HashMap<>();
                for (Sample s : all) {
                    Double previous = byTs.put(s.timestamp().toEpochMilli(), s.value());
                    assertEquals(null, previous, "sample twice at " + s.timestamp());
                }
                for (long n = 0; n <= lastAcked; n++) {
                    for (int k = 0; k < CrashWriter.PER_TAG; k++) {
                        Double v = byTs.get(CrashWriter.timestamp(n, k));
                        if (v == null || v != CrashWriter.value(n, t, k)) {
                            fail("acknowledged sample lost or wrong [tag=" + CrashWriter.tag(t) + ", batch=" + n
                                    + ", k=" + k + ", found=" + v + "]");
                        }
                    }
                }
                for (int i = 1; i < all.size(); i++) {
                    assertTrue(all.get(i - 1).timestamp().isBefore(all.get(i).timestamp()));
                }
            }
        }
    }
}
