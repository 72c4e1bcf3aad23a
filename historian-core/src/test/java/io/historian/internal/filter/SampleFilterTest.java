package io.historian.internal.filter;

import static io.historian.internal.filter.Recorder.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Quality;
import io.historian.TagDefinition;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exception and swinging-door filters against examples worked by hand. Times are in seconds
 * (the filter sees milliseconds); every sample is Good unless stated.
 */
class SampleFilterTest {
    private static final int BAD = Quality.BAD_NO_COMMUNICATION.code();
    private static final int UNCERTAIN = Quality.UNCERTAIN_LAST_USABLE_VALUE.code();

    private final Recorder out = new Recorder();

    private static SampleFilter door(double deviation) {
        return SampleFilter.of(TagDefinition.of("t").swingingDoor(deviation, Duration.ofHours(1)));
    }

    private static SampleFilter deadband(double deviation, Duration excMax) {
        return SampleFilter.of(TagDefinition.of("t").deadband(deviation).exceptionMax(excMax));
    }

    @Test
    void swingingDoor_workedExample_archivesTheTurningPoints() {
        // deviation 1.0; A = anchor (last archived), H = held snapshot; door = slope range from A
        // that passes within 1.0 of every sample after A up to H; slope = (v - vA) / (t - tA).
        //  t  v    | A      | slope  | door before         | action
        //  0  0    | -      | -      | -                   | first sample: archive (0, 0)
        //  1  1    | (0,0)  | 1      | none (no H)         | hold; door [(1-1)/1, (1+1)/1] = [0, 2]
        //  2  2    | (0,0)  | 1      | [0, 2]              | inside: hold; door ∩ [0.5, 1.5] = [0.5, 1.5]
        //  3  3    | (0,0)  | 1      | [0.5, 1.5]          | inside: hold; door ∩ [0.667, 1.333]
        //  4  2    | (0,0)  | 0.5    | [0.667, 1.333]      | outside: archive H (3, 3); A = (3,3); hold;
        //          |        |        |                     |   door [(2-1-3)/1, (2+1-3)/1] = [-2, 0]
        //  5  1.5  | (3,3)  | -0.75  | [-2, 0]             | inside; door ∩ [-1.25, -0.25]
        //  6  1.5  | (3,3)  | -0.5   | [-1.25, -0.25]      | inside; door ∩ [-0.833, -0.167] = [-0.833, -0.25]
        //  7  1.5  | (3,3)  | -0.375 | [-0.833, -0.25]     | inside; door ∩ [-0.625, -0.125] = [-0.625, -0.25]
        //  8  1.6  | (3,3)  | -0.28  | [-0.625, -0.25]     | inside; door ∩ [-0.48, -0.08] = [-0.48, -0.25]
        //  9  5    | (3,3)  | 0.333  | [-0.48, -0.25]      | outside: archive H (8, 1.6); A = (8, 1.6); hold (9, 5)
        // Check: the line (3, 3)-(8, 1.6) has slope -0.28 and misses t=4..7 by 0.72, 0.94, 0.66, 0.38.
        //  flush   |        |        |                     | archive H (9, 5)
        SampleFilter f = door(1.0);
        long[] t = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        double[] v = {0, 1, 2, 3, 2, 1.5, 1.5, 1.5, 1.6, 5};
        for (int i = 0; i < t.length; i++) {
            out.offer(f, t[i], v[i]);
        }
        assertEquals(List.of(s(0, 0), s(3, 3), s(8, 1.6)), out.seconds());
        assertTrue(f.hasSnapshot());
        assertEquals(9000, f.snapshotTime());
        assertEquals(5.0, f.snapshotValue());
        f.flush(out);
        assertEquals(List.of(s(0, 0), s(3, 3), s(8, 1.6), s(9, 5)), out.seconds());
        assertEquals(10, f.offered());
        assertEquals(4, f.archived());
        assertEquals(6, f.filtered());
        assertEquals(0, f.pending());
    }

