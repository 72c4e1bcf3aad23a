package io.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.query.SampleCursor;
import io.historian.testing.SmallStack;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Formulas inside a running historian: derived samples are journaled, stored and corrected. */
class CalculatedTagTest {
    static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    static Instant t(long seconds) {
        return Instant.ofEpochMilli(T0 + seconds * 1000);
    }

    Historian.Builder builder() {
        return Historian.builder().dataDirectory(dir.resolve("data")).jmx(false)
                .formula("tank.total", "tank1.level + tank2.level")
                .formula("tank.ratio", "tank1.level / tank2.level")
                .formula("tank.alarm", "if(tank.total > 100, 1, 0)");
    }

    record S(long t, double v, Quality q) {
    }

    static List<S> read(Historian h, String tag) {
        List<S> out = new ArrayList<>();
        try (SampleCursor c = h.query(tag).between(t(0), t(1000)).raw()) {
            while (c.next()) {
                out.add(new S((c.epochMillis() - T0) / 1000, c.value(), c.quality()));
            }
        }
        return out;
    }

    @Test
    void derivedSamples_followTheirTriggers_throughChains() {
        try (Historian h = builder().build()) {
            h.write("tank1.level", t(10), 40.0);
            h.write("tank2.level", t(20), 50.0);
            h.write("tank1.level", t(30), 70.0);
            assertEquals(List.of(new S(20, 90.0, Quality.GOOD), new S(30, 120.0, Quality.GOOD)), read(h, "tank.total"));
            assertEquals(List.of(new S(20, 0.0, Quality.GOOD), new S(30, 1.0, Quality.GOOD)), read(h, "tank.alarm"));
            assertEquals(List.of(new S(20, 0.8, Quality.GOOD), new S(30, 1.4, Quality.GOOD)), read(h, "tank.ratio"));
            assertTrue(h.tag("tank.total").isPresent(), "formula outputs are registered tags");
        }
    }

    @Test
    void divisionByZeroAndBadInputs_giveBadCalculationFailed() {
        try (Historian h = builder().build()) {
            h.write("tank1.level", t(1), 5.0);
            h.write("tank2.level", t(2), 0.0);
            h.write("tank2.level", t(3), 2.0, Quality.BAD_SENSOR_FAILURE);
            List<S> ratio = read(h, "tank.ratio");
            assertEquals(2, ratio.size());
            for (S s : ratio) {
                assertEquals(Quality.BAD_CALCULATION_FAILED, s.q(), "at " + s.t());
                assertTrue(Double.isNaN(s.v()));
            }
        }
    }

    @Test
    void aLateInput_correctsTheDerivedValueAtItsTime() {
        try (Historian h = builder().build()) {
            h.write("tank1.level", t(10), 1.0);
            h.write("tank2.level", t(10), 2.0);
            h.write("tank1.level", t(20), 5.0);
            h.write("tank2.level", t(20), 6.0);
            // Replayed late: tank2 was 10 at t=15, when tank1 was still 1.
            h.write("tank2.level", t(15), 10.0);
            // At t=20 tank1's sample gave 5 + 2, then tank2's gave 5 + 6, which replaced it.
            assertEquals(List.of(new S(10, 3.0, Quality.GOOD), new S(15, 11.0, Quality.GOOD),
                    new S(20, 11.0, Quality.GOOD)), read(h, "tank.total"));
            // The late sample does not become tank2's latest value.
            h.write("tank1.level", t(30), 0.0);
            assertEquals(new S(30, 6.0, Quality.GOOD), read(h, "tank.total").get(3));
        }
    }

    @Test
    void afterARestart_formulasCarryOnFromTheStoredLatestValues() {
        try (Historian h = builder().build()) {
            h.write("tank1.level", t(10), 40.0);
            h.write("tank2.level", t(20), 50.0);
        }
        try (Historian h = builder().build()) {
            h.write("tank1.level", t(30), 10.0);
            assertEquals(new S(30, 60.0, Quality.GOOD), read(h, "tank.total").get(1));
        }
    }

