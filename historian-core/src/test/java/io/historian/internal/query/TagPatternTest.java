package io.historian.internal.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TagPatternTest {
    @Test
    void star_matchesAnyRun_questionMarkExactlyOneCharacter() {
        assertTrue(TagPattern.matches("line1.*", "line1.temp"));
        assertTrue(TagPattern.matches("line1.*", "line1."));
        assertFalse(TagPattern.matches("line1.*", "line10.temp"));
        assertTrue(TagPattern.matches("*.temp", "a.b.temp"));
        assertTrue(TagPattern.matches("l?ne*t?mp", "line1.temp"));
        assertFalse(TagPattern.matches("line?", "line"));
        assertFalse(TagPattern.matches("line?", "line12"));
        assertTrue(TagPattern.matches("*", ""));
        assertTrue(TagPattern.matches("a*b*c", "axxbyybzzc"));
        assertFalse(TagPattern.matches("a*b*c", "axxbyyzz"));
        assertTrue(TagPattern.matches("plant/line-1/*", "plant/line-1/boiler.temp"), "other characters are literal");
    }

    @Test
    void select_keepsTheGivenOrder_andMayBeEmpty() {
        List<String> names = List.of("b.1", "a.1", "b.2");
        assertEquals(List.of("b.1", "b.2"), TagPattern.select("b.*", names));
        assertEquals(List.of(), TagPattern.select("c.*", names));
        assertTrue(TagPattern.isPattern("a?"));
        assertFalse(TagPattern.isPattern("a.b"));
    }
}
