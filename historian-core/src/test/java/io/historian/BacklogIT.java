package io.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.testing.BacklogVerifier;
import io.historian.internal.engine.Internals;
import io.historian.testing.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the store writer held back, 20M samples go into the journal only; a child JVM with a
 * 256 MiB heap then opens the historian, replays the backlog, and finds every sample.
 */
class BacklogIT {
    static final int TAGS = 100;
    static final long PER_TAG = Long.getLong("historian.backlogPerTag", 200_000);
    static final long T0 = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    @Test
    void replay_ofA20MSampleBacklog_completesInA256MiBHeap_withEverySample() throws Exception {
        Path data = dir.resolve("data");
        SampleBatch batch = new SampleBatch(TAGS * 100);
        try (Historian h = Internals.openPaused(Historian.builder().dataDirectory(data).jmx(false))) {
            for (long i = 0; i < PER_TAG; i += 100) {
                batch.clear();
                for (long k = i; k < i + 100; k++) {
                    for (int t = 0; t < TAGS; t++) {
                        batch.add(BacklogVerifier.tag(t), T0 + k * 1000, BacklogVerifier.value(t, k), Quality.GOOD);
                    }
                }
                h.write(batch);
            }
            HistorianStats s = h.stats();
            assertEquals(TAGS * PER_TAG, s.journaledSamples());
            assertEquals(0, s.storedSamples(), "the store writer was held back");
        }
        Path log = dir.resolve("child.log");
        Process child = ChildJvm.start(BacklogVerifier.class, "256m", log, data.toString(), Integer.toString(TAGS),
                Long.toString(PER_TAG), Long.toString(T0));
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(child.waitFor(10, TimeUnit.MINUTES));
        System.out.println("BacklogIT child: " + out);
        assertEquals(0, child.exitValue(), out + "\n" + Files.readString(log));
        assertTrue(out.startsWith("OK samples=" + TAGS * PER_TAG + " replayed=" + TAGS * PER_TAG), out);
    }
}
