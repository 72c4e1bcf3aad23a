package io.historian.internal.formula;

import static io.historian.internal.formula.Formulas.eval;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.FormulaException;
import io.historian.testing.SmallStack;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Worked examples of the formula language: every operator and function, precedence,
 * associativity, NaN rules and quoting. Expected values are written out by hand, not computed
 * with the same code.
 */
class FormulaLanguageTest {

    @Test
    void constantFormulas_evaluateToTheWorkedValues() {
        checkTable(new String[] {
        // numbers
        "42 => 42",
        "3.25 => 3.25",
        ".5 => 0.5",
        "1e3 => 1000",
        "2.5E-2 => 0.025",
        "1e+2 => 100",
        // arithmetic
        "7 + 3 => 10",
        "7 - 3 => 4",
        "7 * 3 => 21",
        "7 / 2 => 3.5",
        "7 % 3 => 1",
        "-7 % 3 => -1",
        "7.5 % 2 => 1.5",
        "-(4) => -4",
        "--4 => 4",
        "2 ^ 10 => 1024",
        "pow(2, 0.5) * pow(2, 0.5) => 2.0000000000000004",
        // precedence
        "1 + 2 * 3 => 7",
        "(1 + 2) * 3 => 9",
        "10 - 4 - 3 => 3",
        "100 / 10 / 5 => 2",
        "2 * 3 % 4 => 2",
        "2 ^ 3 ^ 2 => 512",
        "(2 ^ 3) ^ 2 => 64",
        "-2 ^ 2 => -4",
        "(-2) ^ 2 => 4",
        "2 ^ -1 => 0.5",
        "2 * 3 ^ 2 => 18",
        "1 + 2 < 4 => 1",
        "1 < 2 == 1 => 1",
        "1 + 1 == 2 && 3 > 2 => 1",
        "0 || 1 && 0 => 0",
        "1 || 0 && 0 => 1",
        "!0 + 1 => 2",
        "!(0 + 1) => 0",
        "1 ? 2 : 3 => 2",
        "0 ? 2 : 3 => 3",
        "0 ? 1 : 0 ? 2 : 3 => 3",
        "1 ? 0 ? 5 : 6 : 7 => 6",
        "1 > 2 || 3 > 2 ? 10 : 20 => 10",
        // comparisons
        "1 < 2 => 1", "2 < 2 => 0",
        "2 <= 2 => 1", "3 <= 2 => 0",
        "3 > 2 => 1", "2 > 2 => 0",
        "2 >= 2 => 1", "1 >= 2 => 0",
        "2 == 2 => 1", "2 == 3 => 0",
        "2 != 3 => 1", "2 != 2 => 0",
        // logic: booleans are doubles, any non-zero is true
        "2 && -3 => 1", "2 && 0 => 0", "0 || 0 => 0", "0 || 0.5 => 1", "!5 => 0", "!0 => 1", "!!7 => 1",
        // functions
        "abs(-3.5) => 3.5",
        "min(3, 1) => 1", "min(5, 4, 7, 2, 9) => 2",
        "max(3, 1) => 3", "max(5, 4, 7, 2, 9) => 9",
        "sqrt(16) => 4",
        "exp(0) => 1",
        "log(exp(2)) => 2",
        "log10(1000) => 3",
        "sin(0) => 0", "cos(0) => 1", "tan(0) => 0",
        "floor(2.7) => 2", "floor(-2.2) => -3",
        "ceil(2.2) => 3", "ceil(-2.7) => -2",
        "round(2.5) => 3", "round(-2.5) => -3", "round(2.4999) => 2", "round(0.49999999999999994) => 0",
        "round(-0.4) => -0.0",
        "clamp(5, 0, 10) => 5", "clamp(-5, 0, 10) => 0", "clamp(15, 0, 10) => 10",
        "if(1, 2, 3) => 2", "if(0, 2, 3) => 3", "if(-0.1, 2, 3) => 2",
        // whitespace anywhere between tokens
        " \t1\n+\r\n2  => 3",
        "max ( 1 , 2 ) => 2",
        });
    }

