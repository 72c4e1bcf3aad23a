package io.historian.testing;

import io.historian.DataSize;
import io.historian.Historian;
import io.historian.SampleBatch;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The child side of the segment-creation kill test: opens a historian whose journal segments are
 * as small as allowed (4 MiB), prints {@code OPEN}, then writes large batches without pause,
 * printing {@code ACK n} after batch {@code n}'s write returned. A batch's entry is about 100 KB,
 * so the journal rolls to a new segment every few dozen batches, and the first write after the
 * open creates a segment file too. Batch contents are a pure function of {@code n}.
 */
public final class SegmentRollWriter {
    /** Tags written. */
    public static final int TAGS = 3;
    /** Samples per tag per batch. */
    public static final int PER_TAG = 4_000;
    /** The journal budget: the smallest allowed, for the smallest segments. */
    public static final DataSize BUDGET = DataSize.ofMegabytes(16);
    /** The first timestamp. */
    public static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    private SegmentRollWriter() {
    }

    /** The tag name of index {@code t}. */
    public static String tag(int t) {
        return "roll.tag" + t;
    }

    /** The timestamp of sample {@code k} of batch {@code n}. */
    public static long timestamp(long n, int k) {
        return T0 + (n * PER_TAG + k) * 1000L;
    }

    /** The value of tag {@code t}, sample {@code k} of batch {@code n}: irregular, so entries stay large. */
    public static double value(long n, int t, int k) {
        long x = (n * PER_TAG + k) * 0x9E3779B97F4A7C15L + t;
        return (x >>> 11) * 0x1.0p-53;
    }

    /** args: data directory, first batch number. */
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long n = Long.parseLong(args[1]);
        try (Historian h = Historian.builder().dataDirectory(dir).jmx(false).journalBudget(BUDGET).build()) {
            System.out.println("OPEN");
            System.out.flush();
            SampleBatch batch = new SampleBatch(TAGS * PER_TAG);
            while (true) {
                batch.clear();
                for (int k = 0; k < PER_TAG; k++) {
                    for (int t = 0; t < TAGS; t++) {
                        batch.add(tag(t), Instant.ofEpochMilli(timestamp(n, k)), value(n, t, k));
                    }
                }
                h.write(batch);
                System.out.println("ACK " + n);
                System.out.flush();
                n++;
            }
        }
    }
}
