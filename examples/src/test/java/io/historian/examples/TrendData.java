package io.historian.examples;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.TagDefinition;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Two hours of {@code line1.temp} at one sample a second, ending now: a ten-minute hole from
 * 60 to 70 minutes in (no samples at all), and 30 Bad samples from 90 minutes in.
 */
final class TrendData {
    static final String TAG = "line1.temp";
    static final Duration SPAN = Duration.ofHours(2);

    final Historian historian;
    final long fromMillis;
    final long toMillis;

    private TrendData(Historian historian, long fromMillis, long toMillis) {
        this.historian = historian;
        this.fromMillis = fromMillis;
        this.toMillis = toMillis;
    }

    static TrendData write(Path dir) {
        Historian h = Historian.builder().dataDirectory(dir).jmx(false)
                .tag(TagDefinition.of(TAG).unit("°C").description("line 1 temperature")).build();
        long to = Instant.now().toEpochMilli() / 1000 * 1000 - 1000;
        long from = to - SPAN.toMillis();
        SampleBatch batch = new SampleBatch(8000);
        for (long t = from; t < to; t += 1000) {
            long s = (t - from) / 1000;
            if (s >= 3600 && s < 4200) {
                continue;
            }
            boolean bad = s >= 5400 && s < 5430;
            batch.add(TAG, t, bad ? Double.NaN : 60 + 10 * Math.sin(s / 600.0) + (s % 7) * 0.1,
                    bad ? Quality.BAD_NO_COMMUNICATION : Quality.GOOD);
        }
        h.write(batch);
        return new TrendData(h, from, to);
    }
}