    @Test
    void failedCalculations_areNaN_andStayNaN() {
        String[] formulas = {
        "1 / 0", "0 / 0", "1 / -0", "5 % 0", "sqrt(-1)", "log(-1)", "clamp(1, 10, 0)",
        "1 / 0 > 3", "3 < 1 / 0", "1 / 0 == 1 / 0", "1 / 0 != 2", "!(1 / 0)", "1 && 1 / 0", "0 || 1 / 0",
        "1 / 0 && 0", "1 / 0 || 1", "if(1 / 0, 1, 2)", "(1 / 0) ? 1 : 2", "min(1 / 0, 5)", "max(5, 1 / 0)",
        "abs(1 / 0)", "round(1 / 0)", "floor(0 / 0)", "1 / (1 / 0)",
        };
        CompiledFormula[] compiled = Formulas.compile(List.of("x"), formulas);
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < formulas.length; i++) {
            double r = compiled[i].evaluate(new double[1]);
            String f = formulas[i];
            checks.add(() -> assertTrue(Double.isNaN(r), f + " gave " + r));
        }
        assertAll(checks);
    }

    @Test
    void nanInTheUnusedOperand_doesNotLeak() {
        checkTable(new String[] {
        // the side that alone decides the result wins over a NaN on the other side
        "0 && 1 / 0 => 0",
        "1 || 1 / 0 => 1",
        "if(1, 7, 1 / 0) => 7",
        "0 ? 1 / 0 : 8 => 8",
        "log(0) < 0 => 1",
        });
    }

    /** Rows "formula => expected"; all compiled in one unit, each row checked on its own. */
    private static void checkTable(String[] rows) {
        String[] formulas = new String[rows.length];
        double[] expected = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            String[] parts = rows[i].split(" => ");
            formulas[i] = parts[0];
            expected[i] = Double.parseDouble(parts[1].trim());
        }
        CompiledFormula[] compiled = Formulas.compile(List.of("x"), formulas);
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            double r = compiled[i].evaluate(new double[1]);
            double e = expected[i];
            String f = formulas[i];
            checks.add(() -> assertEquals(Double.doubleToLongBits(e), Double.doubleToLongBits(r), f + " gave " + r
                    + ", expected " + e));
        }
        assertAll(checks);
    }

    @Test
    void tagReferences_readTheirSlots() {
        assertEquals(2 * 10 + 3, eval("x * 10 + y", 2, 3, 0), 0);
        assertEquals(-5, eval("-x", 5, 0, 0), 0);
        assertEquals(3, eval("min(x, y, z)", 5, 4, 3), 0);
        assertEquals(4, eval("x > y ? x : y", 1, 4, 0), 0);
    }

    @Test
    void names_withDotsDashesSlashesAndSpaces_areReferencedBareOrQuoted() {
        List<String> tags = List.of("tank1.level", "line-1/pump 2.speed", "a.b", "c.d", "odd`name", "_x9",
                "if", "abs", "System.exit");
        double[] v = {10, 20, 30, 4, 50, 60, 70, 80, 90};
        CompiledFormula[] f = Formulas.compile(tags,
                "tank1.level * 2",
                "`line-1/pump 2.speed` + 1",
                "a.b-c.d",             // subtraction of two dotted tags
                "`odd``name`",         // a backquote doubled inside quotes
                "_x9",
                "if + abs",            // function names are tags unless followed by '('
                "abs(if) + `abs`",
                "`tank1.level`",       // quoting a bare-able name is allowed
                "System.exit",         // just a tag named System.exit
                "System.exit * 2");
        double[] expected = {20, 21, 26, 50, 60, 150, 150, 10, 90, 180};
        for (int i = 0; i < f.length; i++) {
            assertEquals(expected[i], f[i].evaluate(v), 0, "formula " + i);
        }
    }

    @Test
    void quotedName_withBackquoteFollowedByParenthesis_isATagNotAFunction() {
        FormulaException e = assertThrows(FormulaException.class, () -> eval("`abs`(1)"));
        assertTrue(e.getMessage().contains("a quoted name is a tag, not a function"), e.getMessage());
    }

    @Test
    void negativeZero_andExtremeNumbers_roundTripThroughTheGeneratedSource() {
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(eval("-0")));
        assertEquals(Double.MIN_VALUE, eval("4.9e-324"), 0);
        assertEquals(Double.MAX_VALUE, eval("1.7976931348623157e308"), 0);
        assertEquals(0.1, eval("0.1"), 0);
        assertEquals(0.30000000000000004, eval("0.1 + 0.2"), 0);
        assertEquals(123456789.123456789, eval("123456789.123456789"), 0);
        assertEquals(0, eval("1e-400"), 0);
    }

    @Test
    void deepestLegalFormulas_compileOnASmallStack() throws Exception {
        // The limits must hold with room to spare: run the deepest legal shapes on a 256 KiB stack.
        SmallStack.run(() -> {
            deepButLegalFormulas_compileAndEvaluate();
            assertEquals(1, eval("-".repeat(200) + "1"), 0);
            assertEquals(-1, eval("-".repeat(199) + "1"), 0);
            assertEquals(2, eval("x" + "^1".repeat(200), 2, 0, 0), 0);
            assertEquals(1, eval("1" + "*(1".repeat(200) + ")".repeat(200)), 0);
            // 200 nested levels of two operators each, then a chain of 500 on top: depth about 900
            assertEquals(701, eval("x" + "+x*(x".repeat(200) + ")".repeat(200) + "+x".repeat(500), 1, 0, 0), 0);
        });
    }

    @Test
    void deepButLegalFormulas_compileAndEvaluate() {
        // 200 nested parentheses, 1,000 chained additions, and min over 2,000 arguments
        assertEquals(1, eval("(".repeat(200) + "1" + ")".repeat(200)), 0);
        assertEquals(1000, eval("1" + "+1".repeat(999)), 0);
        StringBuilder args = new StringBuilder("min(5");
        for (int i = 0; i < 1999; i++) {
            args.append(",").append(i % 7 + 3);
        }
        assertEquals(3, eval(args.append(")").toString()), 0);
    }

    @Test
    void generatedSource_containsNoUserText() {
        Node tree = FormulaParser.parse("t", "`x\");System.exit(0);//` + 1.50 * `y`");
        String src = FormulaCompiler.source(tree, tag -> tag.equals("y") ? 1 : 0);
        assertTrue(!src.contains("System") && !src.contains("1.50") && !src.contains("exit"), src);
        assertTrue(src.contains("v[0]") && src.contains("v[1]") && src.contains("(1.5)"), src);
    }
}
