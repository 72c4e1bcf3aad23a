package io.historian;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.historian.query.SampleCursor;
import io.historian.testing.ChildJvm;
import io.historian.testing.SegmentRollWriter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing child JVM where the journal creates segment files: within a few milliseconds
 * of the open (the first write creates the session's segment) and around rolls to the next
 * segment. After each kill the directory must open, take a write and close without waiting on a
 * half-created file, and hold every acknowledged sample exactly once. A directory serves ten
 * cycles, so later opens meet what earlier kills left. Cycles: {@code -Dhistorian.segmentKillCycles}
 * (50 in the build, 500 in the {@code soak} profile); seed: {@code -Dhistorian.seed}.
 */
class SegmentCreationCrashIT {
    /** An open that waited on a half-created header took about a minute; a healthy one well under a second. */
    static final Duration NO_STALL = Duration.ofSeconds(30);
    static final int CYCLES_PER_DIRECTORY = 10;

    @TempDir
    Path dir;

    @Test
    void killAtSegmentCreation_nextOpenIsPrompt_andEveryAcknowledgedSampleIsThereOnce() throws Exception {
        int cycles = Integer.getInteger("historian.segmentKillCycles", 50);
        long seed = Long.getLong("historian.seed", System.nanoTime());
        System.out.println("SegmentCreationCrashIT seed=" + seed + " cycles=" + cycles
                + " (rerun with -Dhistorian.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        Path log = dir.resolve("child.log");
        Path data = null;
        long nextBatch = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            if (cycle % CYCLES_PER_DIRECTORY == 0) {
                data = dir.resolve("data" + cycle);
                nextBatch = 0;
            }
            boolean atFirstWrite = random.nextBoolean();
            // At the open: 0 to 3 ms after the child says it is open. At a roll: a segment takes
            // a few dozen batches, so 1 to 120 acknowledged batches cross one or two rolls.
            int killAfterAcks = atFirstWrite ? 0 : 1 + random.nextInt(120);
            long extraNanos = random.nextLong(3_000_000);
            long acked = runAndKill(data, nextBatch, killAfterAcks, extraNanos, log, cycle);
            Path reopened = data;
            long expectedUpTo = acked;
            assertTimeoutPreemptively(NO_STALL, () -> verify(reopened, expectedUpTo),
                    "reopen after a kill in cycle " + cycle + " (seed " + seed + ")");
            VerifyReport report = Historian.builder().dataDirectory(data).verify();
            assertTrue(report.healthy(), "cycle " + cycle + " (seed " + seed + "): " + report);
            nextBatch = acked + 1;
        }
    }

    /** Runs the child until it acknowledged {@code killAfterAcks} batches (or opened), waits, kills it; returns the last acknowledged batch. */
    private static long runAndKill(Path data, long first, int killAfterAcks, long extraNanos, Path log, int cycle)
            throws Exception {
        AtomicBoolean open = new AtomicBoolean();
        AtomicLong lastAck = new AtomicLong(first - 1);
        Process child = ChildJvm.start(SegmentRollWriter.class, "512m", log, data.toString(), Long.toString(first));
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.equals("OPEN")) {
                        open.set(true);
                    } else if (line.startsWith("ACK ")) {
                        lastAck.set(Long.parseLong(line.substring(4)));
                    }
                }
            } catch (java.io.IOException e) {
                // the child died: its stream ends
            }
        }, "segment-kill-stdout");
        pump.setDaemon(true);
        pump.start();
        try {
            await("child opens and acknowledges " + killAfterAcks + " batches in cycle " + cycle)
                    .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(1))
                    .until(() -> !child.isAlive()
                            || (open.get() && lastAck.get() >= first + killAfterAcks - 1));
            LockSupport.parkNanos(extraNanos);
        } finally {
            child.destroyForcibly();
            child.waitFor();
            pump.join();
        }
        if (!open.get() || lastAck.get() < first + killAfterAcks - 1) {
            fail("child died before it was killed in cycle " + cycle + "; see " + log + ": " + Files.readString(log));
        }
        return lastAck.get();
    }

    /**
     * Opens, checks that batches 0 to {@code lastAcked} are there exactly once (the batch in
     * flight at the kill may be there too), writes one sample and closes.
     */
    private static void verify(Path data, long lastAcked) {
        try (Historian h = Historian.builder().dataDirectory(data).jmx(false)
                .journalBudget(SegmentRollWriter.BUDGET).build()) {
            if (h.tags().stream().noneMatch(d -> d.name().equals(SegmentRollWriter.tag(0)))) {
                // Killed before its first write registered the tags.
                if (lastAcked >= 0) {
                    fail("batches 0 to " + lastAcked + " were acknowledged, but their tags are unknown");
                }
                h.write("roll.probe", Instant.ofEpochMilli(SegmentRollWriter.T0), 1.0);
                return;
            }
            for (int t = 0; t < SegmentRollWriter.TAGS; t++) {
                String tag = SegmentRollWriter.tag(t);
                long n = 0;
                int k = 0;
                try (SampleCursor c = h.query(tag).between(Instant.ofEpochMilli(0), Instant.ofEpochMilli(Long.MAX_VALUE / 2))
                        .raw()) {
                    while (c.next()) {
                        long expected = SegmentRollWriter.timestamp(n, k);
                        if (c.timestamp().toEpochMilli() != expected
                                || c.value() != SegmentRollWriter.value(n, t, k)) {
                            fail("sample lost, repeated or wrong [tag=" + tag + ", batch=" + n + ", k=" + k
                                    + ", expected " + Instant.ofEpochMilli(expected) + ", found " + c.timestamp()
                                    + " = " + c.value() + "]");
                        }
                        if (++k == SegmentRollWriter.PER_TAG) {
                            k = 0;
                            n++;
                        }
                    }
                }
                if (n <= lastAcked || k != 0) {
                    fail("acknowledged samples missing [tag=" + tag + ", complete batches=" + n + ", partial=" + k
                            + ", last acknowledged batch=" + lastAcked + "]");
                }
            }
            h.write("roll.probe", Instant.ofEpochMilli(SegmentRollWriter.T0 + lastAcked), 1.0);
        }
    }
}