    @Test
    void deadband_workedExample_passesExceptionsWithTheSampleBefore() {
        // deadband 0.5, ExcMax 10 s. rep = last passed; un = newest held back. A sample passes when
        // |v - rep| > 0.5 (then un passes first), or when t - rep.t >= 10 (alone).
        //  t   v     | rep        | |v - rep| | action
        //  0   10    | -          | -         | first: pass (0, 10)
        //  1   10.3  | (0, 10)    | 0.3       | hold back
        //  2   10.5  | (0, 10)    | 0.5       | hold back (equal to the deadband is not more)
        //  3   11.2  | (0, 10)    | 1.2       | pass un (2, 10.5), then (3, 11.2)
        //  4   11.0  | (3, 11.2)  | 0.2       | hold back
        //  5..12 11.1| (3, 11.2)  | 0.1       | hold back (t - 3 < 10)
        //  13  11.1  | (3, 11.2)  | 0.1       | t - 3 = 10 >= ExcMax: pass (13, 11.1) alone
        //  14  10.5  | (13, 11.1) | 0.6       | pass (14, 10.5); nothing held back to send first
        //  15  10.6  | (14, 10.5) | 0.1       | hold back
        //  flush     |            |           | pass un (15, 10.6)
        SampleFilter f = deadband(0.5, Duration.ofSeconds(10));
        out.offer(f, 0, 10);
        out.offer(f, 1, 10.3);
        out.offer(f, 2, 10.5);
        assertEquals(List.of(s(0, 10)), out.seconds());
        out.offer(f, 3, 11.2);
        assertEquals(2, out.lastOfferEmits);
        out.offer(f, 4, 11.0);
        for (int t = 5; t <= 12; t++) {
            out.offer(f, t, 11.1);
        }
        assertEquals(List.of(s(0, 10), s(2, 10.5), s(3, 11.2)), out.seconds());
        out.offer(f, 13, 11.1);
        out.offer(f, 14, 10.5);
        out.offer(f, 15, 10.6);
        assertEquals(List.of(s(0, 10), s(2, 10.5), s(3, 11.2), s(13, 11.1), s(14, 10.5)), out.seconds());
        assertEquals(1, f.pending());
        f.flush(out);
        assertEquals(List.of(s(0, 10), s(2, 10.5), s(3, 11.2), s(13, 11.1), s(14, 10.5), s(15, 10.6)),
                out.seconds());
        assertEquals(16, f.offered());
        assertEquals(6, f.archived());
        assertEquals(10, f.filtered());
        assertEquals(6, f.passedException());
    }

    @Test
    void deadbandPercent_isPercentOfTheSpan() {
        // 0.5 % of a 0..200 span = 1.0: 50.9 and 50.1 are held back, 51.1 passes with 50.1 before it.
        SampleFilter f = SampleFilter.of(TagDefinition.of("t").span(0, 200).deadbandPercent(0.5));
        out.offer(f, 0, 50);
        out.offer(f, 1, 50.9);
        out.offer(f, 2, 50.1);
        assertEquals(List.of(s(0, 50)), out.seconds());
        out.offer(f, 3, 51.1);
        assertEquals(List.of(s(0, 50), s(2, 50.1), s(3, 51.1)), out.seconds());
        assertEquals(1, f.filtered());
    }

    @Test
    void exceptionMin_dropsExceptionsThatComeTooSoon() {
        // deadband 0.5, ExcMin 5 s: the jump at t=2 comes 2 s after rep (0, 0) and is held back;
        // at t=5 the value is still off by 3: un (4, 3) and (5, 3) pass.
        SampleFilter f = SampleFilter.of(TagDefinition.of("t").deadband(0.5).exceptionMin(Duration.ofSeconds(5)));
        out.offer(f, 0, 0);
        out.offer(f, 2, 3);
        out.offer(f, 4, 3);
        assertEquals(List.of(s(0, 0)), out.seconds());
        out.offer(f, 5, 3);
        assertEquals(List.of(s(0, 0), s(4, 3), s(5, 3)), out.seconds());
        assertEquals(1, f.filtered());
    }

    @Test
    void compressionMax_forcesAnArchiveOnAFlatSignal() {
        // deviation 10 on a flat signal: the door never closes, but a sample more than 5 s after the
        // anchor archives the held one: anchors 0, 5, 10, 15; flush archives 20.
        SampleFilter f = SampleFilter.of(TagDefinition.of("t").swingingDoor(10, Duration.ofSeconds(5)));
        for (int t = 0; t <= 20; t++) {
            out.offer(f, t, 1.0);
        }
        f.flush(out);
        assertEquals(List.of(s(0, 1), s(5, 1), s(10, 1), s(15, 1), s(20, 1)), out.seconds());
    }

