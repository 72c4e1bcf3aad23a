package io.historian.examples;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.TagDefinition;
import io.historian.TieringPolicy;
import io.historian.TieringReport;
import io.historian.query.Aggregate;
import io.historian.query.AggregateCursor;
import io.historian.query.PointCursor;
import io.historian.spi.ColdTier;
import io.historian.tiering.S3ColdTier;
import io.historian.tiering.S3Credentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * The cold tier on an S3 API: an S3 server in memory on 127.0.0.1 (S3Proxy), a historian with
 * {@link S3ColdTier} and a {@link TieringPolicy}, seven days of the simulated plant's history,
 * {@code tierNow()}, and the same queries answered before and after the old days left the disk.
 *
 * <pre>
 * mvn -q -pl examples -am test-compile exec:exec -Dexec.mainClass=io.historian.examples.TieringExample
 * </pre>
 *
 * <p>The history is four tags of the plant's physics ({@link PlantModel}) at 5 s, from the UTC
 * midnight seven days ago up to now; the policy moves what is older than two days, in UTC-day
 * segments. Local disk use is the size of the store's files ({@code stats().storeBytes()}): the
 * history is compacted once before tiering, and tiering gives back the space of what it moved.
 *
 * <p>The S3 server keeps its objects in memory, so they vanish with the program: the data
 * directory (the argument, which must be new or empty; default a temporary directory, deleted at
 * the end) is of no use afterwards.
 */
public final class TieringExample {
    private static final Duration HISTORY = Duration.ofDays(7);
    private static final Duration KEEP_LOCAL = Duration.ofDays(2);
    private static final Duration STEP = Duration.ofSeconds(5);
    private static final String ACCESS = "historian-example";
    private static final String SECRET = "historian-example-secret";
    private static final String BUCKET = "historian";
    private static final String PREFIX = "plant/";
    private static final List<TagDefinition> TAGS = List.of(
            TagDefinition.of("tank1.level").unit("m").description("tank 1 level"),
            TagDefinition.of("tank2.level").unit("m").description("tank 2 level"),
            TagDefinition.of("reactor.temp").unit("°C").description("reactor temperature"),
            TagDefinition.of("ambient.temp").unit("°C").description("ambient temperature"));

    private TieringExample() {
    }

    /** Runs the example; the optional argument is the data directory (new or empty). */
    public static void main(String[] args) throws Exception {
        Path dataDir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("historian-tiering");
        boolean temporary = args.length == 0;
        requireEmpty(dataDir);
        try (InMemoryS3 s3 = InMemoryS3.start()) {
            System.out.printf(Locale.ROOT, "s3: S3Proxy at %s, bucket %s in memory%n", s3.endpoint(), BUCKET);
            run(dataDir, s3);
        } finally {
            if (temporary) {
                deleteTree(dataDir);
            }
        }
    }

    private static void run(Path dataDir, InMemoryS3 s3) throws IOException {
        Historian.Builder builder = Historian.builder().dataDirectory(dataDir).jmx(false)
                .coldTier(s3.tier())
                // checkEvery(ZERO): the job runs only on tierNow(), so the figures below are its work alone.
                .tiering(TieringPolicy.olderThan(KEEP_LOCAL).checkEvery(Duration.ZERO));
        TAGS.forEach(builder::tag);
        // The historian owns and closes its tier; this second one only looks into the bucket.
        try (Historian historian = builder.build(); S3ColdTier bucket = s3.tier()) {
            Instant end = Instant.now().truncatedTo(ChronoUnit.MINUTES);
            Instant from = end.minus(HISTORY).truncatedTo(ChronoUnit.DAYS);
            long t0 = System.nanoTime();
            long written = writeHistory(historian, from, end);
            System.out.printf(Locale.ROOT, "history: wrote %,d samples in %.1f s: %d tags at %d s from %s to %s%n",
                    written, (System.nanoTime() - t0) / 1e9, TAGS.size(), STEP.toSeconds(), from, end);

            historian.compact();
            long before = historian.stats().storeBytes();
            System.out.printf(Locale.ROOT, "local store before tiering: %,d bytes%n", before);
            List<HourRow> aggregatesBefore = hourly(historian, from, end);
            List<String> trendBefore = trend(historian, from, end);

            t0 = System.nanoTime();
            TieringReport report = historian.tierNow();
            System.out.printf(Locale.ROOT, "tierNow: %d segments written (%d adopted), %,d samples, %,d bytes in %.1f s;"
                    + " cutoff %s%n", report.segmentsWritten(), report.segmentsAdopted(), report.samples(),
                    report.bytes(), (System.nanoTime() - t0) / 1e9, report.cutoff());
            System.out.println("  " + report);
            long after = historian.stats().storeBytes();
            System.out.printf(Locale.ROOT, "local store after tiering: %,d bytes (%.0f %% of before)%n", after,
                    100.0 * after / before);

            // A day goes once its last chunk ends before the cutoff: the day before the cutoff, whose last
            // chunk runs past midnight, waits for the next run. The bucket says which days went.
            Set<LocalDate> coldDays = new TreeSet<>();
            for (String key : bucket.list("segments/reactor.temp/")) {
                coldDays.add(LocalDate.parse(key.substring(key.lastIndexOf('/') + 1, key.lastIndexOf('/') + 9),
                        DateTimeFormatter.BASIC_ISO_DATE));
            }
            // The same queries now read the old days from S3 (through the local segment cache) and the rest from disk.
            List<HourRow> aggregatesAfter = hourly(historian, from, end);
            List<String> trendAfter = trend(historian, from, end);
            System.out.println("hourly aggregates of reactor.temp (time-weighted mean, min, max), every 12th hour:");
            for (int i = 0; i < aggregatesAfter.size(); i += 12) {
                HourRow row = aggregatesAfter.get(i);
                boolean cold = coldDays.contains(LocalDate.ofInstant(row.start(), ZoneOffset.UTC));
                System.out.println("  " + row.text() + (cold ? "  (cold: S3)" : "  (hot: local)"));
            }
            System.out.printf(Locale.ROOT, "hourly aggregates: %d rows, same before and after tiering: %s%n",
                    aggregatesAfter.size(), aggregatesBefore.equals(aggregatesAfter));
            System.out.println("trend of tank1.level, LTTB to 96 points (m, 0..5):");
            System.out.println("  " + sparkline(trendAfter));
            System.out.printf(Locale.ROOT, "trend: %d points, same before and after tiering: %s%n", trendAfter.size(),
                    trendBefore.equals(trendAfter));

            List<String> keys = bucket.list("");
            long bytes = 0;
            System.out.printf(Locale.ROOT, "objects in s3://%s/%s (listed through the S3 API):%n", BUCKET, PREFIX);
            for (String key : keys) {
                ColdTier.ObjectInfo info = bucket.stat(key);
                bytes += info.size();
                System.out.printf(Locale.ROOT, "  %-50s %,9d bytes%n", key, info.size());
            }
            System.out.printf(Locale.ROOT, "bucket: %d objects, %,d bytes%n", keys.size(), bytes);
        }
    }

