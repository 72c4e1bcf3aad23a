package io.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.testing.Reads;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers and readers on several threads at once: nothing lost, reads always in order. */
class ConcurrencyTest {
    static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    @Test
    void concurrentWritersAndReaders_loseNothing_andReadInOrder() throws Exception {
        int writers = 4;
        int batches = 200;
        int perBatch = 250;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
        try (Historian h = Historian.builder().dataDirectory(dir).jmx(false).chunkMaxSamples(128)
                .tag(TagDefinition.of("w0")).tag(TagDefinition.of("w1")).build()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                futures.add(pool.submit(() -> {
                    SampleBatch batch = new SampleBatch();
                    for (int b = 0; b < batches; b++) {
                        batch.clear();
                        for (int i = 0; i < perBatch; i++) {
                            long n = (long) b * perBatch + i;
                            batch.add("w" + writer, T0 + n * 1000, n, Quality.GOOD);
                        }
                        if (b % 10 == 0) {
                            h.write("single", T0 + (writer * 1_000_000L + b) * 1000, b, Quality.GOOD);
                        }
                        h.write(batch);
                    }
                    return null;
                }));
            }
            for (int r = 0; r < 2; r++) {
                int reader = r;
                futures.add(pool.submit(() -> {
                    for (int k = 0; k < 50; k++) {
                        List<Sample> all = Reads.all(h, "w" + reader);
                        for (int i = 1; i < all.size(); i++) {
                            assertTrue(all.get(i - 1).timestamp().isBefore(all.get(i).timestamp()));
                        }
                        h.latest("w" + reader);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
            for (int w = 0; w < writers; w++) {
                List<Sample> all = Reads.all(h, "w" + w);
                assertEquals(batches * perBatch, all.size());
                for (int i = 0; i < all.size(); i++) {
                    assertEquals(i, all.get(i).value());
                }
            }
            assertEquals(writers * batches / 10, Reads.all(h, "single").size());
            HistorianStats s = h.stats();
            assertEquals(writers * batches * perBatch + writers * batches / 10, s.journaledSamples());
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
        }
    }

    @Test
    void powerLossDurability_syncsEveryWrite_andReadsBack() {
        try (Historian h = Historian.builder().dataDirectory(dir).jmx(false).durability(Durability.POWER_LOSS).build()) {
            for (int i = 0; i < 20; i++) {
                h.write("p", Instant.ofEpochMilli(T0 + i * 1000L), i);
            }
        }
        try (Historian h = Historian.builder().dataDirectory(dir).jmx(false).build()) {
            assertEquals(20, Reads.all(h, "p").size());
        }
    }
}
