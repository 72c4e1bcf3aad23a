package io.historian.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.testing.StandardDataset;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Checks the shared {@link StandardDataset} generator (it lives in test sources, so its tests sit
 * next to its first user, the codec).
 */
class StandardDatasetTest {

    @Test
    void names_andTimestamps_followTheDefinition() {
        StandardDataset data = StandardDataset.standard(100, 1000);
        assertEquals("std.tag042", data.tagName(42));
        assertEquals("std.tag000", data.tagName(0));
        assertEquals(1_700_000_000_000L, data.timestamp(0));
        assertEquals(1_700_000_005_000L, data.timestamp(5));
        long[] t = new long[10];
        data.fillTimestamps(3, 990, t, 0, 10);
        assertEquals(data.timestamp(990), t[0]);
        assertEquals(data.timestamp(999), t[9]);
        assertThrows(IllegalArgumentException.class, () -> data.tagName(100));
        assertThrows(IllegalArgumentException.class, () -> data.fillValues(0, 995, new double[10], 0, 10));
    }

    @Test
    void fillValues_sameRangeTwice_givesTheSameValues() {
        StandardDataset data = StandardDataset.standard(3, 20_000);
        double[] first = new double[5000];
        double[] again = new double[5000];
        data.fillValues(1, 10_000, first, 0, 5000);
        data.fillValues(1, 15_000, new double[100], 0, 100);
        data.fillValues(1, 10_000, again, 0, 5000); // backward jump: regenerated from sample 0
        assertArrayEquals(first, again);

        StandardDataset fresh = StandardDataset.standard(3, 20_000);
        double[] inPieces = new double[5000];
        fresh.fillValues(1, 10_000, inPieces, 0, 1234);
        fresh.fillValues(1, 11_234, inPieces, 1234, 5000 - 1234);
        assertArrayEquals(first, inPieces);
    }

    @Test
    void values_areAnalogSignalsWithTwoDecimals() {
        StandardDataset data = StandardDataset.standard(100, 20_000);
        double[] v = new double[20_000];
        double[] firstOfTag = new double[100];
        for (int tag = 0; tag < 100; tag++) {
            data.fillValues(tag, 0, v, 0, v.length);
            firstOfTag[tag] = v[0];
            int changes = 0;
            double mean = 0;
            for (int i = 0; i < v.length; i++) {
                assertEquals(v[i], Math.round(v[i] * 100) / 100.0, "tag " + tag + " sample " + i);
                mean += v[i] / v.length;
                if (i > 0 && v[i] != v[i - 1]) {
                    changes++;
                }
            }
            // Base levels are 10..1000; swing, walk and noise move the mean a few percent at most.
            assertTrue(mean > 5 && mean < 1200, "tag " + tag + " mean " + mean);
            // Noise of 0.03 % of the base moves most samples, even at a base level of 10.
            assertTrue(changes > v.length / 10, "tag " + tag + " changes " + changes);
        }
        assertEquals(100, Arrays.stream(firstOfTag).distinct().count(), "tags share values");
        double[] otherSeed = new double[1];
        new StandardDataset(100, 10, 43).fillValues(0, 0, otherSeed, 0, 1);
        assertFalse(otherSeed[0] == firstOfTag[0], "seed has no effect");
    }

    @Test
    void irregularVariant_hasJitteredTimestampsStepSignalsAndLateArrivals() {
        int n = 100_000;
        StandardDataset data = StandardDataset.irregular(4, n, 42);
        long[] t = new long[n];
        data.fillTimestamps(1, 0, t, 0, n);
        for (int i = 1; i < n; i++) {
            long interval = t[i] - t[i - 1];
            assertTrue(interval >= 801 && interval <= 1199, "interval " + interval + " at " + i);
        }

        double[] step = new double[n];
        data.fillValues(0, 0, step, 0, n);
        int jumps = 0;
        for (int i = 1; i < n; i++) {
            if (step[i] != step[i - 1]) {
                jumps++;
            }
        }
        // A geometric hold with mean 300 samples: about 333 jumps.
        assertTrue(jumps > 200 && jumps < 500, "jumps " + jumps);

        int[] order = new int[n];
        data.fillArrivalOrder(2, 0, order, 0, n);
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < n; i++) {
            assertEquals(i, sorted[i], "not a permutation");
        }
        int late = 0;
        int highest = -1;
        for (int index : order) {
            if (index < highest) {
                late++;
            }
            highest = Math.max(highest, index);
        }
        assertTrue(late > 0.03 * n && late < 0.07 * n, "late arrivals " + late);

        int[] standardOrder = new int[100];
        StandardDataset.standard(1, 1000).fillArrivalOrder(0, 500, standardOrder, 0, 100);
        for (int i = 0; i < 100; i++) {
            assertEquals(500 + i, standardOrder[i]);
        }
    }
}
