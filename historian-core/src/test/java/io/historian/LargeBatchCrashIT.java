package io.historian;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.testing.ChildJvm;
import io.historian.testing.LargeBatchWriter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM while it writes 300,000-sample batches, at a seeded moment inside a write, and
 * checks that every batch is all or nothing: acknowledged batches whole, the one in flight whole
 * or absent, none half there. Seed: {@code -Dhistorian.seed}.
 */
class LargeBatchCrashIT {
    @TempDir
    Path dir;

    @Test
    void aKillDuringALargeBatch_leavesItWholeOrAbsent() throws Exception {
        long seed = Long.getLong("historian.seed", System.nanoTime());
        System.out.println("LargeBatchCrashIT seed=" + seed + " (rerun with -Dhistorian.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        Path data = dir.resolve("data");
        Path log = dir.resolve("child.log");
        long next = 0;
        int whole = 0;
        int absent = 0;
        for (int cycle = 0; cycle < 6; cycle++) {
            AtomicLong started = new AtomicLong(-1);
            AtomicLong acked = new AtomicLong(-1);
            Process child = ChildJvm.start(LargeBatchWriter.class, "1g", log, data.toString(), Long.toString(next));
            Thread pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.startsWith("START ")) {
                            started.set(Long.parseLong(line.substring(6)));
                        } else if (line.startsWith("ACK ")) {
                            acked.set(Long.parseLong(line.substring(4)));
                        }
                    }
                } catch (java.io.IOException e) {
                    // the child died: its stream ends
                }
            }, "large-batch-stdout");
            pump.setDaemon(true);
            pump.start();
            long target = next + random.nextInt(2);
            long delayNanos = random.nextLong(1_000_000_000L);
            try {
                await("child starts batch " + target).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(1))
                        .until(() -> started.get() >= target || !child.isAlive());
                // Somewhere inside the write of batch `target` (or just after it).
                LockSupport.parkNanos(delayNanos);
            } finally {
                child.destroyForcibly();
                child.waitFor();
                pump.join();
            }
            assertTrue(started.get() >= target, "the child died on its own; see " + log);
            long lastAck = acked.get();
            long inFlight = started.get();
            try (Historian h = Historian.builder().dataDirectory(data).jmx(false).build()) {
                for (long n = next; n <= inFlight; n++) {
                    long present = count(h, n);
                    if (n <= lastAck) {
                        assertEquals(LargeBatchWriter.SIZE, present, "acknowledged batch " + n + " (cycle " + cycle + ")");
                    } else {
                        assertTrue(present == 0 || present == LargeBatchWriter.SIZE,
                                "batch " + n + " in flight at the kill is half there: " + present + " samples");
                        if (present == 0) {
                            absent++;
                        } else {
                            whole++;
                        }
                    }
                }
                // The next run starts after the last batch the store holds whole.
                next = count(h, inFlight) == LargeBatchWriter.SIZE ? inFlight + 1 : inFlight;
            }
        }
        System.out.println("LargeBatchCrashIT: in-flight batches whole=" + whole + " absent=" + absent);
    }

    private static long count(Historian h, long n) {
        long total = 0;
        Instant from = Instant.ofEpochMilli(LargeBatchWriter.timestamp(n, 0));
        Instant to = Instant.ofEpochMilli(LargeBatchWriter.timestamp(n + 1, 0));
        for (int t = 0; t < LargeBatchWriter.TAGS; t++) {
            try (var c = h.query(LargeBatchWriter.tag(t)).between(from, to).raw()) {
                while (c.next()) {
                    assertEquals(n * 1_000_000.0, Math.floor(c.value() / 1_000_000) * 1_000_000, "value of batch " + n);
                    total++;
                }
            }
        }
        return total;
    }
}
