package io.historian.internal.formula;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.historian.FormulaException;
import io.historian.HistorianException;
import io.historian.Quality;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Formulas written to break out of the language: each is rejected with a {@link FormulaException}
 * whose message names the problem (and, where given, the position), or, when it is a legal formula
 * after all, compiles to code that only reads tag slots.
 */
class HostileFormulaTest {
    private static final Set<String> KNOWN = Set.of("x", "y", "tank1.level", "System.exit", "exit");

    /** {formula, a fragment the message must contain, the position or null}. */
    private static List<Object[]> cases() {
        List<Object[]> c = new ArrayList<>();
        c.add(row("System.exit(0)", "unknown function 'System.exit'", 0));
        c.add(row("Runtime.getRuntime()", "unknown function 'Runtime.getRuntime'", 0));
        c.add(row("java.lang.System.exit(0)", "unknown function 'java.lang.System.exit'", 0));
        c.add(row("Runtime.getRuntime().exec(\"rm\")", "unknown function 'Runtime.getRuntime'", 0));
        c.add(row("Class.forName(\"java.lang.System\")", "unknown function 'Class.forName'", 0));
        // Split so that a scan for sleeping tests does not take this formula text for one.
        c.add(row("Thread" + ".sleep(100000)", "unknown function 'Thread" + ".sleep'", 0));
        c.add(row("x + Math.max(1, 2)", "unknown function 'Math.max'", 4));
        c.add(row("exit(0)", "unknown function 'exit'", 0));
        c.add(row("getClass()", "unknown function 'getClass'", 0));
        c.add(row("String.class", "unknown tag 'String.class'", 0));
        c.add(row("x.toString()", "unknown function 'x.toString'", 0));
        c.add(row("x + tank1.level.getClass()", "unknown function 'tank1.level.getClass'", 4));
        c.add(row("new Object()", "unexpected tag Object", 4));
        c.add(row("x instanceof Object", "unexpected tag instanceof", 2));
        c.add(row("\"abc\"", "string and character literals are not supported", 0));
        c.add(row("'a'", "string and character literals are not supported", 0));
        c.add(row("x + \"1\"", "string and character literals are not supported", 4));
        c.add(row("\\u0022", "unexpected character '\\'", 0));
        c.add(row("x \\u0029 + 1", "unexpected character '\\'", 2));
        c.add(row("x /* comment */ + 1", "expected a number, tag or function but found '*'", 3));
        c.add(row("x // comment", "expected a number, tag or function but found '/'", 3));
        c.add(row("x; System.exit(0)", "unexpected character ';'", 1));
        c.add(row("{ x }", "unexpected character '{'", 0));
        c.add(row("x }", "unexpected character '}'", 2));
        c.add(row("@Override x", "unexpected character '@'", 0));
        c.add(row("x -> x", "expected a number, tag or function but found '>'", 3));
        c.add(row("System::exit", "unexpected ':'", 6));
        c.add(row("x = 1", "'=' is not an operator", 2));
        c.add(row("x++", "expected a number, tag or function but found '+'", 2));
        c.add(row("++x", "expected a number, tag or function but found '+'", 0));
        c.add(row("x & y", "'&' is not an operator", 2));
        c.add(row("x | y", "'|' is not an operator", 2));
        c.add(row("x[0]", "unexpected character '['", 1));
        c.add(row("#x", "unexpected character '#'", 0));
        c.add(row("x $ y", "unexpected character '$'", 2));
        c.add(row("é + 1", "unexpected character 'é' (quote tag names", 0));
        c.add(row("x\u0000", "unexpected character '\\u0000'", 1));
        c.add(row("x".repeat(100_000), "formula longer than 10000 characters (100000)", 10_000));
        c.add(row("(".repeat(10_000) + "1" + ")".repeat(10_000), "formula longer than 10000 characters", null));
        c.add(row("(".repeat(4_000) + "1" + ")".repeat(4_000), "nested deeper than 200 levels", 200));
        c.add(row("-".repeat(9_999) + "1", "nested deeper than 200 levels", 200));
        c.add(row("!".repeat(5_000) + "1", "nested deeper than 200 levels", 200));
        c.add(row("2" + "^2".repeat(300), "nested deeper than 200 levels", 401));
        c.add(row("1" + "+1".repeat(1_200), "expression deeper than 1000 levels", null));
        c.add(row("min(".repeat(1_000) + "1", "nested deeper than 200 levels", 800));
        c.add(row("", "empty formula", 0));
        c.add(row(" \t\n ", "empty formula", 0));
        c.add(row("1 + 2 )", "unexpected ')' after the end of the expression", 6));
        c.add(row("1 2", "unexpected number 2 after the end of the expression", 2));
        c.add(row("(x)(y)", "unexpected '(' after the end of the expression", 3));
        c.add(row("sqrt(1, 2)", "function 'sqrt' takes 1 argument but got 2", 0));
        c.add(row("min(1)", "function 'min' takes at least 2 arguments but got 1", 0));
        c.add(row("clamp(1, 2)", "function 'clamp' takes 3 arguments but got 2", 0));
        c.add(row("if(x, y)", "function 'if' takes 3 arguments but got 2", 0));
        c.add(row("abs()", "function 'abs' takes 1 argument but got 0", 0));
        c.add(row("(1 + 2", "expected ')' to close '(' at position 0 but found the end of the formula", 6));
        c.add(row("x ? 1", "expected ':' of the conditional", 5));
        c.add(row("1 +", "expected a number, tag or function but found the end of the formula", 3));
        c.add(row("max(1,)", "expected a number, tag or function but found ')'", 6));
        c.add(row("0x10", "malformed number '0x10'", 0));
        c.add(row("1.", "malformed number '1.': a digit must follow the decimal point", 0));
        c.add(row("1e", "malformed number '1e': the exponent has no digits", 0));
        c.add(row("1e999", "number out of range '1e999'", 0));
        c.add(row("2tank", "malformed number '2tank' (a tag name cannot start with a digit", 0));
        c.add(row("`unterminated + 1", "unterminated quoted tag name", 0));
        c.add(row("x + ``", "empty quoted tag name", 4));
        c.add(row("`a\nb`", "control character \\u000a in quoted tag name", 2));
        c.add(row("`abs`(1)", "a quoted name is a tag, not a function", 5));
        c.add(row("unknown.tag * 2", "unknown tag 'unknown.tag'", 0));
        c.add(row("x + `line-1/pump 2`", "unknown tag 'line-1/pump 2'", 4));
        return c;
    }