    @Test
    void anInputOlderThanTheStalenessLimit_makesTheResultUncertain() {
        try (Historian h = builder().formulaStaleness(Duration.ofSeconds(60)).build()) {
            h.write("tank1.level", t(0), 1.0);
            h.write("tank2.level", t(10), 2.0);
            h.write("tank2.level", t(100), 3.0);
            List<S> total = read(h, "tank.total");
            assertEquals(new S(10, 3.0, Quality.GOOD), total.get(0));
            assertEquals(new S(100, 4.0, Quality.UNCERTAIN_LAST_USABLE_VALUE), total.get(1));
        }
    }

    @Test
    void writingAComputedTag_isRejectedNamingIt() {
        try (Historian h = builder().build()) {
            SampleRejectedException e = assertThrows(SampleRejectedException.class,
                    () -> h.write("tank.total", t(1), 3.0));
            assertEquals(RejectReason.COMPUTED_TAG, e.reason());
            assertTrue(e.getMessage().contains("tank.total"), e.getMessage());
            h.write("tank1.level", t(1), 1.0);
            assertEquals(1, h.stats().rejected(RejectReason.COMPUTED_TAG));
        }
    }

    @Test
    void aBadFormula_failsTheBuild_namingFormulaAndPosition_andReleasesTheDirectory() {
        FormulaException e = assertThrows(FormulaException.class, () -> Historian.builder()
                .dataDirectory(dir.resolve("data")).jmx(false)
                .formula("boiler.eff", "steam.flow * 2.26 / exit(0)").build());
        assertTrue(e.getMessage().contains("boiler.eff") && e.getMessage().contains("exit"), e.getMessage());
        FormulaException cycle = assertThrows(FormulaException.class, () -> Historian.builder()
                .dataDirectory(dir.resolve("data")).jmx(false)
                .formula("a", "b + 1").formula("b", "a * 2").build());
        assertTrue(cycle.getMessage().contains("a") && cycle.getMessage().contains("b"), cycle.getMessage());
        FormulaException strict = assertThrows(FormulaException.class, () -> Historian.builder()
                .dataDirectory(dir.resolve("data")).jmx(false).strictTags(true)
                .tag(TagDefinition.of("x")).formula("y", "x + nowhere").build());
        assertTrue(strict.getMessage().contains("nowhere"), strict.getMessage());
        try (Historian h = builder().build()) {
            h.write("tank1.level", t(1), 1.0);
        }
    }

    @Test
    void builder_rejectsABadOutputNameAndATagWithTwoFormulas() {
        assertThrows(IllegalArgumentException.class, () -> Historian.builder().formula("a..b", "1"));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> Historian.builder().formula("a", "1").formula("a", "2"));
        assertTrue(twice.getMessage().contains("a"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Historian.builder().formulaStaleness(Duration.ZERO));
    }

    @Test
    void formulasNestedToTheLimit_buildOnA256KiBStack_andOneLevelMoreFailsWithAFormulaException() throws Exception {
        // 200 levels (the documented limit) of parentheses, unary minus and function calls
        String deepest = "(-abs(".repeat(66) + "(-tank1.level" + "))".repeat(66) + ")";
        String tooDeep = "(" + deepest + ")";
        SmallStack.run(() -> {
            try (Historian h = Historian.builder().dataDirectory(dir.resolve("data")).jmx(false)
                    .formula("deep", deepest).build()) {
                h.write("tank1.level", t(1), 3.0);
                assertEquals(List.of(new S(1, -3.0, Quality.GOOD)), read(h, "deep"));
            }
            FormulaException e = assertThrows(FormulaException.class, () -> Historian.builder()
                    .dataDirectory(dir.resolve("data2")).jmx(false).formula("deep", tooDeep).build());
            assertTrue(e.getMessage().startsWith("formula nested deeper than 200 levels at position 398 in formula"
                    + " deep: "), e.getMessage());
        });
    }
}
