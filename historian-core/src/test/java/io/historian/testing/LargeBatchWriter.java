package io.historian.testing;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.SampleBatch;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The child side of the large-batch crash test: writes batches of {@link #SIZE} samples for ever,
 * printing {@code START n} before batch {@code n}'s write and {@code ACK n} after it returned.
 * Contents are a pure function of {@code n}.
 */
public final class LargeBatchWriter {
    /** Samples per batch: well above the 65,536 samples an entry once held. */
    public static final int SIZE = 300_000;
    /** Tags written, round robin. */
    public static final int TAGS = 3;
    /** The first timestamp. */
    public static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    private LargeBatchWriter() {
    }

    /** The tag name of index {@code t}. */
    public static String tag(int t) {
        return "large.tag" + t;
    }

    /** The timestamp of sample {@code i} of batch {@code n}. */
    public static long timestamp(long n, int i) {
        return T0 + (n * (SIZE / TAGS) + i / TAGS) * 1000L;
    }

    /** The value of sample {@code i} of batch {@code n}. */
    public static double value(long n, int i) {
        return n * 1_000_000 + i;
    }

    /** args: data directory, first batch number. */
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long n = Long.parseLong(args[1]);
        try (Historian h = Historian.builder().dataDirectory(dir).jmx(false).build()) {
            // A kill inside a session's very first append leaves a segment whose first header is
            // incomplete, which the journal does not yet recover from quickly (a fault of its own,
            // tested apart): one small write first, so the kills land in later, large ones.
            h.write("large.session", T0 + n, n, Quality.GOOD);
            SampleBatch batch = new SampleBatch(SIZE);
            while (true) {
                batch.clear();
                for (int i = 0; i < SIZE; i++) {
                    batch.add(tag(i % TAGS), timestamp(n, i), value(n, i), Quality.GOOD);
                }
                System.out.println("START " + n);
                System.out.flush();
                h.write(batch);
                System.out.println("ACK " + n);
                System.out.flush();
                n++;
            }
        }
    }
}
