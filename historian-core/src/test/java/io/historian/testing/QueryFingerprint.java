package io.historian.testing;

import io.historian.Historian;
import io.historian.ValueAt;
import io.historian.query.Aggregate;
import io.historian.query.AggregateCursor;
import io.historian.query.Fill;
import io.historian.query.PointCursor;
import io.historian.query.SampleCursor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Every query mode's answer for one tag and range, as text with doubles as raw bits: two
 * fingerprints are equal exactly when every mode gives bit-identical answers. Used to check that
 * tiered data answers as it did hot.
 */
public final class QueryFingerprint {
    private QueryFingerprint() {
    }

    /** Raw (with bounds), aggregates (two intervals, with fill), interpolated, LTTB, MinMaxLTTB, plot, latest, valueAt. */
    public static List<String> of(Historian h, String tag, Instant from, Instant to) {
        List<String> out = new ArrayList<>();
        try (SampleCursor c = h.query(tag).between(from, to).withBounds().raw()) {
            while (c.next()) {
                out.add("raw " + c.epochMillis() + " " + bits(c.value()) + " " + c.qualityCode());
            }
        }
        for (Duration interval : List.of(Duration.ofMinutes(37), Duration.ofHours(6))) {
            try (AggregateCursor c = h.query(tag).between(from, to).fill(Fill.PREVIOUS)
                    .aggregate(interval, Aggregate.values())) {
                while (c.next()) {
                    StringBuilder sb = new StringBuilder("agg ").append(interval).append(' ').append(c.startMillis());
                    for (int i = 0; i < c.aggregates().size(); i++) {
                        sb.append(' ').append(bits(c.value(i))).append('/').append(c.qualityCode(i));
                    }
                    out.add(sb.toString());
                }
            }
        }
        points(out, "interp", h.query(tag).between(from, to).interpolated(Duration.ofSeconds(317)));
        points(out, "lttb", h.query(tag).between(from, to).lttb(500));
        points(out, "mmlttb", h.query(tag).between(from, to).minMaxLttb(500));
        points(out, "plot", h.query(tag).between(from, to).plot(300));
        out.add("latest " + h.latest(tag));
        long span = to.toEpochMilli() - from.toEpochMilli();
        for (int i = 0; i <= 10; i++) {
            Instant at = from.plusMillis(span / 10 * i + 1234);
            for (ValueAt mode : ValueAt.values()) {
                out.add("at " + at + " " + mode + " " + h.valueAt(tag, at, mode));
            }
        }
        return out;
    }

    private static void points(List<String> out, String name, PointCursor c) {
        try (c) {
            while (c.next()) {
                out.add(name + " " + c.epochMillis() + " " + bits(c.value()) + " " + c.qualityCode() + " " + c.gapBefore());
            }
        }
    }

    private static String bits(double v) {
        return Long.toHexString(Double.doubleToRawLongBits(v));
    }
}
