package io.historian.internal.formula;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.FormulaException;
import io.historian.Quality;
import io.historian.testing.ChildJvm;
import io.historian.testing.SmallStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented limits hold exactly: nesting at the limit builds and one level more fails naming
 * the limit and the position, whatever stack the caller has; the build budget rejects oversized
 * sets before compiling; and a long chain of formulas builds in linear memory.
 */
class FormulaLimitsTest {
    private static final int LIMIT = FormulaParser.MAX_NESTING;

    @TempDir
    Path dir;

    /** A formula nesting {@code levels} deep, built with one kind of construct. */
    private record Shape(String kind, java.util.function.IntFunction<String> text,
            java.util.function.IntUnaryOperator positionOfLevel) {
    }

    private static List<Shape> shapes() {
        List<Shape> s = new ArrayList<>();
        s.add(new Shape("parentheses", n -> "(".repeat(n) + "x" + ")".repeat(n), level -> level - 1));
        s.add(new Shape("unary minus", n -> "-".repeat(n) + "x", level -> level - 1));
        s.add(new Shape("not", n -> "!".repeat(n) + "x", level -> level - 1));
        s.add(new Shape("power", n -> "x" + "^1".repeat(n), level -> 1 + 2 * (level - 1)));
        s.add(new Shape("calls", n -> "abs(".repeat(n) + "x" + ")".repeat(n), level -> 4 * (level - 1)));
        // an else-if chain: each conditional opens a level around its branches
        s.add(new Shape("conditionals", n -> "x > 1 ? 1 : ".repeat(n) + "0", level -> 12 * (level - 1) + 6));
        // minus and parenthesis alternating, one level a character
        s.add(new Shape("mixed", n -> "-(".repeat(n).substring(0, n) + "x" + ")".repeat(n / 2), level -> level - 1));
        return s;
    }

    private static FormulaGraph build(Map<String, String> formulas) {
        return new FormulaGraph(formulas, tag -> true, false, Duration.ofMinutes(1), (tag, slot, t, into) -> false);
    }

    private static FormulaGraph build(String text) {
        Map<String, String> one = new LinkedHashMap<>();
        one.put("f", text);
        return build(one);
    }

    /** Evaluates a single-formula graph on x = 2. */
    private static double evalOnX2(FormulaGraph g) {
        double[] out = {Double.NaN};
        g.onSample(g.slotOf("x"), 1_000, 2, Quality.GOOD.code(), (f, tag, t, v, q) -> out[0] = v);
        return out[0];
    }

    private static void checkShapesAtAndPastTheLimit() {
        for (Shape shape : shapes()) {
            String atLimit = shape.text.apply(LIMIT);
            double v = evalOnX2(build(atLimit));
            assertTrue(!Double.isNaN(v), shape.kind + " at the limit evaluated to NaN");

            String past = shape.text.apply(LIMIT + 1);
            FormulaException e = assertThrows(FormulaException.class, () -> build(past), shape.kind);
            int pos = shape.positionOfLevel.applyAsInt(LIMIT + 1);
            assertEquals(pos, e.position(), shape.kind + ": " + e.getMessage());
            assertTrue(e.getMessage().startsWith("formula nested deeper than " + LIMIT + " levels at position " + pos
                    + " in formula f: "), shape.kind + ": " + e.getMessage());
        }
    }

    @Test
    void nestingAtTheLimit_builds_andOneLevelMore_failsNamingThePositionAndTheLimit() {
        assertEquals(200, LIMIT, "docs/formulas.md documents 200 levels");
        checkShapesAtAndPastTheLimit();
        // the shapes at the limit compute what they say
        assertEquals(2, evalOnX2(build("-".repeat(LIMIT) + "x")), 0);
        assertEquals(1, evalOnX2(build("!".repeat(LIMIT) + "x")), 0);
        assertEquals(2, evalOnX2(build("abs(".repeat(LIMIT - 1) + "-x" + ")".repeat(LIMIT - 1))), 0);
    }

    @Test
    void nestingAtTheLimit_onA256KiBStack_buildsOrFailsWithAFormulaException_neverOverflows() throws Exception {
        SmallStack.run(() -> {
            checkShapesAtAndPastTheLimit();
            // the deepest nesting, two operators a level, with an operator chain on top: a tree
            // about 900 deep (the limit is 1,000) for the code generator and Janino's parser and compiler
            String deep = "x" + "+x*(x".repeat(LIMIT) + ")".repeat(LIMIT) + "+x".repeat(500);
            assertEquals(expectedDeep(LIMIT, 500), evalOnX2(build(deep)), 0);
        });
    }

    /** x + x*(x + x*(... x*(x))) + x + x ..., at x = 2, with the same operations in the same order. */
    private static double expectedDeep(int nested, int chain) {
        double inner = 2; // the innermost parenthesis holds x alone
        for (int i = 1; i < nested; i++) {
            inner = 2 + 2 * inner;
        }
        double v = 2 + 2 * inner;
        for (int i = 0; i < chain; i++) {
            v = v + 2;
        }
        return v;
    }

