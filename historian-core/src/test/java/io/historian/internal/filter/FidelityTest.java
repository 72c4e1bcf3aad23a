package io.historian.internal.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.FilterStats;
import io.historian.Interpolation;
import io.historian.TagDefinition;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@link Fidelity} on inputs whose reconstruction error is worked out by hand. */
class FidelityTest {

    @Test
    void linear_measuresEachInputAgainstTheSegmentAroundIt() {
        // Raw (0, 0) (1, 2) (2, 1) (3, 3); archived (0, 0) and (3, 3): the line reads 1 at t=1 and 2
        // at t=2, so the errors are 0, 1, 1, 0: max 1 (first at t=1), mean 0.5.
        Fidelity f = new Fidelity(Interpolation.LINEAR, 16);
        f.raw(0, 0, 0);
        f.archived(0, 0);
        f.raw(1000, 2, 0);
        f.raw(2000, 1, 0);
        f.raw(3000, 3, 0);
        assertEquals(3, f.waiting());
        f.archived(3000, 3);
        assertEquals(4, f.checked());
        assertEquals(1.0, f.maxError());
        assertEquals(1000, f.maxErrorTime());
        assertEquals(0.5, f.meanError());
        assertEquals(0, f.waiting());
    }

    @Test
    void stepped_readsThePreviousArchivedValue() {
        // Archived (0, 10) and (3, 13); raw 11 and 12.5 in between read back as 10: errors 1 and 2.5.
        Fidelity f = new Fidelity(Interpolation.STEPPED, 16);
        f.raw(0, 10, 0);
        f.archived(0, 10);
        f.raw(1, 11, 0);
        f.raw(2, 12.5, 0);
        f.raw(3, 13, 0);
        f.archived(3, 13);
        assertEquals(2.5, f.maxError());
        assertEquals(2, f.maxErrorTime());
    }

    @Test
    void aFullBuffer_dropsTheOldestInputsUnchecked() {
        Fidelity f = new Fidelity(Interpolation.LINEAR, 4);
        f.raw(0, 0, 0);
        f.archived(0, 0);
        for (int t = 1; t <= 10; t++) {
            f.raw(t, 100, 0);
        }
        f.archived(10, 100);
        assertEquals(6, f.unchecked());
        assertEquals(5, f.checked(), "t=0 and t=7..10");
        assertEquals(30.0, f.maxError(), 1e-9, "the oldest kept input, t=7, reads 70 against 100");
    }

    @Test
    void lateAndNonFiniteInputs_areNotBuffered_aRepeatedTimeReplacesTheValue() {
        Fidelity f = new Fidelity(Interpolation.LINEAR, 16);
        f.raw(0, 0, 0);
        f.archived(0, 0);
        f.raw(10, 5, 0);
        f.raw(5, 99, 0);
        f.raw(11, Double.NaN, 0);
        f.raw(12, 6, 0);
        f.raw(12, 7, 0);
        assertEquals(2, f.waiting());
        f.archived(12, 7);
        assertEquals(3, f.checked(), "t=0, 10 and 12");
        assertEquals(10 * 7 / 12.0 - 5, f.maxError(), 1e-12);
    }

    @Test
    void badCapacity_fails() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Fidelity(Interpolation.LINEAR, 0));
        assertEquals("fidelity capacity must be positive [capacity=0]", e.getMessage());
    }

    @Test
    void filterWithFidelity_reportsRatioAndError() {
        // The swinging-door example of SampleFilterTest: archived (0,0) (3,3) (8,1.6) (9,5); the
        // largest error is 0.94 at t=5 (the line (3,3)-(8,1.6) reads 2.44 there, the input is 1.5).
        SampleFilter filter = SampleFilter.of(TagDefinition.of("pump.speed").swingingDoor(1.0, Duration.ofHours(1)), 64);
        double[] v = {0, 1, 2, 3, 2, 1.5, 1.5, 1.5, 1.6, 5};
        Recorder out = new Recorder();
        FilterStats before = filter.stats();
        assertEquals(0, before.checkedSamples());
        assertNull(before.maxErrorAt());
        for (int t = 0; t < v.length; t++) {
            out.offer(filter, t, v[t]);
        }
        filter.flush(out);
        FilterStats stats = filter.stats();
        assertEquals(10, stats.offered());
        assertEquals(4, stats.archived());
        assertEquals(2.5, stats.compressionRatio());
        assertEquals(10, stats.checkedSamples());
        assertEquals(0.94, stats.maxError(), 1e-9);
        assertEquals(Instant.ofEpochMilli(5000), stats.maxErrorAt());
        assertTrue(stats.meanError() > 0 && stats.meanError() < 0.94);
    }
}
