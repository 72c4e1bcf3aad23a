package io.historian.tiering;

import io.historian.Historian;
import io.historian.TieringPolicy;
import io.historian.testing.TierData;
import io.historian.testing.TieringChild;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The child side of the S3 crash test: writes {@link TieringChild#TAGS} for eight days and runs
 * the tiering job, halting the JVM after the named step of the first batch of segments.
 * args: S3 port, prefix, data directory, step ({@code firstUpload}, {@code upload} or {@code manifest}).
 */
public final class S3TieringChild {
    private S3TieringChild() {
    }

    static Historian.Builder builder(int port, String prefix, Path data) {
        return Historian.builder().dataDirectory(data).jmx(false).clock(TieringChild.CLOCK)
                .coldTier(S3ColdTier.builder().endpoint("http://127.0.0.1:" + port).region("us-east-1")
                        .bucket(S3ProxyServer.BUCKET).prefix(prefix)
                        .credentials(S3Credentials.of(S3ProxyServer.ACCESS, S3ProxyServer.SECRET)).build())
                .tiering(TieringPolicy.olderThan(Duration.ofDays(2)).checkEvery(Duration.ZERO)
                        // Two uploads at once: a batch of 16 segments, fewer than the 21 to tier.
                        .uploadConcurrency(2));
    }

    public static void main(String[] args) {
        System.setProperty("historian.tiering.haltAfter", args[3]);
        try (Historian h = builder(Integer.parseInt(args[0]), args[1], Path.of(args[2])).build()) {
            TierData.write(h, TieringChild.TAGS, TieringChild.SAMPLES, TieringChild.PERIOD);
            h.tierNow();
        }
        System.exit(3);
    }
}
