package io.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.historian.testing.MutableClock;
import io.historian.testing.Reads;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded-random writes (out of order, duplicates, across reopen, small chunks so that late
 * samples land in committed chunks, re-key them and split them) checked against a naive model.
 * Seed: printed; replay with {@code -Dhistorian.seed=<seed>}.
 */
class EngineModelTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    static java.util.stream.Stream<DuplicatePolicy> policies() {
        return java.util.stream.Stream.of(DuplicatePolicy.LAST_WRITE_WINS, DuplicatePolicy.KEEP_FIRST,
                DuplicatePolicy.LAST_WRITE_WINS, DuplicatePolicy.KEEP_FIRST, DuplicatePolicy.LAST_WRITE_WINS);
    }

    @ParameterizedTest
    @MethodSource("policies")
    void randomWrites_matchANaiveModel_acrossReopen(DuplicatePolicy policy) {
        String fixed = System.getProperty("historian.seed");
        long seed = fixed != null && !fixed.isBlank() ? Long.decode(fixed.trim()) : System.nanoTime();
        System.out.println("EngineModelTest " + policy + ": seed=" + seed + " (replay with -Dhistorian.seed=" + seed + ")");
        SplittableRandom r = new SplittableRandom(seed);
        MutableClock clock = new MutableClock(T0.plus(Duration.ofDays(30)));
        List<Map<Long, double[]>> model = new ArrayList<>();
        String[] tags = {"m.a", "m.b", "m.c"};
        for (int i = 0; i < tags.length; i++) {
            model.add(new TreeMap<>());
        }
        Historian h = open(policy, clock);
        try {
            for (int round = 0; round < 60; round++) {
                SampleBatch batch = new SampleBatch();
                int n = 1 + r.nextInt(r.nextInt(10) == 0 ? 400 : 40);
                int base = r.nextInt(2000);
                for (int i = 0; i < n; i++) {
                    int t = r.nextInt(tags.length);
                    long ts = T0.toEpochMilli() + (base + r.nextInt(300) - 100) * 1000L + (r.nextBoolean() ? 0 : r.nextInt(1000));
                    double v = Math.round(r.nextDouble(-1000, 1000) * 100) / 100.0;
                    int q = r.nextInt(8) == 0 ? Quality.BAD_NO_COMMUNICATION.code() : 0;
                    batch.add(tags[t], ts, v, Quality.of(q));
                    double[] entry = {v, q};
                    if (policy == DuplicatePolicy.LAST_WRITE_WINS) {
                        model.get(t).put(ts, entry);
                    } else {
                        model.get(t).putIfAbsent(ts, entry);
                    }
                }
                h.write(batch);
                if (r.nextInt(8) == 0) {
                    h.close();
                    h = open(policy, clock);
                }
                if (r.nextInt(5) == 0) {
                    clock.advance(Duration.ofMinutes(11));
                }
                if (r.nextInt(6) == 0 || round == 59) {
                    check(h, tags, model, r, seed);
                }
            }
            h.close();
            h = open(policy, clock);
            check(h, tags, model, r, seed);
        } finally {
            h.close();
        }
    }

    private Historian open(DuplicatePolicy policy, MutableClock clock) {
        return Historian.builder().dataDirectory(dir).jmx(false).clock(clock).duplicates(policy)
                .chunkMaxSamples(16).chunkMaxAge(Duration.ofMinutes(10)).build();
    }

    private static void check(Historian h, String[] tags, List<Map<Long, double[]>> model, SplittableRandom r,
            long seed) {
        for (int t = 0; t < tags.length; t++) {
            if (model.get(t).isEmpty() && h.tag(tags[t]).isEmpty()) {
                continue;
            }
            List<Sample> all = Reads.all(h, tags[t]);
            TreeMap<Long, double[]> m = (TreeMap<Long, double[]>) model.get(t);
            assertEquals(m.size(), all.size(), "count of " + tags[t] + " (seed " + seed + ")");
            int i = 0;
            for (Map.Entry<Long, double[]> e : m.entrySet()) {
                Sample s = all.get(i++);
                assertEquals(e.getKey(), s.timestamp().toEpochMilli(), "timestamp (seed " + seed + ")");
                assertEquals(e.getValue()[0], s.value(), "value at " + s.timestamp() + " (seed " + seed + ")");
                assertEquals((int) e.getValue()[1], s.quality().code(), "quality (seed " + seed + ")");
            }
            for (int k = 0; k < 5 && !m.isEmpty(); k++) {
                long at = m.firstKey() + (long) (r.nextDouble() * (m.lastKey() - m.firstKey() + 2000)) - 1000;
                Map.Entry<Long, double[]> prev = m.floorEntry(at);
                Optional<Sample> got = h.valueAt(tags[t], Instant.ofEpochMilli(at), ValueAt.PREVIOUS);
                assertEquals(prev == null ? null : prev.getKey(), got.map(s -> s.timestamp().toEpochMilli()).orElse(null),
                        "previous of " + at + " (seed " + seed + ")");
                Map.Entry<Long, double[]> next = m.ceilingEntry(at);
                Optional<Sample> gotNext = h.valueAt(tags[t], Instant.ofEpochMilli(at), ValueAt.NEXT);
                assertEquals(next == null ? null : next.getKey(),
                        gotNext.map(s -> s.timestamp().toEpochMilli()).orElse(null), "next of " + at + " (seed " + seed + ")");
                long from = at;
                long to = at + r.nextInt(200_000);
                int expected = m.subMap(from, true, to, false).size();
                assertEquals(expected, h.query(tags[t]).between(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to))
                        .toList().size(), "range [" + from + ", " + to + ") (seed " + seed + ")");
            }
        }
    }
}
