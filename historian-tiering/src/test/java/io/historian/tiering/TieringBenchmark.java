package io.historian.tiering;

import io.historian.DataSize;
import io.historian.Historian;
import io.historian.TieringPolicy;
import io.historian.TieringReport;
import io.historian.testing.TierData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Tiering to S3 (S3Proxy in memory on 127.0.0.1) and cold reads, cold and warm cache. A plain
 * main, not a test: it asserts nothing about speed.
 *
 * <p>Workload: {@code TAGS} tags x {@code DAYS} days at one sample per 10 s, 2-decimal values;
 * tiered with a one-day partition (one segment per tag and day; a longer one by the fourth
 * argument, in days), first by a fresh JVM, then by a second historian in the same JVM with the
 * same data, once the HTTP code is compiled. Run from the repository root:
 * <pre>
 * mvn -q -o -pl historian-tiering -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java $(flags) -cp historian-tiering/target/test-classes:historian-core/target/test-classes:\
 *     historian-core/target/classes:historian-tiering/target/classes:$(cat historian-tiering/target/cp.txt) \
 *     io.historian.tiering.TieringBenchmark [tags] [days] [concurrent uploads] [partition days]
 * </pre>
 */
public final class TieringBenchmark {
    private TieringBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int tags = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int days = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int uploads = args.length > 2 ? Integer.parseInt(args[2]) : TieringPolicy.DEFAULT_UPLOADS;
        int partitionDays = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        long perTag = days * 8640L;
        Path dir = Files.createTempDirectory("tiering-bench");
        Clock clock = Clock.fixed(Instant.ofEpochMilli(TierData.T0 + (days + 1) * 86_400_000L), ZoneOffset.UTC);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < tags; i++) {
            names.add("bench.tag" + i);
        }
        try (S3ProxyServer s3 = new S3ProxyServer()) {
            Historian.Builder builder = Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).clock(clock)
                    .coldCacheSize(DataSize.ofGigabytes(1))
                    .tiering(TieringPolicy.olderThan(Duration.ofDays(1)).checkEvery(Duration.ZERO)
                            .uploadConcurrency(uploads).partition(Duration.ofDays(partitionDays)));
            // The first run pays for compiling the HTTP client and server code (both in this JVM);
            // the second, on a new historian with the same data, runs as a long-lived historian's would.
            tier(builder, s3, names, perTag, "bench/", "tiering");
            tier(builder.dataDirectory(dir.resolve("data-warm")), s3, names, perTag, "warm/", "tiering, JIT warm");
            builder.dataDirectory(dir.resolve("data"));
            Instant from = Instant.ofEpochMilli(TierData.T0 + 86_400_000L * 3);
            Instant to = from.plus(Duration.ofDays(1));
            for (int round = 0; round < 3; round++) {
                deleteTree(dir.resolve("data/cold-cache"));
                try (Historian h = builder.coldTier(s3.tier("bench/")).build()) {
                    long c0 = System.nanoTime();
                    int n = h.query("bench.tag7").between(from, to).toList().size();
                    long cold = System.nanoTime() - c0;
                    long w0 = System.nanoTime();
                    h.query("bench.tag7").between(from, to).toList();
                    long warm = System.nanoTime() - w0;
                    long a0 = System.nanoTime();
                    try (var c = h.query("bench.tag7").between(Instant.ofEpochMilli(TierData.T0), to)
                            .aggregate(Duration.ofHours(1), io.historian.query.Aggregate.MEAN)) {
                        while (c.next()) {
                            // drain
                        }
                    }
                    long agg = System.nanoTime() - a0;
                    System.out.printf("round %d: one tag, one cold day (%d samples): cold cache %.2f ms, warm %.2f ms; "
                            + "hourly means over 4 days (fetching 3 more segments) %.2f ms%n", round, n, cold / 1e6,
                            warm / 1e6, agg / 1e6);
                }
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static void tier(Historian.Builder builder, S3ProxyServer s3, List<String> names, long perTag,
            String prefix, String label) throws Exception {
        try (Historian h = builder.coldTier(s3.tier(prefix)).build()) {
            TierData.write(h, names, perTag, 10_000);
            h.compact();
            long t0 = System.nanoTime();
            TieringReport r = h.tierNow();
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%s: %d segments, %d samples, %.2f MB in %.2f s -> %.0f samples/s, %.2f MB/s, "
                    + "%.1f ms/segment%n", label, r.segmentsWritten(), r.samples(), r.bytes() / 1e6, s,
                    r.samples() / s, r.bytes() / 1e6 / s, s * 1000 / r.segmentsWritten());
        }
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