    @Test
    void compressionMin_suppressesArchivesSoonerThanItAfterTheAnchor() {
        // deviation 0.1 on 0, 1, 0, 1, ...: every door closes at once, yet a held sample is only
        // archived once it lies at least 3 s after the anchor: archives at 0, 3, 6, 9, then flush 10.
        SampleFilter f = SampleFilter.of(TagDefinition.of("t")
                .swingingDoor(0.1, Duration.ofSeconds(3), Duration.ofHours(1)));
        for (int t = 0; t <= 10; t++) {
            out.offer(f, t, t % 2);
        }
        f.flush(out);
        assertEquals(List.of(s(0, 0), s(3, 1), s(6, 0), s(9, 1), s(10, 0)), out.seconds());

        Recorder noMin = new Recorder();
        SampleFilter g = door(0.1);
        for (int t = 0; t <= 10; t++) {
            noMin.offer(g, t, t % 2);
        }
        g.flush(noMin);
        assertEquals(11, noMin.samples.size(), "without CompMin every sample of this signal is archived");
    }

    @Test
    void qualityChange_archivesBothSides_throughBothStages() {
        // deadband 1, door 1, flat 5.0: t=1..4 are held back by the exception stage. At t=5 the
        // quality turns Bad: un (4, 5) passes and is held by the door, then the event archives the
        // held (4, 5) and itself. t=6 Bad NaN passes (after a NaN); t=7 Good passes (quality change).
        SampleFilter f = SampleFilter.of(TagDefinition.of("t").deadband(1).swingingDoor(1, Duration.ofHours(1)));
        for (int t = 0; t <= 4; t++) {
            out.offer(f, t, 5.0);
        }
        assertEquals(List.of(s(0, 5)), out.seconds());
        out.offer(f, 5, Double.NaN, BAD);
        assertEquals(2, out.lastOfferEmits);
        out.offer(f, 6, Double.NaN, BAD);
        out.offer(f, 7, 5.0);
        out.offer(f, 8, 5.0);
        assertEquals(List.of(s(0, 5), s(4, 5), s(5, Double.NaN, BAD), s(6, Double.NaN, BAD), s(7, 5)),
                out.seconds());
    }

    @Test
    void qualityChange_withAHeldSnapshotAndAHeldBackSample_emitsThreeInOneOffer() {
        // deadband 0.5, door 0.1. t=1: passes (|1 - 0| > 0.5), held by the door, door [0.9, 1.1].
        // t=2 1.2: held back (0.2 from rep). t=3 Uncertain: un (2, 1.2) passes; its slope from (0,0)
        // is 0.6, outside [0.9, 1.1]: (1, 1) is archived and (2, 1.2) held; then the quality event
        // archives (2, 1.2) and (3, 1.2).
        SampleFilter f = SampleFilter.of(TagDefinition.of("t").deadband(0.5).swingingDoor(0.1, Duration.ofHours(1)));
        out.offer(f, 0, 0);
        out.offer(f, 1, 1);
        out.offer(f, 2, 1.2);
        out.offer(f, 3, 1.2, UNCERTAIN);
        assertEquals(SampleFilter.MAX_EMITS_PER_OFFER, out.lastOfferEmits);
        assertEquals(List.of(s(0, 0), s(1, 1), s(2, 1.2), s(3, 1.2, UNCERTAIN)), out.seconds());
    }

    @Test
    void qualityChange_isArchivedEvenWhenTheValueIsUnchanged_andTheReturnToGoodToo() {
        SampleFilter f = door(100);
        out.offer(f, 0, 7);
        out.offer(f, 1, 7);
        out.offer(f, 2, 7, UNCERTAIN);
        out.offer(f, 3, 7, UNCERTAIN);
        out.offer(f, 4, 7);
        assertEquals(List.of(s(0, 7), s(1, 7), s(2, 7, UNCERTAIN), s(3, 7, UNCERTAIN), s(4, 7)), out.seconds());
    }

