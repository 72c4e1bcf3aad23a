package io.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The exception and compression settings of {@link TagDefinition}: values, defaults, equality and bad input. */
class TagDefinitionFilterTest {

    private static final TagDefinition PUMP = TagDefinition.of("pump.speed");

    @Test
    void defaults_filterNothing() {
        assertFalse(PUMP.hasFilter());
        assertEquals(OptionalDouble.empty(), PUMP.deadband());
        assertEquals(OptionalDouble.empty(), PUMP.deadbandPercent());
        assertTrue(PUMP.span().isEmpty());
        assertEquals(Duration.ZERO, PUMP.exceptionMin());
        assertEquals(Duration.ofMinutes(10), PUMP.exceptionMax());
        assertEquals(OptionalDouble.empty(), PUMP.swingingDoorDeviation());
        assertEquals(Duration.ZERO, PUMP.swingingDoorMinTime());
        assertEquals(Duration.ZERO, PUMP.swingingDoorMaxTime());
        assertEquals("TagDefinition[name=pump.speed, unit=, interpolation=LINEAR, rejectNonFinite=false]",
                PUMP.toString());
    }

    @Test
    void settings_readBack_andSurviveOtherSetters() {
        TagDefinition d = PUMP.deadband(0.5).exceptionMin(Duration.ofSeconds(2)).exceptionMax(Duration.ofMinutes(5))
                .swingingDoor(1.0, Duration.ofSeconds(1), Duration.ofMinutes(10)).unit("rpm").description("speed")
                .interpolation(Interpolation.STEPPED).rejectNonFinite(true);
        assertTrue(d.hasFilter());
        assertEquals(OptionalDouble.of(0.5), d.deadband());
        assertEquals(Duration.ofSeconds(2), d.exceptionMin());
        assertEquals(Duration.ofMinutes(5), d.exceptionMax());
        assertEquals(OptionalDouble.of(1.0), d.swingingDoorDeviation());
        assertEquals(Duration.ofSeconds(1), d.swingingDoorMinTime());
        assertEquals(Duration.ofMinutes(10), d.swingingDoorMaxTime());
        assertEquals("rpm", d.unit());
        assertEquals("TagDefinition[name=pump.speed, unit=rpm, interpolation=STEPPED, rejectNonFinite=true,"
                + " deadband=0.5, exceptionMin=PT2S, exceptionMax=PT5M, swingingDoor=1.0/PT1S/PT10M]", d.toString());
        assertTrue(PUMP.swingingDoor(1.0, Duration.ofMinutes(10)).hasFilter());
    }

    @Test
    void deadbandPercent_isResolvedAgainstTheSpan_andRescaledByALaterSpan() {
        TagDefinition d = PUMP.span(0, 200).deadbandPercent(0.5);
        assertEquals(1.0, d.deadband().getAsDouble(), 1e-12);
        assertEquals(OptionalDouble.of(0.5), d.deadbandPercent());
        assertEquals(new TagDefinition.Span(0, 200), d.span().orElseThrow());
        assertEquals(2.0, d.span(-100, 300).deadband().getAsDouble(), 1e-12);
        TagDefinition absolute = d.deadband(3);
        assertEquals(OptionalDouble.of(3), absolute.deadband());
        assertEquals(OptionalDouble.empty(), absolute.deadbandPercent());
        assertEquals(3.0, absolute.span(0, 1).deadband().getAsDouble(), "an absolute deadband ignores the span");
        assertTrue(d.toString().contains("span=0.0..200.0, deadband=1.0 (0.5%)"), d.toString());
    }

