package io.historian.internal.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.query.PointCursor;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The charts give the same points whether their chunks are decoded on the reader's thread or
 * ahead of it on the prefetch thread, over committed and open chunks, gaps, NaN and Bad samples;
 * and the prefetch thread ends with its cursor.
 */
class ChunkPrefetcherTest {
    static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    static final String TAG = "p.signal";

    @TempDir
    Path dir;

    @AfterEach
    void restoreThreshold() {
        ChunkPrefetcher.minSamples = ChunkPrefetcher.MIN_SAMPLES;
    }

    static List<String> points(PointCursor c) {
        List<String> out = new ArrayList<>();
        try (c) {
            while (c.next()) {
                out.add(c.epochMillis() + "=" + Double.doubleToRawLongBits(c.value()) + "/" + c.qualityCode()
                        + (c.gapBefore() ? "|" : ""));
            }
        }
        return out;
    }

    static long prefetchThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("historian-query-prefetch")).count();
    }

    @Test
    void charts_areTheSameWithAndWithoutPrefetch() {
        long seed = Long.getLong("historian.seed", System.nanoTime());
        System.out.println("ChunkPrefetcherTest seed=" + seed + " (replay with -Dhistorian.seed=" + seed + ")");
        SplittableRandom r = new SplittableRandom(seed);
        try (Historian h = Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).chunkMaxSamples(512)
                .build()) {
            SampleBatch batch = new SampleBatch(10_000);
            long t = T0;
            double v = 100;
            int n = 60_000 + r.nextInt(20_000);
            for (int i = 0; i < n; i++) {
                t += r.nextInt(100) == 0 ? 600_000 : 1000;
                v += r.nextGaussian();
                double value = r.nextInt(500) == 0 ? Double.NaN : Math.round(v * 100) / 100.0;
                batch.add(TAG, t, value, r.nextInt(300) == 0 ? Quality.BAD_SENSOR_FAILURE : Quality.GOOD);
                if (batch.size() == 10_000) {
                    h.write(batch);
                    batch.clear();
                }
            }
            h.write(batch);
            Instant from = Instant.ofEpochMilli(T0 + 1000L * r.nextInt(1000));
            Instant to = Instant.ofEpochMilli(t - 1000L * r.nextInt(1000));
            List<Function<Historian, PointCursor>> charts = List.of(
                    x -> x.query(TAG).between(from, to).lttb(300),
                    x -> x.query(TAG).between(from, to).minMaxLttb(200),
                    x -> x.query(TAG).between(from, to).plot(150));
            for (Function<Historian, PointCursor> chart : charts) {
                ChunkPrefetcher.minSamples = Long.MAX_VALUE;
                List<String> inline = points(chart.apply(h));
                ChunkPrefetcher.minSamples = 0;
                List<String> prefetched = points(chart.apply(h));
                assertTrue(inline.size() > 100, "chart of " + inline.size() + " points");
                assertEquals(inline, prefetched);
            }
            assertEquals(0, prefetchThreads(), "every prefetch thread ended with its cursor");
        }
    }

    @Test
    void closingEarly_orClosingTheHistorian_endsThePrefetchThread() {
        ChunkPrefetcher.minSamples = 0;
        Historian h = Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).chunkMaxSamples(16).build();
        SampleBatch batch = new SampleBatch(20_000);
        for (int i = 0; i < 20_000; i++) {
            batch.add(TAG, T0 + i * 1000L, i, Quality.GOOD);
        }
        h.write(batch);
        Instant from = Instant.ofEpochMilli(T0);
        Instant to = Instant.ofEpochMilli(T0 + 20_000_000L);
        try (PointCursor c = h.query(TAG).between(from, to).plot(10_000)) {
            assertTrue(c.next());
        }
        assertEquals(0, prefetchThreads());
        PointCursor open = h.query(TAG).between(from, to).plot(10_000);
        assertTrue(open.next());
        h.close();
        assertThrows(IllegalStateException.class, () -> {
            while (open.next()) {
                // the chart ends with an error, not silently
            }
        });
        open.close();
        assertFalse(prefetchThreads() > 0, "prefetch thread left behind");
    }
}