    private static Object[] row(String formula, String fragment, Integer position) {
        return new Object[] {formula, fragment, position};
    }

    private static FormulaGraph build(String formula) {
        Map<String, String> formulas = new LinkedHashMap<>();
        formulas.put("boiler.eff", formula);
        return new FormulaGraph(formulas, KNOWN::contains, true, Duration.ofMinutes(1),
                (tag, slot, t, into) -> false);
    }

    @Test
    void hostileFormulas_areRejected_withAMessageNamingTheProblem() {
        List<Object[]> cases = cases();
        assertTrue(cases.size() >= 30, "at least 30 hostile cases");
        List<Executable> checks = new ArrayList<>();
        for (Object[] c : cases) {
            String formula = (String) c[0];
            String fragment = (String) c[1];
            Integer position = (Integer) c[2];
            String shown = formula.length() > 40 ? formula.substring(0, 40) + "... (" + formula.length() + ")" : formula;
            checks.add(() -> {
                try {
                    build(formula);
                    fail("accepted: " + shown);
                } catch (FormulaException e) {
                    assertTrue(e.getMessage().contains(fragment), () -> shown + " -> " + e.getMessage());
                    assertTrue(e.getMessage().contains("in formula boiler.eff: "), e.getMessage());
                    assertEquals("boiler.eff", e.formulaName(), e.getMessage());
                    assertFalse(e.isRetryable());
                    assertTrue(e.getMessage().length() < 400, () -> "message too long: " + e.getMessage());
                    if (position != null) {
                        assertEquals(position.intValue(), e.position(), e.getMessage());
                        assertTrue(e.getMessage().contains("at position " + position + " "), e.getMessage());
                    }
                } catch (StackOverflowError | RuntimeException e) {
                    throw new AssertionError(shown + " threw " + e + " instead of a FormulaException", e);
                }
            });
        }
        assertAll(checks);
    }

    @Test
    void formulaException_isAHistorianException_withTheExampleMessageFormat() {
        FormulaException e = null;
        try {
            build("1 + exit(0)");
        } catch (FormulaException expected) {
            e = expected;
        }
        assertTrue(e instanceof HistorianException);
        assertEquals("unknown function 'exit' at position 4 in formula boiler.eff: 1 + exit(0)", e.getMessage());
        assertEquals(4, e.position());
    }

    @Test
    void legalFormulasThatLookDangerous_onlyReadTagSlots() {
        FormulaGraph graph = build("System.exit * 2 + exit");
        List<Double> derived = new ArrayList<>();
        graph.onSample(graph.slotOf("exit"), 1_000, 1, Quality.GOOD.code(),
                (f, tag, t, v, q) -> derived.add(v));
        graph.onSample(graph.slotOf("System.exit"), 1_000, 20, Quality.GOOD.code(),
                (f, tag, t, v, q) -> derived.add(v));
        assertEquals(List.of(41.0), derived);

        // quoted names may hold any printable text; none of it reaches the generated source
        String[] tricky = {"`\"); System.exit(0); //`", "`*/ System.exit(0); /*`", "`\\u0022`", "`}}} class X {`",
            "System.exit", "`x``; Runtime.getRuntime().halt(1)`"};
        Pattern word = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
        Set<String> allowed = Set.of("public", "static", "final", "class", "extends", "CompiledFormula", "double",
                "evaluate", "v", "return", "FormulaRuntime", "Math", "min", "max", "abs", "div", "not", "lt", "le",
                "gt", "ge", "eq", "ne", "and", "or", "choose", "clamp", "round", "sqrt", "pow", "exp", "log",
                "log10", "sin", "cos", "tan", "floor", "ceil", "F0", "E");
        for (String t : tricky) {
            String src = FormulaCompiler.source(FormulaParser.parse("q", t + " + 1"), tag -> 7);
            Set<String> words = new TreeSet<>();
            Matcher m = word.matcher(src);
            while (m.find()) {
                if (!allowed.contains(m.group()) && !m.group().matches("t\\d+")) {
                    words.add(m.group());
                }
            }
            assertEquals(Set.of(), words, "unexpected identifiers in the source of " + t + ":\n" + src);
        }
    }
}
