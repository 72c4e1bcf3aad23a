package io.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.query.SampleCursor;
import io.historian.testing.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exception and compression filters inside a running historian: what is stored is a subset of what
 * was written that stays within the deviation, the newest sample survives a close and a crash, and
 * the report adds up.
 */
class FilteredTagTest {
    static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    static final String TAG = "pump.speed";
    static final double DEVIATION = 0.5;

    @TempDir
    Path dir;

    static TagDefinition pumpSpeed() {
        return TagDefinition.of(TAG).swingingDoor(DEVIATION, Duration.ofHours(1));
    }

    /** A ramp, a plateau with noise below the deviation, a step and a ramp down: 2,000 samples. */
    static double input(int i) {
        if (i < 500) {
            return i * 0.1;
        }
        if (i < 1000) {
            return 50 + ((i * 7919) % 5) * 0.05;
        }
        if (i < 1500) {
            return 80;
        }
        return 80 - (i - 1500) * 0.2;
    }

    static final int N = 2000;

    static Historian.Builder builder(Path data) {
        return Historian.builder().dataDirectory(data).jmx(false).tag(pumpSpeed());
    }

    static void writeAll(Historian h) {
        for (int i = 0; i < N; i++) {
            h.write(TAG, T0 + i * 1000L, input(i), Quality.GOOD);
        }
    }

