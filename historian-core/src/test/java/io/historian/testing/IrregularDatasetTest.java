package io.historian.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Checks the irregular benchmark dataset against the per-tag samples it is built from. */
class IrregularDatasetTest {

    /** The whole stream, read in pieces of {@code piece}. */
    private record Drained(int[] tags, long[] ts, double[] values) {
        static Drained of(IrregularDataset data, int piece) {
            int size = (int) data.size();
            int[] tags = new int[size];
            long[] ts = new long[size];
            double[] values = new double[size];
            IrregularDataset.Stream stream = data.stream();
            int at = 0;
            for (int n; (n = stream.next(tags, ts, values, at, Math.min(piece, size - at))) > 0; ) {
                at += n;
            }
            assertEquals(size, at, "stream length");
            assertEquals(0, stream.next(new int[1], new long[1], new double[1], 0, 1), "stream goes on after its end");
            return new Drained(tags, ts, values);
        }
    }

    @Test
    void stream_deliversEverySampleOnce_withAboutFivePercentLate() {
        int tags = 7;
        int perTag = 20_000;
        IrregularDataset data = IrregularDataset.of(tags, perTag, 42);
        Drained d = Drained.of(data, 999);
        StandardDataset source = StandardDataset.irregular(tags, perTag, 42);

        int late = 0;
        for (int t = 0; t < tags; t++) {
            long[] expectedTs = new long[perTag];
            double[] expectedValues = new double[perTag];
            source.fillTimestamps(t, 0, expectedTs, 0, perTag);
            source.fillValues(t, 0, expectedValues, 0, perTag);
            long[] ts = new long[perTag];
            double[] values = new double[perTag];
            int[] arrival = new int[perTag];
            int k = 0;
            long highest = Long.MIN_VALUE;
            for (int i = 0; i < d.tags().length; i++) {
                if (d.tags()[i] != t) {
                    continue;
                }
                if (d.ts()[i] < highest) {
                    late++;
                }
                highest = Math.max(highest, d.ts()[i]);
                ts[k] = d.ts()[i];
                values[k] = d.values()[i];
                arrival[k] = i;
                k++;
            }
            assertEquals(perTag, k, "samples of tag " + t);
            // Sorted by time, the tag's samples are exactly the source's.
            Integer[] order = new Integer[perTag];
            for (int i = 0; i < perTag; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Long.compare(ts[a], ts[b]));
            for (int i = 0; i < perTag; i++) {
                assertEquals(expectedTs[i], ts[order[i]], "tag " + t + " sample " + i);
                assertEquals(expectedValues[i], values[order[i]], "tag " + t + " sample " + i);
                // Held back at most MAX_LATE_ROUNDS rounds: within (8 + 2) rounds of its own position.
                int onTimePosition = i * tags + t;
                assertTrue(arrival[order[i]] - onTimePosition < (IrregularDataset.MAX_LATE_ROUNDS + 2) * tags,
                        "tag " + t + " sample " + i + " arrived at " + arrival[order[i]]);
            }
        }
        double fraction = late / (double) data.size();
        assertTrue(fraction > 0.03 && fraction < 0.07, "late fraction " + fraction);
    }

    @Test
    void stream_isDeterministic_whateverThePieceSize() {
        IrregularDataset data = IrregularDataset.of(5, 3000, 7);
        Drained a = Drained.of(data, 1);
        Drained b = Drained.of(data, 10_000);
        Drained c = Drained.of(IrregularDataset.of(5, 3000, 7), 333);
        assertArrayEquals(a.tags(), b.tags());
        assertArrayEquals(a.ts(), b.ts());
        assertArrayEquals(a.values(), c.values());
        Drained otherSeed = Drained.of(IrregularDataset.of(5, 3000, 8), 333);
        assertTrue(!Arrays.equals(a.values(), otherSeed.values()), "seed has no effect");
    }

    @Test
    void noLateFraction_isLiveOrder_andBadFractionsFail() {
        int tags = 3;
        Drained d = Drained.of(IrregularDataset.of(tags, 500, 42, 0), 64);
        for (int i = 0; i < d.tags().length; i++) {
            assertEquals(i % tags, d.tags()[i], "position " + i);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IrregularDataset.of(3, 10, 42, 1.5));
        assertTrue(e.getMessage().contains("lateFraction=1.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IrregularDataset.of(3, 10, 42, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> IrregularDataset.of(0, 10, 42));
        assertEquals("std.tag002", IrregularDataset.of(3, 10, 42).tagName(2));
    }

    @Test
    void standardArrivingLate_hasTheStandardSamples_inTheSameArrivalOrder() {
        int tags = 4;
        int perTag = 2000;
        Drained late = Drained.of(IrregularDataset.standardArrivingLate(tags, perTag, 0.05), 500);
        Drained irregular = Drained.of(IrregularDataset.of(tags, perTag, StandardDataset.DEFAULT_SEED), 500);
        assertArrayEquals(irregular.tags(), late.tags(), "same seed and fraction, same arrival order");
        StandardDataset standard = StandardDataset.standard(tags, perTag);
        double[] values = new double[perTag];
        for (int t = 0; t < tags; t++) {
            standard.fillValues(t, 0, values, 0, perTag);
            for (int i = 0; i < late.tags().length; i++) {
                if (late.tags()[i] == t) {
                    int sample = (int) ((late.ts()[i] - StandardDataset.T0) / StandardDataset.PERIOD_MS);
                    assertEquals(standard.timestamp(sample), late.ts()[i], "on the 1 s grid");
                    assertEquals(values[sample], late.values()[i], "tag " + t + " sample " + sample);
                }
            }
        }
    }
}
