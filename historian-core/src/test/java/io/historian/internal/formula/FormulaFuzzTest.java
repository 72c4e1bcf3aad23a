package io.historian.internal.formula;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.historian.FormulaException;
import io.historian.Quality;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Feeds arbitrary text to the parser and compiler, as the one formula of a graph: it either
 * compiles to a formula whose evaluation (in order, and late through the history) never throws, or
 * it fails with a {@link FormulaException}; never anything else, never a {@link StackOverflowError}.
 * The normal build runs the committed inputs in
 * {@code src/test/resources/io/historian/internal/formula/FormulaFuzzTestInputs/parseCompileEvaluate/};
 * fuzz for real with
 * {@code JAZZER_FUZZ=1 mvn test -pl historian-core -Dtest=FormulaFuzzTest -Djazzer.max_duration=5m}.
 */
class FormulaFuzzTest {
    private static final DerivedSink CHECKING_SINK = (f, tag, t, v, q) -> {
        if (!tag.equals("fuzz.out") || (Quality.severity(q) >= 2) != Double.isNaN(v)) {
            throw new AssertionError("bad derived sample " + tag + " " + v + " " + Quality.of(q));
        }
    };

    @FuzzTest
    void parseCompileEvaluate(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        FormulaGraph graph;
        try {
            graph = new FormulaGraph(Map.of("fuzz.out", text), tag -> true, false, Duration.ofSeconds(10),
                    (tag, slot, t, into) -> {
                        into.set(t - 1, slot * 0.5 - 1, Quality.GOOD.code());
                        return true;
                    });
        } catch (FormulaException expected) {
            return; // the other allowed outcome
        }
        int slots = graph.slotCount();
        for (int s = 0; s < slots; s++) {
            if (graph.slotOf(graph.slotTag(s)) == s) {
                graph.onSample(s, 1_000, s - 1.5, Quality.GOOD.code(), CHECKING_SINK);
            }
        }
        for (int s = 0; s < slots; s++) {
            if (graph.slotOf(graph.slotTag(s)) == s) {
                graph.onSample(s, 500, 0, Quality.UNCERTAIN_SENSOR_NOT_ACCURATE.code(), CHECKING_SINK); // late
            }
        }
    }
}
