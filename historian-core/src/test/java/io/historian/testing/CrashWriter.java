package io.historian.testing;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.SampleBatch;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The child side of the crash test: writes batches for ever, printing {@code ACK n} after batch
 * {@code n}'s write has returned. Batch contents are a pure function of {@code n}, so the parent
 * knows exactly what every acknowledged batch holds.
 */
public final class CrashWriter {
    /** Tags written. */
    public static final int TAGS = 5;
    /** Samples per tag per batch. */
    public static final int PER_TAG = 10;
    /** The first timestamp. */
    public static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    private CrashWriter() {
    }

    /** The tag name of index {@code t}. */
    public static String tag(int t) {
        return "crash.tag" + t;
    }

    /** The timestamp of sample {@code k} of batch {@code n}. */
    public static long timestamp(long n, int k) {
        return T0 + (n * PER_TAG + k) * 1000L;
    }

    /** The value of tag {@code t}, sample {@code k} of batch {@code n}. */
    public static double value(long n, int t, int k) {
        return n + t * 0.25 + k / 100.0;
    }

    /** args: data directory, first batch number. */
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long n = Long.parseLong(args[1]);
        try (Historian h = Historian.builder().dataDirectory(dir).jmx(false).chunkMaxSamples(64).build()) {
            SampleBatch batch = new SampleBatch(TAGS * PER_TAG);
            while (true) {
                if (n % 7 == 3) {
                    // Some batches go in sample by sample, so single writes are crash-tested too.
                    for (int k = 0; k < PER_TAG; k++) {
                        for (int t = 0; t < TAGS; t++) {
                            h.write(tag(t), timestamp(n, k), value(n, t, k), Quality.GOOD);
                        }
                    }
                } else {
                    batch.clear();
                    for (int k = 0; k < PER_TAG; k++) {
                        for (int t = 0; t < TAGS; t++) {
                            batch.add(tag(t), timestamp(n, k), value(n, t, k), Quality.GOOD);
                        }
                    }
                    h.write(batch);
                }
                System.out.println("ACK " + n);
                System.out.flush();
                n++;
            }
        }
    }
}
