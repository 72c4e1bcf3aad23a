package io.historian.examples;

import io.historian.Historian;
import io.historian.HistorianStats;
import io.historian.Interpolation;
import io.historian.Quality;
import io.historian.Sample;
import io.historian.SampleBatch;
import io.historian.TagDefinition;
import io.historian.ValueAt;
import io.historian.query.SampleCursor;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The README's first command: a historian on embedded defaults that records a simulated boiler
 * for the last 24 hours (one sample per tag per second), then reads it back.
 *
 * <pre>
 * mvn -q -pl examples -am compile exec:exec
 * </pre>
 *
 * Data goes to {@code historian-data/} in the working directory (or the directory given as the
 * first argument); run it again and the same history is overwritten, last write wins.
 */
public final class QuickStart {
    private QuickStart() {
    }

    /** Runs the demo. */
    public static void main(String[] args) {
        Path dataDir = Path.of(args.length > 0 ? args[0] : "historian-data");
        Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant start = end.minus(Duration.ofHours(24));
        long t0 = System.nanoTime();
        try (Historian historian = Historian.builder()
                .dataDirectory(dataDir)
                .tag(TagDefinition.of("boiler.temp").unit("°C").description("boiler outlet temperature"))
                .tag(TagDefinition.of("boiler.pressure").unit("bar"))
                .tag(TagDefinition.of("pump.running").interpolation(Interpolation.STEPPED))
                .build()) {

            SampleBatch batch = new SampleBatch(3 * 3600);
            long written = 0;
            for (Instant t = start; t.isBefore(end); t = t.plusSeconds(1)) {
                long s = Duration.between(start, t).toSeconds();
                double temp = Math.round((80 + 5 * Math.sin(s / 3600.0 * Math.PI) + noise(s)) * 100) / 100.0;
                double pressure = Math.round((2.5 + 0.2 * Math.cos(s / 1800.0)) * 1000) / 1000.0;
                boolean running = (s / 5400) % 2 == 0;
                // The pressure sensor drops out for ten minutes at 06:00 into the day.
                Quality q = s >= 6 * 3600 && s < 6 * 3600 + 600 ? Quality.BAD_NO_COMMUNICATION : Quality.GOOD;
                batch.add("boiler.temp", t, temp);
                batch.add("boiler.pressure", t, q.isGood() ? pressure : Double.NaN, q);
                batch.add("pump.running", t, running ? 1 : 0);
                if (batch.size() >= 3 * 3600) {
                    historian.write(batch);
                    written += batch.size();
                    batch.clear();
                }
            }
            historian.write(batch);
            written += batch.size();
            historian.flush();
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "wrote %,d samples of 3 tags (24 h at 1 s) in %.2f s, flushed to disk%n",
                    written, secs);

            Sample latest = historian.latest("boiler.temp").orElseThrow();
            System.out.println("latest boiler.temp:      " + latest);
            Instant noon = start.plus(Duration.ofHours(12)).plusMillis(500);
            System.out.println("boiler.temp at +12h0.5s: "
                    + historian.valueAt("boiler.temp", noon, ValueAt.INTERPOLATED).orElseThrow());

            System.out.println("hourly min / max of boiler.temp (streamed from the raw cursor):");
            for (int h = 0; h < 24; h += 4) {
                Instant from = start.plus(Duration.ofHours(h));
                double min = Double.MAX_VALUE;
                double max = -Double.MAX_VALUE;
                long n = 0;
                try (SampleCursor c = historian.query("boiler.temp").between(from, from.plus(Duration.ofHours(1))).raw()) {
                    while (c.next()) {
                        min = Math.min(min, c.value());
                        max = Math.max(max, c.value());
                        n++;
                    }
                }
                System.out.printf(Locale.ROOT, "  %s  n=%d  min=%.2f  max=%.2f%n", from, n, min, max);
            }

            long bad = 0;
            try (SampleCursor c = historian.query("boiler.pressure").between(start, end).raw()) {
                while (c.next()) {
                    if (c.quality().isBad()) {
                        bad++;
                    }
                }
            }
            System.out.println("boiler.pressure samples with Bad_NoCommunication: " + bad);

            HistorianStats stats = historian.stats();
            System.out.printf(Locale.ROOT, "stats: received=%,d journaled=%,d rejected=%,d tags=%d journal=%,d bytes%n",
                    stats.receivedSamples(), stats.journaledSamples(), stats.rejectedSamples(), stats.tags(),
                    stats.journalBytes());
        }
        System.out.println("data lives in " + dataDir.toAbsolutePath() + " (journal/ and store/)");
    }

    private static double noise(long s) {
        long x = s * 0x9E3779B97F4A7C15L;
        x ^= x >>> 31;
        return ((x & 0xFFFF) / 65536.0 - 0.5) * 0.4;
    }
}
