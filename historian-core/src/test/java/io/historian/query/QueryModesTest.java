package io.historian.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Historian;
import io.historian.Interpolation;
import io.historian.Quality;
import io.historian.Sample;
import io.historian.SampleBatch;
import io.historian.TagDefinition;
import io.historian.TagNotFoundException;
import io.historian.internal.engine.Internals;
import io.historian.query.QueryFixture.Arrangement;
import io.historian.query.QueryFixture.S;
import io.historian.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Hand-checked examples, edge cases and bad input for the query modes. */
class QueryModesTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final int BAD = Quality.BAD_NO_COMMUNICATION.code();

    @TempDir
    Path dir;

    Historian.Builder builder() {
        return Historian.builder().dataDirectory(dir).clock(new MutableClock(T0.plus(Duration.ofDays(400)))).jmx(false)
                .tag(TagDefinition.of("lin").interpolation(Interpolation.LINEAR))
                .tag(TagDefinition.of("step").interpolation(Interpolation.STEPPED));
    }

    static Instant t(long seconds) {
        return T0.plusSeconds(seconds);
    }

    static List<double[]> rows(AggregateCursor c) {
        List<double[]> out = new ArrayList<>();
        try (c) {
            while (c.next()) {
                double[] row = new double[1 + 2 * c.aggregates().size()];
                row[0] = c.startMillis();
                for (int i = 0; i < c.aggregates().size(); i++) {
                    row[1 + 2 * i] = c.value(i);
                    row[2 + 2 * i] = c.qualityCode(i);
                }
                out.add(row);
            }
        }
        return out;
    }

    @Test
    void timeWeightedMean_usesTheInterpolatedValueAtTheIntervalStart() {
        try (Historian h = builder().build()) {
            for (String tag : new String[] {"lin", "step"}) {
                h.write(tag, t(0), 0.0);
                h.write(tag, t(10), 10.0);
            }
            try (AggregateCursor c = h.query("lin").between(t(5), t(15))
                    .aggregate(Duration.ofSeconds(20), Aggregate.TIME_WEIGHTED_MEAN, Aggregate.INTEGRAL,
                            Aggregate.COUNT, Aggregate.MEAN)) {
                assertTrue(c.next());
                assertEquals(t(5), c.intervalStart());
                assertEquals(t(15), c.intervalEnd());
                // 5 -> 10 on the line over 5 s (37.5), then 10 held over 5 s (50).
                assertEquals(8.75, c.value(Aggregate.TIME_WEIGHTED_MEAN), 1e-12);
                assertEquals(87.5, c.value(Aggregate.INTEGRAL), 1e-12);
                assertEquals(1, c.value(Aggregate.COUNT));
                assertEquals(10.0, c.value(Aggregate.MEAN));
                assertFalse(c.next());
            }
            try (AggregateCursor c = h.query("step").between(t(5), t(15))
                    .aggregate(Duration.ofSeconds(20), Aggregate.TIME_WEIGHTED_MEAN)) {
                assertTrue(c.next());
                assertEquals(5.0, c.value(0), 1e-12);
            }
        }
    }

    @Test
    void aggregates_ofAllBadInterval_areNoDataButDurationBadCountsIt() {
        try (Historian h = builder().build()) {
            h.write("lin", t(0), 1.0, Quality.GOOD);
            h.write("lin", t(10), Double.NaN, Quality.BAD_NO_COMMUNICATION);
            h.write("lin", t(20), 5.0, Quality.BAD_SENSOR_FAILURE);
            h.write("lin", t(30), 3.0, Quality.UNCERTAIN_SENSOR_NOT_ACCURATE);
            List<double[]> r = rows(h.query("lin").between(t(10), t(30)).aggregate(Duration.ofSeconds(30),
                    Aggregate.COUNT, Aggregate.MIN, Aggregate.TIME_WEIGHTED_MEAN, Aggregate.PERCENT_GOOD,
                    Aggregate.DURATION_BAD));
            assertEquals(1, r.size());
            assertEquals(0, r.get(0)[1]);
            assertEquals(Aggregate.NO_DATA, (int) r.get(0)[2]);
            assertTrue(Double.isNaN(r.get(0)[3]));
            assertTrue(Double.isNaN(r.get(0)[5]), "no usable time");
            assertEquals(Aggregate.NO_DATA, (int) r.get(0)[6]);
            assertEquals(0.0, r.get(0)[7]);
            assertEquals(20.0, r.get(0)[9]);
            // The Uncertain sample after the range shows in a range that holds it.
            List<double[]> u = rows(h.query("lin").between(t(30), t(40)).aggregate(Duration.ofSeconds(10),
                    Aggregate.LAST, Aggregate.PERCENT_GOOD));
            assertEquals(3.0, u.get(0)[1]);
            assertEquals(Quality.UNCERTAIN_SENSOR_NOT_ACCURATE.code(), (int) u.get(0)[2]);
            assertEquals(0.0, u.get(0)[3]);
        }
    }

    @Test
    void ranges_beforeTheFirstAndAfterTheLastSample() {
        try (Historian h = builder().build()) {
            h.write("step", t(100), 7.0);
            h.write("step", t(110), 9.0);
            List<double[]> before = rows(h.query("step").between(t(0), t(50)).aggregate(Duration.ofSeconds(50),
                    Aggregate.COUNT, Aggregate.TIME_WEIGHTED_MEAN, Aggregate.DURATION_BAD));
            assertEquals(0, before.get(0)[1]);
            assertTrue(Double.isNaN(before.get(0)[3]));
            assertEquals(50.0, before.get(0)[5], "no data counts as bad");
            List<double[]> after = rows(h.query("step").between(t(200), t(300)).aggregate(Duration.ofSeconds(100),
                    Aggregate.COUNT, Aggregate.TIME_WEIGHTED_MEAN, Aggregate.PERCENT_GOOD));
            assertEquals(0, after.get(0)[1]);
            assertEquals(9.0, after.get(0)[3], "the last value holds");
            assertEquals(100.0, after.get(0)[5]);
            List<double[]> around = rows(h.query("step").between(t(0), t(300)).aggregate(Duration.ofSeconds(300),
                    Aggregate.COUNT, Aggregate.FIRST, Aggregate.LAST, Aggregate.DELTA));
            assertEquals(List.of(2.0, 7.0, 9.0, 2.0), List.of(around.get(0)[1], around.get(0)[3], around.get(0)[5],
                    around.get(0)[7]));
            assertEquals(0, QueryFixture.points(h.query("step").between(t(0), t(50)).lttb(10)).size());
            assertEquals(0, QueryFixture.points(h.query("step").between(t(0), t(50)).plot(10)).size());
        }
    }

    @Test
    void emptyRange_givesNoIntervalsAndNoPoints_oneSampleGivesItself() {
        try (Historian h = builder().build()) {
            h.write("lin", t(5), 1.5, Quality.UNCERTAIN_LAST_USABLE_VALUE);
            assertEquals(0, rows(h.query("lin").between(t(5), t(5)).aggregate(Duration.ofSeconds(1),
                    Aggregate.COUNT)).size());
            assertEquals(0, QueryFixture.points(h.query("lin").between(t(5), t(5)).lttb(3)).size());
            assertEquals(0, QueryFixture.points(h.query("lin").between(t(5), t(5)).interpolated(Duration.ofSeconds(1)))
                    .size());
            for (PointCursor c : List.of(h.query("lin").between(t(0), t(10)).lttb(3),
                    h.query("lin").between(t(0), t(10)).minMaxLttb(3), h.query("lin").between(t(0), t(10)).plot(5))) {
                List<double[]> p = QueryFixture.points(c);
                assertEquals(1, p.size());
                assertEquals(t(5).toEpochMilli(), (long) p.get(0)[0]);
                assertEquals(1.5, p.get(0)[1]);
                assertEquals(Quality.UNCERTAIN_LAST_USABLE_VALUE.code(), (int) p.get(0)[2]);
                assertEquals(1, p.get(0)[3], "the first point starts a line");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.historian.query.QueryFixture#arrangements")
    void headerFastPath_summaryAggregates_decodeOnlyTheEdgeChunks(Arrangement arrangement) {
        List<S> data = new ArrayList<>();
        for (int i = 0; i < 16 * 40; i++) {
            data.add(new S(QueryFixture.T0 + i * 1000L, Math.sin(i / 10.0) * 50, 0));
        }
        try (Historian h = QueryFixture.load(dir, arrangement, data, List.of())) {
            Instant from = Instant.ofEpochMilli(QueryFixture.T0 + 5_000);
            Instant to = Instant.ofEpochMilli(QueryFixture.T0 + 600_000);
            Aggregate[] summary = {Aggregate.COUNT, Aggregate.MIN, Aggregate.MAX, Aggregate.SUM, Aggregate.FIRST,
                Aggregate.LAST, Aggregate.MEAN, Aggregate.DELTA, Aggregate.RANGE};
            long before = Internals.chunkDecodes(h);
            List<double[]> fast = rows(h.query(QueryFixture.LIN).between(from, to).aggregate(Duration.ofMinutes(10),
                    summary));
            long fastDecodes = Internals.chunkDecodes(h) - before;
            before = Internals.chunkDecodes(h);
            Aggregate[] withStddev = Arrays.copyOf(summary, summary.length + 1);
            withStddev[summary.length] = Aggregate.STDDEV;
            List<double[]> slow = rows(h.query(QueryFixture.LIN).between(from, to).aggregate(Duration.ofMinutes(10),
                    withStddev));
            long slowDecodes = Internals.chunkDecodes(h) - before;
            System.out.println("headerFastPath " + arrangement + ": decodes fast=" + fastDecodes + " slow=" + slowDecodes);
            assertEquals(595, fast.get(0)[1]);
            assertEquals(data.get(5).v(), fast.get(0)[9], "first");
            assertEquals(data.get(599).v(), fast.get(0)[11], "last");
            for (int row = 0; row < slow.size(); row++) {
                for (int k = 0; k < summary.length; k++) {
                    double expected = slow.get(row)[1 + 2 * k];
                    assertEquals(expected, fast.get(row)[1 + 2 * k], 1e-9 * Math.abs(expected) + 1e-9,
                            summary[k] + " in row " + row);
                    assertEquals(slow.get(row)[2 + 2 * k], fast.get(row)[2 + 2 * k], summary[k] + " quality");
                }
            }
            if (arrangement == Arrangement.COMMITTED_CHUNKS) {
                assertTrue(fastDecodes <= 2, "only the two edge chunks decode, was " + fastDecodes);
                assertTrue(slowDecodes >= 37, "STDDEV decodes every chunk, was " + slowDecodes);
            }
        }
    }

    @Test
    void calendarDays_acrossDaylightSaving_last23And25Hours() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        try (Historian h = builder().clock(new MutableClock(Instant.parse("2027-01-01T00:00:00Z"))).build()) {
            Instant from = Instant.parse("2026-03-27T23:00:00Z"); // 2026-03-28 00:00 Paris
            for (long s = 0; s < 4 * 86_400; s += 600) {
                h.write("step", from.plusSeconds(s), 1.0);
            }
            Instant to = Instant.parse("2026-03-30T22:00:00Z"); // 31 March 00:00 Paris
            List<double[]> days = rows(h.query("step").between(from, to).alignedTo(paris)
                    .aggregate(Duration.ofDays(1), Aggregate.COUNT, Aggregate.INTEGRAL));
            assertEquals(3, days.size());
            assertEquals(Instant.parse("2026-03-28T23:00:00Z").toEpochMilli(), (long) days.get(1)[0]);
            assertEquals(Instant.parse("2026-03-29T22:00:00Z").toEpochMilli(), (long) days.get(2)[0]);
            assertEquals(23 * 6, days.get(1)[1], "29 March 2026 lasts 23 h in Paris");
            assertEquals(23 * 3600.0, days.get(1)[3]);
            Instant autumn = Instant.parse("2026-10-24T22:00:00Z"); // 25 October 00:00 Paris, a 25 h day
            try (AggregateCursor c = h.query("step").between(autumn, autumn.plus(Duration.ofHours(25)))
                    .alignedTo(paris).aggregate(Duration.ofDays(1), Aggregate.COUNT)) {
                assertTrue(c.next());
                assertEquals(Duration.ofHours(25), Duration.between(c.intervalStart(), c.intervalEnd()));
            }
            // Hours restart at each local midnight: a 23 h day holds 23 hourly intervals.
            assertEquals(23, rows(h.query("step").between(Instant.parse("2026-03-28T23:00:00Z"),
                    Instant.parse("2026-03-29T22:00:00Z")).alignedTo(paris).aggregate(Duration.ofHours(1),
                            Aggregate.COUNT)).size());
        }
    }

    @Test
    void fill_previousCarriesInTheIntervalBeforeTheWindow_linearInterpolates() {
        try (Historian h = builder().build()) {
            h.write("lin", t(0), 4.0);
            h.write("lin", t(40), 8.0);
            List<double[]> prev = rows(h.query("lin").between(t(10), t(50)).fill(Fill.PREVIOUS)
                    .aggregate(Duration.ofSeconds(10), Aggregate.MAX));
            assertEquals(List.of(4.0, 4.0, 4.0, 8.0), prev.stream().map(r -> r[1]).toList());
            assertEquals(Quality.UNCERTAIN_LAST_USABLE_VALUE.code(), (int) prev.get(0)[2]);
            assertEquals(0, (int) prev.get(3)[2]);
            List<double[]> lin = rows(h.query("lin").between(t(10), t(50)).fill(Fill.LINEAR)
                    .aggregate(Duration.ofSeconds(10), Aggregate.MAX));
            assertEquals(List.of(5.0, 6.0, 7.0, 8.0), lin.stream().map(r -> r[1]).toList());
            List<double[]> none = rows(h.query("lin").between(t(10), t(50)).aggregate(Duration.ofSeconds(10),
                    Aggregate.MAX));
            assertTrue(Double.isNaN(none.get(0)[1]));
            assertEquals(Aggregate.NO_DATA, (int) none.get(0)[2]);
            List<double[]> constant = rows(h.query("lin").between(t(10), t(50)).fill(Fill.constant(-1))
                    .aggregate(Duration.ofSeconds(10), Aggregate.MAX, Aggregate.COUNT));
            assertEquals(-1.0, constant.get(0)[1]);
            assertEquals(0.0, constant.get(0)[3], "COUNT is not filled");
        }
    }

    static final Aggregate[] SAMPLE_AGGREGATES = {Aggregate.COUNT, Aggregate.MIN, Aggregate.MAX, Aggregate.FIRST,
            Aggregate.LAST, Aggregate.SUM, Aggregate.MEAN, Aggregate.RANGE, Aggregate.DELTA, Aggregate.STDDEV};
    static final int UNCERTAIN_CARRIED = Quality.UNCERTAIN_LAST_USABLE_VALUE.code();

    /** Asserts a row's MIN..STDDEV (COUNT aside) against {@code expected}, all with quality {@code quality}. */
    static void assertSampleAggregates(double[] expected, int quality, double[] row, String where) {
        assertEquals(0.0, row[1], where + ": COUNT is never filled");
        for (int i = 1; i < SAMPLE_AGGREGATES.length; i++) {
            String what = where + " " + SAMPLE_AGGREGATES[i];
            assertEquals(expected[i - 1], row[1 + 2 * i], 1e-12, what);
            assertEquals(Integer.toHexString(quality), Integer.toHexString((int) row[2 + 2 * i]), what + " quality");
        }
    }

    @Test
    void fillPrevious_repeatsThePreviousIntervalsValueOfEveryAggregate_inTheMiddleAndAtTheRangeStart() {
        try (Historian h = builder().build()) {
            // [0,10): 2, 6, 4. [10,30) empty. [30,40): 10, 20. [40,50): a Bad sample only (empty).
            // [50,60): one sample, so its STDDEV is NaN. [60,70) empty.
            h.write("step", t(1), 2.0);
            h.write("step", t(4), 6.0);
            h.write("step", t(7), 4.0);
            h.write("step", t(31), 10.0);
            h.write("step", t(33), 20.0);
            h.write("step", t(45), 99.0, Quality.BAD_NO_COMMUNICATION);
            h.write("step", t(55), 1.0);
            //                  MIN  MAX FIRST LAST SUM MEAN RANGE DELTA STDDEV
            double[] first = {2, 6, 2, 4, 12, 4, 4, 2, 2};
            double[] third = {10, 20, 10, 20, 30, 15, 10, 10, Math.sqrt(50)};
            double[] single = {1, 1, 1, 1, 1, 1, 0, 0, Double.NaN};
            Duration ten = Duration.ofSeconds(10);

            List<double[]> all = rows(h.query("step").between(t(0), t(70)).fill(Fill.PREVIOUS)
                    .aggregate(ten, SAMPLE_AGGREGATES));
            assertEquals(7, all.size());
            assertSampleAggregates(first, UNCERTAIN_CARRIED, all.get(1), "[10,20)");
            assertSampleAggregates(first, UNCERTAIN_CARRIED, all.get(2), "[20,30)");
            assertSampleAggregates(third, UNCERTAIN_CARRIED, all.get(4), "[40,50), Bad only");
            // The previous interval's STDDEV is NaN (one sample): repeated as it is, not an older number.
            assertSampleAggregates(single, UNCERTAIN_CARRIED, all.get(6), "[60,70)");

            // Starting the range inside the empty run: the first intervals repeat [0,10), every aggregate.
            List<double[]> late = rows(h.query("step").between(t(15), t(40)).fill(Fill.PREVIOUS)
                    .aggregate(ten, SAMPLE_AGGREGATES));
            assertEquals(3, late.size());
            assertSampleAggregates(first, UNCERTAIN_CARRIED, late.get(0), "[15,20) at the range start");
            assertSampleAggregates(first, UNCERTAIN_CARRIED, late.get(1), "[20,30) after the range start");
            assertTrue(Arrays.equals(all.get(3), late.get(2)), "[30,40) is not filled");

            // The sample right before the range is Bad: the carried interval is the one before it, [30,40).
            List<double[]> afterBad = rows(h.query("step").between(t(48), t(70)).fill(Fill.PREVIOUS)
                    .aggregate(ten, SAMPLE_AGGREGATES));
            assertSampleAggregates(third, UNCERTAIN_CARRIED, afterBad.get(0), "[48,50) after a Bad sample");
            assertTrue(Arrays.equals(all.get(5), afterBad.get(1)));
            assertTrue(Arrays.equals(all.get(6), afterBad.get(2)), "[60,70) as in the longer range");

            // Nothing before the range: nothing to repeat.
            List<double[]> before = rows(h.query("step").between(t(-20), t(0)).fill(Fill.PREVIOUS)
                    .aggregate(ten, SAMPLE_AGGREGATES));
            assertEquals(2, before.size());
            for (double[] row : before) {
                for (int i = 1; i < SAMPLE_AGGREGATES.length; i++) {
                    assertTrue(Double.isNaN(row[1 + 2 * i]), SAMPLE_AGGREGATES[i].toString());
                    assertEquals(Aggregate.NO_DATA, (int) row[2 + 2 * i]);
                }
            }
        }
    }

    @Test
    void fillPrevious_carriedInterval_isTheCellOfTheLastSampleCutAtTheRangeStart_onEveryGrid() {
        try (Historian h = builder().build()) {
            h.write("step", t(11), 3.0);
            h.write("step", t(14), 5.0);
            h.write("step", t(17), 100.0);
            // From 15 s on a 10 s grid: the interval before the range is [10,15), which holds 3 and 5, not 100.
            List<double[]> rows = rows(h.query("step").between(t(15), t(30)).fill(Fill.PREVIOUS)
                    .aggregate(Duration.ofSeconds(10), Aggregate.SUM, Aggregate.STDDEV, Aggregate.DELTA));
            assertEquals(100.0, rows.get(0)[1], "[15,20) holds its own sample");
            assertEquals(List.of(100.0, 100.0), rows.stream().map(r -> r[1]).toList());
            List<double[]> empty = rows(h.query("step").between(t(18), t(40)).fill(Fill.PREVIOUS)
                    .aggregate(Duration.ofSeconds(10), Aggregate.SUM, Aggregate.STDDEV, Aggregate.DELTA));
            // Before 18 s: [10,18) holds 3, 5, 100.
            assertEquals(108.0, empty.get(0)[1]);
            assertEquals(Math.sqrt(((3 - 36) * (3 - 36) + (5 - 36) * (5 - 36) + (100 - 36) * (100 - 36)) / 2.0),
                    empty.get(0)[3], 1e-9);
            assertEquals(97.0, empty.get(0)[5]);
            assertEquals(UNCERTAIN_CARRIED, (int) empty.get(0)[2]);
            assertEquals(108.0, empty.get(1)[1], "[20,30) repeats it");
            // Calendar-aligned grid (Paris, hourly cells restart at local midnight): the same rule.
            List<double[]> paris = rows(h.query("step").between(t(3600), t(3 * 3600)).alignedTo(ZoneId.of("Europe/Paris"))
                    .fill(Fill.PREVIOUS).aggregate(Duration.ofHours(1), Aggregate.SUM, Aggregate.RANGE));
            assertEquals(List.of(108.0, 108.0), paris.stream().map(r -> r[1]).toList());
            assertEquals(List.of(97.0, 97.0), paris.stream().map(r -> r[3]).toList());
        }
    }

    @Test
    void interpolatedQuality_steppedIsTheEarlierSamples_linearIsTheWorseOfTheTwo() {
        int uncertain = Quality.UNCERTAIN_SENSOR_NOT_ACCURATE.code();
        try (Historian h = builder().build()) {
            for (String tag : new String[] {"lin", "step"}) {
                h.write(tag, t(0), 10.0, Quality.GOOD);
                h.write(tag, t(10), 20.0, Quality.UNCERTAIN_SENSOR_NOT_ACCURATE);
                h.write(tag, t(20), 30.0, Quality.GOOD);
            }
            // Stepped: the value at 4 s is the sample at 0 s, Good, whatever the later sample's quality.
            Sample step4 = h.valueAt("step", t(4), io.historian.ValueAt.INTERPOLATED).orElseThrow();
            assertEquals(10.0, step4.value());
            assertEquals(Quality.GOOD, step4.quality());
            Sample step14 = h.valueAt("step", t(14), io.historian.ValueAt.INTERPOLATED).orElseThrow();
            assertEquals(20.0, step14.value());
            assertEquals(Quality.UNCERTAIN_SENSOR_NOT_ACCURATE, step14.quality());
            // Linear: on the line, with the worse of the two qualities on both sides of the Uncertain sample.
            Sample lin4 = h.valueAt("lin", t(4), io.historian.ValueAt.INTERPOLATED).orElseThrow();
            assertEquals(14.0, lin4.value(), 1e-12);
            assertEquals(Quality.UNCERTAIN_SENSOR_NOT_ACCURATE, lin4.quality());
            Sample lin14 = h.valueAt("lin", t(14), io.historian.ValueAt.INTERPOLATED).orElseThrow();
            assertEquals(24.0, lin14.value(), 1e-12);
            assertEquals(Quality.UNCERTAIN_SENSOR_NOT_ACCURATE, lin14.quality());

            // The interpolated query reads the same way.
            List<double[]> step = QueryFixture.points(h.query("step").between(t(4), t(25))
                    .interpolated(Duration.ofSeconds(10)));
            assertEquals(List.of(10.0, 20.0), step.subList(0, 2).stream().map(p -> p[1]).toList());
            assertEquals(List.of((double) Quality.GOOD.code(), (double) uncertain),
                    step.subList(0, 2).stream().map(p -> p[2]).toList());
            List<double[]> lin = QueryFixture.points(h.query("lin").between(t(4), t(25))
                    .interpolated(Duration.ofSeconds(10)));
            assertEquals(14.0, lin.get(0)[1], 1e-12);
            assertEquals(24.0, lin.get(1)[1], 1e-12);
            assertEquals(uncertain, (int) lin.get(0)[2]);
            assertEquals(uncertain, (int) lin.get(1)[2]);
            // After the last sample: stepped keeps the sample's quality; linear is at best Uncertain_LastUsableValue.
            assertEquals(Quality.GOOD.code(), (int) step.get(2)[2]);
            assertEquals(Quality.UNCERTAIN_LAST_USABLE_VALUE.code(), (int) lin.get(2)[2]);
        }
    }

    @Test
    void pattern_queriesEveryMatchingTagInRegistrationOrder_nothingMatchingIsEmpty() {
        try (Historian h = builder().build()) {
            SampleBatch b = new SampleBatch();
            for (String tag : new String[] {"line1.b", "line2.a", "line1.a", "line1.ab"}) {
                for (int i = 0; i < 10; i++) {
                    b.add(tag, t(i).toEpochMilli(), i, Quality.GOOD);
                }
            }
            h.write(b);
            List<String> seen = new ArrayList<>();
            try (AggregateCursor c = h.query("line1.?").between(t(0), t(10)).aggregate(Duration.ofSeconds(5),
                    Aggregate.COUNT)) {
                while (c.next()) {
                    seen.add(c.tag() + "@" + c.startMillis() / 1000 % 60 + "=" + (int) c.value(0));
                }
            }
            assertEquals(List.of("line1.b@0=5", "line1.b@5=5", "line1.a@0=5", "line1.a@5=5"), seen);
            List<String> tags = new ArrayList<>();
            try (PointCursor c = h.query("line1*").between(t(0), t(10)).lttb(3)) {
                while (c.next()) {
                    tags.add(c.tag());
                }
            }
            assertEquals(List.of("line1.b", "line1.b", "line1.b", "line1.a", "line1.a", "line1.a", "line1.ab",
                    "line1.ab", "line1.ab"), tags);
            assertEquals(30, h.query("line1.*").between(t(0), t(10)).toList().size());
            try (AggregateCursor c = h.query("nothing.*").between(t(0), t(10)).aggregate(Duration.ofSeconds(5),
                    Aggregate.COUNT)) {
                assertFalse(c.next());
            }
        }
    }

    @Test
    void badInput_failsWithAClearMessage() {
        try (Historian h = builder().build()) {
            h.write("lin", t(0), 1.0);
            RawQuery q = h.query("lin").between(t(0), t(3600));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> h.query("lin").between(t(10), t(0)))
                    .getMessage().startsWith("inverted range"));
            assertThrows(IllegalArgumentException.class, () -> q.aggregate(Duration.ZERO, Aggregate.MIN));
            assertThrows(IllegalArgumentException.class, () -> q.aggregate(Duration.ofSeconds(-1), Aggregate.MIN));
            assertThrows(IllegalArgumentException.class, () -> q.aggregate(Duration.ofSeconds(1)));
            assertThrows(IllegalArgumentException.class, () -> q.interpolated(Duration.ZERO));
            String tooMany = assertThrows(IllegalArgumentException.class,
                    () -> q.maxBuckets(100).aggregate(Duration.ofSeconds(1), Aggregate.MIN)).getMessage();
            assertTrue(tooMany.startsWith("too many intervals") && tooMany.contains("maxBuckets=100"), tooMany);
            assertThrows(IllegalArgumentException.class, () -> q.maxBuckets(100).interpolated(Duration.ofSeconds(1)));
            assertThrows(IllegalArgumentException.class, () -> q.alignedTo(ZoneId.of("UTC"))
                    .aggregate(Duration.ofHours(36), Aggregate.MIN));
            assertThrows(IllegalArgumentException.class, () -> q.plot(0));
            assertThrows(IllegalArgumentException.class, () -> q.lttb(2));
            assertThrows(IllegalArgumentException.class, () -> q.minMaxLttb(0));
            assertThrows(IllegalArgumentException.class, () -> q.maxBuckets(0));
            assertThrows(NullPointerException.class, () -> q.fill(null));
            RawQuery unknown = h.query("nope").between(t(0), t(10));
            assertThrows(TagNotFoundException.class, () -> unknown.aggregate(Duration.ofSeconds(1), Aggregate.MIN));
            assertThrows(TagNotFoundException.class, () -> unknown.interpolated(Duration.ofSeconds(1)));
            assertThrows(TagNotFoundException.class, () -> unknown.lttb(10));
            assertThrows(TagNotFoundException.class, () -> unknown.plot(10));
            try (AggregateCursor c = q.aggregate(Duration.ofHours(1), Aggregate.MIN)) {
                assertThrows(IllegalStateException.class, () -> c.value(0), "before next()");
                assertThrows(IllegalArgumentException.class, () -> {
                    c.next();
                    c.value(Aggregate.MAX);
                });
            }
        }
    }

    @Test
    void cursors_afterClose_throwAndCloseTwiceIsHarmless() {
        try (Historian h = builder().build()) {
            h.write("lin", t(0), 1.0);
            AggregateCursor a = h.query("lin").between(t(0), t(10)).aggregate(Duration.ofSeconds(5), Aggregate.MIN);
            a.close();
            a.close();
            assertThrows(IllegalStateException.class, a::next);
            PointCursor p = h.query("lin").between(t(0), t(10)).lttb(5);
            p.close();
            p.close();
            assertThrows(IllegalStateException.class, p::next);
        }
    }

    @Test
    void cursor_afterTheHistorianCloses_throwsNamingTheTag() {
        Historian h = builder().build();
        h.write("lin", t(0), 1.0);
        h.write("lin", t(1), 2.0);
        AggregateCursor a = h.query("lin").between(t(0), t(10)).aggregate(Duration.ofSeconds(1), Aggregate.MIN);
        PointCursor p = h.query("lin").between(t(0), t(10)).plot(5);
        h.close();
        assertTrue(assertThrows(IllegalStateException.class, a::next).getMessage().contains("lin"));
        assertTrue(assertThrows(IllegalStateException.class, p::next).getMessage().contains("lin"));
        a.close();
        p.close();
    }
}
