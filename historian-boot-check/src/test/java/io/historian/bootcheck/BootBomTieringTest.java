package io.historian.bootcheck;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.TieringPolicy;
import io.historian.TieringReport;
import io.historian.query.Aggregate;
import io.historian.query.AggregateCursor;
import io.historian.query.PointCursor;
import io.historian.query.SampleCursor;
import io.historian.tiering.S3ColdTier;
import io.historian.tiering.S3Credentials;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiering round trip in a build that imports Spring Boot's BOM (see this module's pom): the
 * versions of OkHttp, Kotlin, Jackson, Guava, commons-* and Jetty are the ones the BOM picks, as in
 * a Boot application. Writes six days of two tags, tiers what is older than two days to an S3 API
 * server on 127.0.0.1 (S3Proxy, in memory) through {@link S3ColdTier} (MinIO client, OkHttp 5),
 * checks the objects with a MinIO client of its own, and reads everything back transparently: raw,
 * hourly aggregates and an LTTB chart answer as before tiering, also after a restart with an empty
 * segment cache, so every old sample comes from S3 again.
 */
class BootBomTieringTest {
    private static final String ACCESS = "boot-check-access";
    private static final String SECRET = "boot-check-secret-key";
    private static final String BUCKET = "historian";
    private static final String PREFIX = "boot-check/";
    private static final List<String> TAGS = List.of("line1.flow", "line1.temp");
    private static final long STEP = 10_000;

    private static BlobStore store;
    private static S3Proxy proxy;

    @TempDir
    Path dir;

    @BeforeAll
    static void startS3() throws Exception {
        store = new TransientNio2BlobStore();
        store.createContainer(BUCKET);
        proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
        proxy.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> "STARTED".equals(proxy.getState()));
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (proxy != null) {
            proxy.stop();
        }
        if (store != null) {
            store.close();
        }
    }

    private static String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    private static Historian open(Path data) {
        S3ColdTier tier = S3ColdTier.builder().endpoint(endpoint()).region("us-east-1").bucket(BUCKET).prefix(PREFIX)
                .credentials(S3Credentials.of(ACCESS, SECRET)).build();
        return Historian.builder().dataDirectory(data).jmx(false).coldTier(tier)   // the historian closes the tier
                .tiering(TieringPolicy.olderThan(Duration.ofDays(2)).checkEvery(Duration.ZERO)).build();
    }

    private static double value(int tag, long k) {
        return Math.round((tag * 100 + 20 * Math.sin(k / 500.0) + (k % 7) * 0.01) * 100) / 100.0;
    }

    @Test
    void writeTierReadBack_underTheBootBom() throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(6));
        Instant end = Instant.now().minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.MINUTES);   // inside futureTolerance
        long n = Duration.between(start, end).toMillis() / STEP;
        Instant to = end.plusMillis(STEP);
        Path data = dir.resolve("data");
        List<String> aggregatesBefore;
        List<String> chartBefore;
        try (Historian h = open(data)) {
            SampleBatch batch = new SampleBatch();
            for (long k = 0; k < n; k++) {
                for (int t = 0; t < TAGS.size(); t++) {
                    batch.add(TAGS.get(t), start.plusMillis(k * STEP), value(t, k));
                }
                if (batch.size() >= 10_000) {
                    h.write(batch);
                    batch.clear();
                }
            }
            h.write(batch);
            h.flush();
            aggregatesBefore = hourly(h, start, to);
            chartBefore = chart(h, start, to);
            long hours = (Duration.between(start, to).toMillis() + 3_599_999) / 3_600_000;
            assertEquals(TAGS.size() * hours, aggregatesBefore.size(), "hourly intervals");

            TieringReport report = h.tierNow();
            assertTrue(report.segmentsWritten() >= TAGS.size() * 3, report.toString());
            assertTrue(report.cutoff().isAfter(start.plus(Duration.ofDays(3))), report.toString());
            checkRaw(h, start, to, n);
            assertEquals(aggregatesBefore, hourly(h, start, to), "hourly aggregates changed by tiering");
            assertEquals(chartBefore, chart(h, start, to), "LTTB chart changed by tiering");
        }

        List<String> objects = listBucket();
        assertTrue(objects.size() >= TAGS.size() * 3, objects.toString());
        assertTrue(objects.stream().anyMatch(k -> k.contains("line1.flow")), objects.toString());

        // A restart with an empty segment cache: the old days can only come from S3.
        deleteTree(data.resolve("cold-cache"));
        try (Historian h = open(data)) {
            checkRaw(h, start, to, n);
            assertEquals(aggregatesBefore, hourly(h, start, to), "hourly aggregates after restart");
            assertEquals(chartBefore, chart(h, start, to), "LTTB chart after restart");
        }
    }

    private static void checkRaw(Historian h, Instant from, Instant to, long n) {
        for (int t = 0; t < TAGS.size(); t++) {
            long k = 0;
            try (SampleCursor c = h.query(TAGS.get(t)).between(from, to).raw()) {
                while (c.next()) {
                    assertEquals(from.toEpochMilli() + k * STEP, c.epochMillis(), TAGS.get(t) + " sample " + k);
                    assertEquals(value(t, k), c.value(), TAGS.get(t) + " sample " + k);
                    assertEquals(Quality.GOOD, c.quality());
                    k++;
                }
                assertFalse(c.isPartial());
            }
            assertEquals(n, k, TAGS.get(t) + " samples read back");
        }
    }

    private static List<String> hourly(Historian h, Instant from, Instant to) {
        List<String> rows = new ArrayList<>();
        for (String tag : TAGS) {
            try (AggregateCursor c = h.query(tag).between(from, to)
                    .aggregate(Duration.ofHours(1), Aggregate.COUNT, Aggregate.MIN, Aggregate.MAX, Aggregate.TIME_WEIGHTED_MEAN)) {
                while (c.next()) {
                    rows.add(String.format(Locale.ROOT, "%s %s %s %s %s %s %s", c.tag(), c.intervalStart(),
                            c.value(Aggregate.COUNT), c.value(Aggregate.MIN), c.value(Aggregate.MAX),
                            c.value(Aggregate.TIME_WEIGHTED_MEAN), c.quality(3)));
                }
            }
        }
        return rows;
    }

    private static List<String> chart(Historian h, Instant from, Instant to) {
        List<String> points = new ArrayList<>();
        try (PointCursor c = h.query("line1.*").between(from, to).lttb(500)) {
            while (c.next()) {
                points.add(c.tag() + " " + c.epochMillis() + " " + c.value() + " " + c.quality() + (c.gapBefore() ? " gap" : ""));
            }
        }
        assertTrue(points.size() > 2 * 400, "points: " + points.size());
        return points;
    }

    private static List<String> listBucket() throws Exception {
        List<String> keys = new ArrayList<>();
        try (MinioClient client = MinioClient.builder().endpoint(endpoint()).region("us-east-1")
                .credentials(ACCESS, SECRET).build()) {
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(BUCKET).prefix(PREFIX)
                    .recursive(true).build())) {
                keys.add(r.get().objectName());
            }
        }
        return keys;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