    static List<double[]> readAll(Historian h) {
        List<double[]> out = new ArrayList<>();
        try (SampleCursor c = h.query(TAG).between(Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + N * 1000L)).raw()) {
            while (c.next()) {
                out.add(new double[] {c.epochMillis(), c.value()});
            }
        }
        return out;
    }

    /** Every stored sample is an input, the last input is stored, and the stored line stays within the deviation. */
    static void assertFaithful(List<double[]> stored) {
        assertTrue(stored.size() > 2 && stored.size() < N / 10, "compression kept " + stored.size() + " of " + N);
        for (double[] s : stored) {
            int i = (int) ((long) s[0] - T0) / 1000;
            assertEquals(input(i), s[1], 0.0, "stored sample " + i + " is not the input");
        }
        assertEquals(T0, (long) stored.get(0)[0], "first input stored");
        assertEquals(T0 + (N - 1) * 1000L, (long) stored.get(stored.size() - 1)[0], "last input stored");
        int k = 0;
        for (int i = 0; i < N; i++) {
            long t = T0 + i * 1000L;
            while ((long) stored.get(k + 1)[0] < t) {
                k++;
            }
            double[] a = stored.get(k);
            double[] b = stored.get(k + 1);
            double line = a[1] + (b[1] - a[1]) * (t - a[0]) / (b[0] - a[0]);
            assertTrue(Math.abs(line - input(i)) <= DEVIATION + 1e-9,
                    "input " + i + " = " + input(i) + " is " + Math.abs(line - input(i)) + " from the stored line");
        }
    }

    @Test
    void swingingDoor_storesAFaithfulSubset_andArchivesTheSnapshotAtClose() {
        Path data = dir.resolve("data");
        try (Historian h = builder(data).build()) {
            writeAll(h);
            FilterStats s = h.compression(TAG).orElseThrow();
            assertEquals(N, s.offered());
            assertEquals(s.offered(), s.archived() + s.filtered() + s.pending());
            assertTrue(s.compressionRatio() > 10, "ratio " + s.compressionRatio());
            assertTrue(s.maxError() <= DEVIATION + 1e-9, "max error " + s.maxError());
            assertEquals(N, h.stats(TAG).journaledSamples(), "the journal keeps every input");
        }
        try (Historian h = builder(data).build()) {
            assertFaithful(readAll(h));
            assertTrue(h.compression(TAG).isEmpty(), "no sample since this open");
        }
    }

    @Test
    void filterSettings_registeredAtRunTime_surviveARestart() {
        Path data = dir.resolve("data");
        TagDefinition flow = TagDefinition.of("line-1/flow").unit("m3/h").span(0, 400).deadbandPercent(0.5)
                .exceptionMin(Duration.ofSeconds(2)).exceptionMax(Duration.ofMinutes(20))
                .swingingDoor(1.5, Duration.ofSeconds(5), Duration.ofHours(2));
        try (Historian h = Historian.builder().dataDirectory(data).jmx(false).build()) {
            h.register(flow);
        }
        try (Historian h = Historian.builder().dataDirectory(data).jmx(false).build()) {
            assertEquals(flow, h.tag("line-1/flow").orElseThrow());
            for (int i = 0; i < 100; i++) {
                h.write("line-1/flow", Instant.ofEpochMilli(T0 + i * 1000L), 100.0, Quality.GOOD);
            }
            assertTrue(h.compression("line-1/flow").orElseThrow().filtered() > 90, "the restored filter works");
        }
    }

    @Test
    void aFilterRegisteredWhileTheTagIsLive_appliesFromThenOn() {
        try (Historian h = Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).build()) {
            for (int i = 0; i < 100; i++) {
                h.write("tank.level", Instant.ofEpochMilli(T0 + i * 1000L), 5.0);
            }
            assertTrue(h.compression("tank.level").isEmpty());
            h.register(TagDefinition.of("tank.level").deadband(1.0));
            for (int i = 100; i < 200; i++) {
                h.write("tank.level", Instant.ofEpochMilli(T0 + i * 1000L), 5.0);
            }
            FilterStats s = h.compression("tank.level").orElseThrow();
            assertEquals(100, s.offered(), "only the samples after the change are offered");
            assertTrue(s.filtered() > 90, "repeats inside the deadband are dropped: " + s);
            long stored = 0;
            try (SampleCursor c = h.query("tank.level").raw()) {
                while (c.next()) {
                    stored++;
                }
            }
            assertEquals(100 + s.archived(), stored, "every sample before the change is stored");
        }
    }

    @Test
    void tagWithoutFilter_hasNoReport_andUnknownTagIsNamed() {
        try (Historian h = builder(dir.resolve("data")).build()) {
            h.write("plain", Instant.ofEpochMilli(T0), 1.0);
            assertTrue(h.compression("plain").isEmpty());
            TagNotFoundException e = org.junit.jupiter.api.Assertions.assertThrows(TagNotFoundException.class,
                    () -> h.compression("nope"));
            assertTrue(e.getMessage().contains("nope"), e.getMessage());
        }
    }

    @Test
    void crashWhileTheFilterHoldsSamples_losesNothing() throws Exception {
        Path data = dir.resolve("data");
        Path log = dir.resolve("child.log");
        Process child = ChildJvm.start(CrashingWriter.class, "256m", log, data.toString());
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(child.waitFor(2, TimeUnit.MINUTES));
        assertEquals("WRITTEN", out, Files.readString(log));
        // The first open replays the journal into a fresh filter; its close archives what it holds.
        try (Historian h = builder(data).build()) {
            assertTrue(h.stats().replayedSamples() > 0, "the samples the filter held were replayed");
        }
        try (Historian h = builder(data).build()) {
            assertFaithful(readAll(h));
        }
    }

    /**
     * Writes every input, waits until everything the filter archived is committed (open chunks
     * sealed by age), so the only copy of what it still holds is in the journal, then halts without
     * closing, as a crash would.
     */
    public static final class CrashingWriter {
        public static void main(String[] args) throws InterruptedException {
            Historian h = builder(Path.of(args[0])).commitInterval(Duration.ofMillis(10))
                    .chunkMaxAge(Duration.ofMillis(50)).build();
            writeAll(h);
            h.flush();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (h.stats().storedSamples() < h.compression(TAG).orElseThrow().archived()
                    || h.stats().pendingSamples() > 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("archived samples were not committed: " + h.stats());
                }
                Thread.onSpinWait();
            }
            System.out.println("WRITTEN");
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
    }
}