    @Test
    void equalsAndHashCode_coverTheFilterSettings() {
        TagDefinition a = PUMP.deadband(0.5).swingingDoor(1.0, Duration.ofMinutes(10));
        TagDefinition b = PUMP.deadband(0.5).swingingDoor(1.0, Duration.ofMinutes(10));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, PUMP);
        assertNotEquals(a, PUMP.deadband(0.5));
        assertNotEquals(a, PUMP.deadband(0.6).swingingDoor(1.0, Duration.ofMinutes(10)));
        assertNotEquals(a, a.exceptionMax(Duration.ofMinutes(9)));
        assertNotEquals(a, PUMP.deadband(0.5).swingingDoor(1.0, Duration.ofSeconds(1), Duration.ofMinutes(10)));
        assertNotEquals(PUMP.span(0, 1), PUMP.span(0, 2));
        assertEquals(PUMP.deadband(0), PUMP.deadband(-0.0));
        assertEquals(PUMP.span(-0.0, 1).hashCode(), PUMP.span(0, 1).hashCode());
    }

    @Test
    void badSettings_failNamingTheTagAndTheValue() {
        assertBad("invalid deadband: must be finite and >= 0 [tag=pump.speed, deadband=-0.1]", () -> PUMP.deadband(-0.1));
        assertBad("deadband=NaN", () -> PUMP.deadband(Double.NaN));
        assertBad("deadband=Infinity", () -> PUMP.deadband(Double.POSITIVE_INFINITY));
        assertBad("invalid deadbandPercent: must be in [0, 100] [tag=pump.speed, deadbandPercent=101.0]",
                () -> PUMP.span(0, 1).deadbandPercent(101));
        assertBad("deadbandPercent=NaN", () -> PUMP.span(0, 1).deadbandPercent(Double.NaN));
        IllegalStateException noSpan = assertThrows(IllegalStateException.class, () -> PUMP.deadbandPercent(1));
        assertEquals("deadbandPercent needs a span: call span(low, high) first [tag=pump.speed, deadbandPercent=1.0]",
                noSpan.getMessage());
        assertBad("invalid span: bounds must be finite with low < high [tag=pump.speed, low=5.0, high=5.0]",
                () -> PUMP.span(5, 5));
        assertBad("low=NaN", () -> PUMP.span(Double.NaN, 5));
        assertBad("high=Infinity", () -> PUMP.span(0, Double.POSITIVE_INFINITY));
        assertBad("invalid swingingDoor deviation: must be finite and >= 0 [tag=pump.speed, swingingDoor.deviation=-1.0]",
                () -> PUMP.swingingDoor(-1, Duration.ofMinutes(1)));
        assertBad("swingingDoor.deviation=NaN", () -> PUMP.swingingDoor(Double.NaN, Duration.ofMinutes(1)));
        assertBad("invalid swingingDoor maxTime: must be at least 1 ms [tag=pump.speed, swingingDoor.maxTime=PT0S]",
                () -> PUMP.swingingDoor(1, Duration.ZERO));
        assertBad("swingingDoor.maxTime=PT-1S", () -> PUMP.swingingDoor(1, Duration.ofSeconds(-1)));
        assertBad("swingingDoor.maxTime=PT0.0000001S", () -> PUMP.swingingDoor(1, Duration.ofNanos(100)));
        assertBad("invalid swingingDoor minTime: must be at least 0 ms [tag=pump.speed, swingingDoor.minTime=PT-1S]",
                () -> PUMP.swingingDoor(1, Duration.ofSeconds(-1), Duration.ofMinutes(1)));
        assertBad("swingingDoor minTime longer than maxTime [tag=pump.speed, minTime=PT2M, maxTime=PT1M]",
                () -> PUMP.swingingDoor(1, Duration.ofMinutes(2), Duration.ofMinutes(1)));
        assertBad("invalid swingingDoor maxTime: too long", () -> PUMP.swingingDoor(1, Duration.ofSeconds(Long.MAX_VALUE)));
        assertBad("invalid exceptionMax: must be at least 1 ms [tag=pump.speed, exceptionMax=PT0S]",
                () -> PUMP.exceptionMax(Duration.ZERO));
        assertBad("invalid exceptionMin: must be at least 0 ms [tag=pump.speed, exceptionMin=PT-0.001S]",
                () -> PUMP.exceptionMin(Duration.ofMillis(-1)));
        assertBad("exceptionMin longer than exceptionMax [tag=pump.speed, exceptionMin=PT1H, exceptionMax=PT10M]",
                () -> PUMP.exceptionMin(Duration.ofHours(1)));
        assertBad("exceptionMax shorter than exceptionMin [tag=pump.speed, exceptionMin=PT5S, exceptionMax=PT1S]",
                () -> PUMP.exceptionMin(Duration.ofSeconds(5)).exceptionMax(Duration.ofSeconds(1)));
        NullPointerException npe = assertThrows(NullPointerException.class,
                () -> PUMP.swingingDoor(1, null, Duration.ofMinutes(1)));
        assertEquals("swingingDoor minTime", npe.getMessage());
        assertThrows(NullPointerException.class, () -> PUMP.exceptionMax(null));
    }

    @Test
    void filterStats_compressionRatio() {
        assertEquals(4.0, new FilterStats("t", 8, 8, 2, 6, 0, 0, 0, Double.NaN, null, Double.NaN).compressionRatio());
        assertEquals(Double.POSITIVE_INFINITY,
                new FilterStats("t", 3, 3, 0, 2, 1, 0, 0, Double.NaN, null, Double.NaN).compressionRatio());
        assertTrue(Double.isNaN(new FilterStats("t", 0, 0, 0, 0, 0, 0, 0, Double.NaN, null, Double.NaN)
                .compressionRatio()));
        assertThrows(NullPointerException.class,
                () -> new FilterStats(null, 0, 0, 0, 0, 0, 0, 0, Double.NaN, null, Double.NaN));
    }

    private static void assertBad(String expectedPart, Supplier<TagDefinition> bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::get);
        assertTrue(e.getMessage().contains(expectedPart), "message: " + e.getMessage() + "\nexpected part: " + expectedPart);
    }
}
