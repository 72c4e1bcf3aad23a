package io.historian.query;

import io.historian.Historian;
import io.historian.Interpolation;
import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.TagDefinition;
import io.historian.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Random series and the storage arrangements the query tests run against: the same samples held
 * in one open chunk, in committed chunks of 16, or half committed and half in memory with
 * rewrites of committed samples pending.
 */
final class QueryFixture {
    static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    static final String LIN = "p.lin";
    static final String STEP = "p.step";

    /** Where the samples live when the query runs. */
    enum Arrangement {
        /** Every sample in one open in-memory chunk. */
        OPEN_CHUNKS,
        /** Every sample in committed chunks of 16 (closed and reopened). */
        COMMITTED_CHUNKS,
        /** The first 70% committed, the rest and the rewrites written after reopening. */
        MIXED
    }

    static Stream<Arrangement> arrangements() {
        return Stream.of(Arrangement.values());
    }

    /** One sample of the model. */
    record S(long t, double v, int q) {
        boolean usable() {
            return Quality.severity(q) < 2 && !Double.isNaN(v);
        }

        boolean bad() {
            return Quality.severity(q) >= 2;
        }
    }

    private QueryFixture() {
    }

    static long seed(String name) {
        String fixed = System.getProperty("historian.seed");
        long seed = fixed != null && !fixed.isBlank() ? Long.decode(fixed.trim()) : System.nanoTime();
        System.out.println(name + ": seed=" + seed + " (replay with -Dhistorian.seed=" + seed + ")");
        return seed;
    }

    /**
     * A series of about {@code n} samples near 1 s apart with jitter; with {@code gaps}, about 2% of
     * the steps are 20x to 200x longer; with {@code dirty}, NaN values and Uncertain/Bad samples.
     */
    static List<S> series(SplittableRandom r, int n, boolean gaps, boolean dirty) {
        List<S> out = new ArrayList<>();
        long t = T0 + r.nextInt(1000);
        double level = r.nextDouble(-100, 100);
        for (int i = 0; i < n; i++) {
            level += r.nextDouble(-3, 3);
            double v = Math.round(level * 100) / 100.0;
            int q = 0;
            if (dirty) {
                int k = r.nextInt(100);
                if (k < 8) {
                    q = r.nextBoolean() ? Quality.BAD_NO_COMMUNICATION.code() : Quality.BAD_SENSOR_FAILURE.code();
                    if (r.nextBoolean()) {
                        v = Double.NaN;
                    }
                } else if (k < 13) {
                    q = r.nextBoolean() ? Quality.UNCERTAIN_LAST_USABLE_VALUE.code()
                            : Quality.UNCERTAIN_SENSOR_NOT_ACCURATE.code();
                } else if (k < 16) {
                    q = Quality.GOOD_LOCAL_OVERRIDE.code();
                } else if (k < 18) {
                    v = Double.NaN;
                }
            }
            out.add(new S(t, v, q));
            long step = 1000 + r.nextInt(-200, 200);
            if (gaps && r.nextInt(50) == 0) {
                step *= 20 + r.nextInt(180);
            }
            t += step;
        }
        return out;
    }

    /** The samples of {@code data} rewritten with new values: every 16th and about 8% of the others. */
    static List<S> rewrites(SplittableRandom r, List<S> data) {
        List<S> out = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            if (i % 16 == 15 || i % 16 == 0 || r.nextInt(12) == 0) {
                S s = data.get(i);
                out.add(new S(s.t, Math.round(r.nextDouble(-100, 100) * 100) / 100.0, s.q));
            }
        }
        return out;
    }

    /** Last write wins, in time order. */
    static List<S> model(List<S> data, List<S> rewrites) {
        TreeMap<Long, S> m = new TreeMap<>();
        for (S s : data) {
            m.put(s.t, s);
        }
        for (S s : rewrites) {
            m.put(s.t, s);
        }
        return new ArrayList<>(m.values());
    }

    static Historian.Builder builder(Path dir, int chunkMax) {
        MutableClock clock = new MutableClock(Instant.ofEpochMilli(T0).plus(Duration.ofDays(400)));
        return Historian.builder().dataDirectory(dir).clock(clock).jmx(false).chunkMaxSamples(chunkMax)
                .futureTolerance(Duration.ofDays(1))
                .tag(TagDefinition.of(LIN).interpolation(Interpolation.LINEAR))
                .tag(TagDefinition.of(STEP).interpolation(Interpolation.STEPPED));
    }

    /** Opens a historian holding {@code data} then {@code rewrites} in both tags, arranged as asked. */
    static Historian load(Path dir, Arrangement a, List<S> data, List<S> rewrites) {
        switch (a) {
            case OPEN_CHUNKS -> {
                Historian h = builder(dir, 100_000).build();
                write(h, data);
                write(h, rewrites);
                return h;
            }
            case COMMITTED_CHUNKS -> {
                try (Historian h = builder(dir, 16).build()) {
                    write(h, data);
                    write(h, rewrites);
                }
                return builder(dir, 16).build();
            }
            default -> {
                int split = data.size() * 7 / 10;
                try (Historian h = builder(dir, 16).build()) {
                    write(h, data.subList(0, split));
                }
                Historian h = builder(dir, 16).build();
                write(h, data.subList(split, data.size()));
                write(h, rewrites);
                return h;
            }
        }
    }

    static void write(Historian h, List<S> samples) {
        if (samples.isEmpty()) {
            return;
        }
        SampleBatch b = new SampleBatch();
        for (S s : samples) {
            b.add(LIN, s.t, s.v, Quality.of(s.q));
            b.add(STEP, s.t, s.v, Quality.of(s.q));
        }
        h.write(b);
    }

    /** Every point of a cursor as [t, v, q, gap]. */
    static List<double[]> points(PointCursor c) {
        List<double[]> out = new ArrayList<>();
        try (c) {
            while (c.next()) {
                out.add(new double[] {c.epochMillis(), c.value(), c.qualityCode(), c.gapBefore() ? 1 : 0});
            }
        }
        return out;
    }
}