    @Test
    void outOfOrder_passesStraightThrough_withoutDisturbingTheDoor() {
        // A ramp v = t is one straight line: only its ends are archived. A late (2.5 s, 100) is
        // archived at once and the ramp still compresses to its ends.
        SampleFilter f = SampleFilter.of(TagDefinition.of("t").deadband(0.1).swingingDoor(0.5, Duration.ofHours(1)));
        for (int t = 0; t <= 5; t++) {
            out.offer(f, t, t);
        }
        out.offerMillis(f, 2500, 100, 0);
        assertEquals(1, out.lastOfferEmits);
        out.offer(f, 6, 6);
        f.flush(out);
        assertEquals(List.of(s(0, 0), s(2500, 100), s(6000, 6)), out.samples);
        assertEquals(8, f.offered());
        assertEquals(3, f.archived());
    }

    @Test
    void sameTimestampAsTheNewest_replacesIt_andIsArchived() {
        // (1, 1) is held by the door; (1, 5) replaces it: archived at once, (1, 1) is dropped.
        SampleFilter f = door(1);
        out.offer(f, 0, 0);
        out.offer(f, 1, 1);
        out.offer(f, 1, 5);
        assertEquals(List.of(s(0, 0), s(1, 5)), out.seconds());
        assertFalse(f.hasSnapshot());
        assertEquals(1, f.filtered());
        out.offer(f, 2, 5);
        f.flush(out);
        assertEquals(List.of(s(0, 0), s(1, 5), s(2, 5)), out.seconds());
    }

    @Test
    void flush_emitsTheSnapshot_once() {
        SampleFilter f = door(1);
        out.offer(f, 0, 0);
        out.offer(f, 1, 0.5);
        out.offer(f, 2, 1);
        assertEquals(List.of(s(0, 0)), out.seconds());
        f.flush(out);
        assertEquals(List.of(s(0, 0), s(2, 1)), out.seconds());
        f.flush(out);
        assertEquals(2, out.samples.size());
        assertEquals(1, f.filtered());
        // After a flush the filter goes on from the flushed sample as its anchor.
        out.offer(f, 3, 1.5);
        out.offer(f, 4, 2);
        f.flush(out);
        assertEquals(List.of(s(0, 0), s(2, 1), s(4, 2)), out.seconds());
    }

    @Test
    void nanAndInfinity_alwaysPass_andSoDoesTheFirstFiniteAfterThem() {
        SampleFilter f = SampleFilter.of(TagDefinition.of("t").deadband(1).swingingDoor(1, Duration.ofHours(1)));
        out.offer(f, 0, 5);
        out.offer(f, 1, 5);
        out.offer(f, 2, Double.NaN);
        out.offer(f, 3, Double.NaN);
        out.offer(f, 4, Double.POSITIVE_INFINITY);
        out.offer(f, 5, 5);
        out.offer(f, 6, 5);
        assertEquals(List.of(s(0, 5), s(1, 5), s(2, Double.NaN), s(3, Double.NaN), s(4, Double.POSITIVE_INFINITY),
                s(5, 5)), out.seconds());
        assertEquals(1, f.pending());
    }

    @Test
    void noFilter_archivesEverySampleAtOnce() {
        SampleFilter f = SampleFilter.of(TagDefinition.of("t"));
        for (int t = 0; t < 5; t++) {
            out.offer(f, t, 1);
            assertEquals(1, out.lastOfferEmits);
        }
        f.flush(out);
        assertEquals(5, out.samples.size());
        assertEquals(0, f.filtered());
    }

    @Test
    void stats_withoutFidelity_reportCountersOnly() {
        SampleFilter f = deadband(1, Duration.ofHours(1));
        for (int t = 0; t < 10; t++) {
            out.offer(f, t, 0);
        }
        var stats = f.stats();
        assertEquals("t", stats.tag());
        assertEquals(10, stats.offered());
        assertEquals(1, stats.archived());
        assertEquals(8, stats.filtered());
        assertEquals(1, stats.pending());
        assertEquals(10.0, stats.compressionRatio());
        assertTrue(Double.isNaN(stats.maxError()));
    }
}
