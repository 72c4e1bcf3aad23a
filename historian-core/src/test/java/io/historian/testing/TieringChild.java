package io.historian.testing;

import io.historian.FileSystemColdTier;
import io.historian.Historian;
import io.historian.TieringPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The child side of the tiering crash tests: writes {@link #TAGS} for eight days, then runs the
 * tiering job with {@code historian.tiering.haltAfter} set, so the JVM halts after the named step
 * of the first batch of segments. args: data directory, tier directory, step ({@code firstUpload},
 * {@code upload} or {@code manifest}).
 */
public final class TieringChild {
    /** Tags written. */
    public static final List<String> TAGS = List.of("crash.a", "crash.b", "crash.c");
    /** Samples per tag: eight days at 10 s. */
    public static final long SAMPLES = 8 * 8640;
    /** Sample period. */
    public static final long PERIOD = 10_000;
    /** The clock both sides use. */
    public static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(TierData.T0 + 9 * 86_400_000L), ZoneOffset.UTC);

    private TieringChild() {
    }

    /** The builder both sides use. */
    public static Historian.Builder builder(Path data, Path tier) {
        return Historian.builder().dataDirectory(data).jmx(false).clock(CLOCK)
                .coldTier(FileSystemColdTier.of(tier))
                .tiering(TieringPolicy.olderThan(Duration.ofDays(2)).checkEvery(Duration.ZERO)
                        // Two uploads at once: a batch of 16 segments, fewer than the 21 to tier.
                        .uploadConcurrency(2));
    }

    public static void main(String[] args) {
        System.setProperty("historian.tiering.haltAfter", args[2]);
        try (Historian h = builder(Path.of(args[0]), Path.of(args[1])).build()) {
            TierData.write(h, TAGS, SAMPLES, PERIOD);
            h.tierNow();
        }
        // Reaching here means the halt did not happen.
        System.exit(3);
    }
}