    /** The plant's physics stepped every second, one sample per tag every {@link #STEP}. */
    private static long writeHistory(Historian historian, Instant from, Instant end) {
        PlantModel plant = new PlantModel(42);
        SampleBatch batch = new SampleBatch(64 * 1024);
        long written = 0;
        long step = STEP.toMillis();
        for (long t = from.toEpochMilli(); t < end.toEpochMilli(); t += step) {
            for (int s = 0; s < STEP.toSeconds(); s++) {
                plant.step(1);
            }
            batch.add("tank1.level", t, plant.tank1Level, Quality.GOOD);
            batch.add("tank2.level", t, plant.tank2Level, Quality.GOOD);
            batch.add("reactor.temp", t, plant.reactorTemp, Quality.GOOD);
            batch.add("ambient.temp", t, plant.ambientTemp, Quality.GOOD);
            if (batch.size() >= 60_000) {
                historian.write(batch);
                written += batch.size();
                batch.clear();
            }
        }
        historian.write(batch);
        written += batch.size();
        historian.flush();
        return written;
    }

    /** One hour of aggregates; records compare doubles bit for bit, so equal rows mean equal numbers. */
    private record HourRow(Instant start, double mean, double min, double max) {
        String text() {
            return String.format(Locale.ROOT, "%s  mean=%7.3f  min=%7.3f  max=%7.3f", start, mean, min, max);
        }
    }

    private static List<HourRow> hourly(Historian historian, Instant from, Instant end) {
        List<HourRow> rows = new ArrayList<>();
        try (AggregateCursor c = historian.query("reactor.temp").between(from, end)
                .aggregate(Duration.ofHours(1), Aggregate.TIME_WEIGHTED_MEAN, Aggregate.MIN, Aggregate.MAX)) {
            while (c.next()) {
                rows.add(new HourRow(c.intervalStart(), c.value(0), c.value(1), c.value(2)));
            }
        }
        return rows;
    }

    /** The LTTB points of tank1.level, {@code epochMillis value quality} each. */
    private static List<String> trend(Historian historian, Instant from, Instant end) {
        List<String> points = new ArrayList<>();
        try (PointCursor c = historian.query("tank1.level").between(from, end).lttb(96)) {
            while (c.next()) {
                points.add(c.epochMillis() + " " + c.value() + " " + c.quality());
            }
        }
        return points;
    }

    private static String sparkline(List<String> points) {
        String bars = "▁▂▃▄▅▆▇█";
        StringBuilder sb = new StringBuilder();
        for (String p : points) {
            double v = Double.parseDouble(p.split(" ")[1]);
            sb.append(bars.charAt((int) Math.max(0, Math.min(7, Math.round(v / 5 * 7)))));
        }
        return sb.toString();
    }

    private static void requireEmpty(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException("the data directory must be new or empty: its cold tier lives in"
                            + " memory and is gone [dir=" + dir.toAbsolutePath() + "]");
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** An S3 API server on 127.0.0.1, an ephemeral port, objects in memory, one bucket. */
    private static final class InMemoryS3 implements AutoCloseable {
        private final BlobStore store;
        private final S3Proxy proxy;

        private InMemoryS3(BlobStore store, S3Proxy proxy) {
            this.store = store;
            this.proxy = proxy;
        }

        static InMemoryS3 start() throws Exception {
            BlobStore store = new TransientNio2BlobStore();
            store.createContainer(BUCKET);
            S3Proxy proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:0"))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
            proxy.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    proxy.stop();
                    store.close();
                    throw new IllegalStateException("S3Proxy did not start [state=" + proxy.getState() + "]");
                }
                Thread.sleep(10);
            }
            return new InMemoryS3(store, proxy);
        }

        String endpoint() {
            return "http://127.0.0.1:" + proxy.getPort();
        }

        S3ColdTier tier() {
            return S3ColdTier.builder().endpoint(endpoint()).region("us-east-1").bucket(BUCKET).prefix(PREFIX)
                    .credentials(S3Credentials.of(ACCESS, SECRET)).build();
        }

        @Override
        public void close() throws Exception {
            try {
                proxy.stop();
            } finally {
                store.close();
            }
        }
    }
}