    @Test
    void totalCharacters_overTheBudget_failBeforeCompiling_namingTheLimitAndTheTotal() {
        Map<String, String> formulas = new LinkedHashMap<>();
        String text = "x" + " + x".repeat((FormulaParser.MAX_LENGTH - 1) / 4);
        int count = FormulaGraph.MAX_TOTAL_CHARS / text.length() + 1;
        for (int i = 0; i < count; i++) {
            formulas.put("f" + i, text);
        }
        long total = (long) count * text.length();
        FormulaException e = assertThrows(FormulaException.class, () -> build(formulas));
        assertTrue(e.getMessage().contains(total + " characters in " + count + " formulas, more than the limit of "
                + FormulaGraph.MAX_TOTAL_CHARS + " characters"), e.getMessage());
        assertEquals("f" + (count - 1), e.formulaName(), "the formula that passes the limit");
        assertEquals(-1, e.position());
    }

    @Test
    void totalNodes_overTheBudget_failBeforeCompiling_namingTheLimitAndTheTotal() {
        // dense formulas: about one node per character, so few enough characters to pass that budget
        StringBuilder sb = new StringBuilder("x");
        while (sb.length() < FormulaParser.MAX_LENGTH - 1_000) {
            sb.append("+(1").append("+1".repeat(400)).append(')');
        }
        String text = sb.toString();
        int nodes = FormulaParser.parse("probe", text).size;
        int count = FormulaGraph.MAX_TOTAL_NODES / nodes + 1;
        assertTrue((long) count * text.length() <= FormulaGraph.MAX_TOTAL_CHARS, "within the character budget");
        Map<String, String> formulas = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            formulas.put("f" + i, text);
        }
        FormulaException e = assertThrows(FormulaException.class, () -> build(formulas));
        assertTrue(e.getMessage().contains((long) count * nodes + " nodes in " + count
                + " formulas, more than the limit of " + FormulaGraph.MAX_TOTAL_NODES + " nodes"), e.getMessage());
        assertEquals("f" + (count - 1), e.formulaName());
    }

    @Test
    void thousandsOfOrdinaryFormulas_build_andEvaluate() {
        Map<String, String> formulas = new LinkedHashMap<>();
        int n = 2_000;
        for (int i = 0; i < n; i++) {
            formulas.put("eff" + i, "if(fuel" + i + ".flow > 0.1, steam.flow * 2.26 / (fuel" + i
                    + ".flow * 50.0), 0) + tank" + (i % 50) + ".level * 0.5");
        }
        FormulaGraph g = build(formulas);
        assertEquals(n, g.formulaCount());
        g.onSample(g.slotOf("steam.flow"), 1_000, 100, Quality.GOOD.code(), (f, tag, t, v, q) -> { });
        g.onSample(g.slotOf("tank7.level"), 1_000, 4, Quality.GOOD.code(), (f, tag, t, v, q) -> { });
        double[] out = {Double.NaN};
        g.onSample(g.slotOf("fuel1957.flow"), 1_000, 2, Quality.GOOD.code(), (f, tag, t, v, q) -> out[0] = v);
        assertEquals(100 * 2.26 / (2 * 50.0) + 4 * 0.5, out[0], 1e-12);
    }

    @Test
    void aChainOf20000Formulas_buildsAndEvaluates_inA256MiBHeap() throws Exception {
        Path log = dir.resolve("child.log");
        Process child = ChildJvm.start(ChainChild.class, "256m", log, "20000");
        // generous: protects the suite against a hang, not a speed assertion (the build takes seconds)
        assertTrue(child.waitFor(10, TimeUnit.MINUTES), "the child did not finish");
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = Files.readString(log);
        assertEquals(0, child.exitValue(), "child failed:\n" + out + err);
        assertEquals("formulas=20000 dependents=20000 last=20001.0", out.strip(), err);
    }

    /** The child side: builds a chain c0 = x + 1, c(i) = c(i-1) + 1 and feeds x once. */
    public static final class ChainChild {
        private ChainChild() {
        }

        public static void main(String[] args) {
            int n = Integer.parseInt(args[0]);
            Map<String, String> formulas = new LinkedHashMap<>();
            // given last to first, so that the topological sort has to reorder every formula
            for (int i = n - 1; i >= 1; i--) {
                formulas.put("c" + i, "c" + (i - 1) + " + 1");
            }
            formulas.put("c0", "x + 1");
            FormulaGraph g = build(formulas);
            double[] last = {Double.NaN};
            String lastTag = "c" + (n - 1);
            g.onSample(g.slotOf("x"), 1_000, 1, Quality.GOOD.code(), (f, tag, t, v, q) -> {
                if (tag.equals(lastTag)) {
                    last[0] = v;
                }
            });
            System.out.println("formulas=" + g.formulaCount() + " dependents=" + g.dependentCount("x") + " last="
                    + last[0]);
        }
    }
}
