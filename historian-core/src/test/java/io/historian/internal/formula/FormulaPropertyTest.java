package io.historian.internal.formula;

import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random expression trees, printed to formula text with as few parentheses as precedence allows
 * (plus some redundant ones and random spacing), parsed, compiled and evaluated on random tag
 * values, against a tree-walking interpreter written here from the documented semantics.
 * Seed: printed; replay with {@code -Dhistorian.seed=<seed>}.
 */
class FormulaPropertyTest {
    static final String[] TAGS = {"x", "tank1.level", "a.b", "_t9", "line-1/pump 2.speed", "odd`q", "if", "min",
        "System.exit", "ÿ.ü"};

    static long seed(String name) {
        String fixed = System.getProperty("historian.seed");
        long seed = fixed != null && !fixed.isBlank() ? Long.decode(fixed.trim()) : System.nanoTime();
        System.out.println(name + ": seed=" + seed + " (replay with -Dhistorian.seed=" + seed + ")");
        return seed;
    }

    // ---------------------------------------------------------------- the test's own tree

    /** kind: num, tag, neg, not, bin (op), cond, call (fn). */
    record E(String kind, String op, double num, int tag, E[] kids) {
    }

    static final String[] BIN = {"+", "-", "*", "/", "%", "^", "<", "<=", ">", ">=", "==", "!=", "&&", "||"};
    static final String[] FN = {"abs", "min", "max", "sqrt", "pow", "exp", "log", "log10", "sin", "cos", "tan",
        "floor", "ceil", "round", "clamp", "if"};

    /** A random tree at most {@code depth} deep with at most about {@code budget[0]} nodes. */
    static E gen(SplittableRandom r, int depth, int[] budget) {
        if (depth <= 0 || --budget[0] <= 0 || r.nextInt(5) == 0) {
            return r.nextBoolean() ? new E("num", null, number(r), 0, new E[0])
                    : new E("tag", null, 0, r.nextInt(TAGS.length), new E[0]);
        }
        switch (r.nextInt(7)) {
            case 0:
                return new E("neg", null, 0, 0, new E[] {gen(r, depth - 1, budget)});
            case 1:
                return new E("not", null, 0, 0, new E[] {gen(r, depth - 1, budget)});
            case 2:
                return new E("cond", null, 0, 0, new E[] {gen(r, depth - 1, budget), gen(r, depth - 1, budget), gen(r, depth - 1, budget)});
            case 3: {
                String fn = FN[r.nextInt(FN.length)];
                int n = switch (fn) {
                    case "min", "max" -> 2 + r.nextInt(4);
                    case "pow" -> 2;
                    case "clamp", "if" -> 3;
                    default -> 1;
                };
                E[] args = new E[n];
                for (int i = 0; i < n; i++) {
                    args[i] = gen(r, depth - 1, budget);
                }
                return new E("call", fn, 0, 0, args);
            }
            default:
                return new E("bin", BIN[r.nextInt(BIN.length)], 0, 0, new E[] {gen(r, depth - 1, budget), gen(r, depth - 1, budget)});
        }
    }

    static double number(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> r.nextInt(4);
            case 1 -> r.nextInt(1000) / 100.0;
            case 2 -> r.nextDouble() * Math.pow(10, r.nextInt(-20, 20));
            case 3 -> 0.5;
            case 4 -> Double.MIN_VALUE * r.nextInt(1, 4);
            default -> r.nextInt(100);
        };
    }

    // ---------------------------------------------------------------- printer

    static int level(E e) {
        return switch (e.kind) {
            case "cond" -> 0;
            case "neg", "not" -> 7;
            case "bin" -> switch (e.op) {
                case "||" -> 1;
                case "&&" -> 2;
                case "==", "!=" -> 3;
                case "<", "<=", ">", ">=" -> 4;
                case "+", "-" -> 5;
                case "*", "/", "%" -> 6;
                default -> 8; // ^
            };
            default -> 9;
        };
    }

    static String print(E e, int min, SplittableRandom r) {
        String s = printBare(e, r);
        boolean needed = level(e) < min;
        return needed || r.nextInt(12) == 0 ? "(" + sp(r) + s + sp(r) + ")" : s;
    }

    static String sp(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> " ";
            case 1 -> "\t";
            case 2 -> " \n ";
            default -> "";
        };
    }

    static String printBare(E e, SplittableRandom r) {
        switch (e.kind) {
            case "num": {
                double v = e.num;
                return switch (r.nextInt(3)) {
                    case 0 -> Double.toString(v);
                    case 1 -> new BigDecimal(v).toPlainString().length() < 60 ? new BigDecimal(v).toPlainString()
                            : Double.toString(v).toLowerCase();
                    default -> new BigDecimal(v).round(new java.math.MathContext(17)).toString()
                            .replace("E+", r.nextBoolean() ? "e+" : "E");
                };
            }
            case "tag": {
                String name = TAGS[e.tag];
                return name.matches("[A-Za-z_][A-Za-z0-9_.]*") && r.nextInt(4) != 0 ? name
                        : "`" + name.replace("`", "``") + "`";
            }
            case "neg":
                return "-" + sp(r) + print(e.kids[0], 7, r);
            case "not":
                return "!" + sp(r) + print(e.kids[0], 7, r);
            case "cond":
                if (r.nextBoolean()) {
                    return "if(" + print(e.kids[0], 0, r) + "," + sp(r) + print(e.kids[1], 0, r) + "," + sp(r)
                            + print(e.kids[2], 0, r) + ")";
                }
                return print(e.kids[0], 1, r) + sp(r) + "?" + sp(r) + print(e.kids[1], 0, r) + sp(r) + ":" + sp(r)
                        + print(e.kids[2], 0, r);
            case "call": {
                StringBuilder sb = new StringBuilder(e.op).append(r.nextInt(4) == 0 ? " (" : "(");
                for (int i = 0; i < e.kids.length; i++) {
                    sb.append(i == 0 ? "" : "," + sp(r)).append(print(e.kids[i], 0, r));
                }
                return sb.append(")").toString();
            }
            default: {
                int l = level(e);
                if (e.op.equals("^")) { // right-associative; the exponent may be a unary operator
                    return print(e.kids[0], 9, r) + sp(r) + "^" + sp(r) + print(e.kids[1], 7, r);
                }
                return print(e.kids[0], l, r) + sp(r) + e.op + sp(r) + print(e.kids[1], l + 1, r);
            }
        }
    }

    // ---------------------------------------------------------------- reference interpreter

    static boolean nan(double d) {
        return Double.isNaN(d);
    }

    static double truth(boolean b) {
        return b ? 1 : 0;
    }

    static double ref(E e, double[] tags) {
        switch (e.kind) {
            case "num":
                return e.num;
            case "tag":
                return tags[e.tag];
            case "neg":
                return -ref(e.kids[0], tags);
            case "not": {
                double a = ref(e.kids[0], tags);
                return nan(a) ? Double.NaN : truth(a == 0);
            }
            case "cond": {
                double c = ref(e.kids[0], tags);
                if (nan(c)) {
                    return Double.NaN;
                }
                return c != 0 ? ref(e.kids[1], tags) : ref(e.kids[2], tags);
            }
            case "call": {
                double[] a = new double[e.kids.length];
                for (int i = 0; i < a.length; i++) {
                    a[i] = ref(e.kids[i], tags);
                }
                switch (e.op) {
                    case "min":
                    case "max": {
                        double acc = a[0];
                        for (int i = 1; i < a.length; i++) {
                            if (nan(acc) || nan(a[i])) {
                                acc = Double.NaN;
                            } else if (e.op.equals("min")) {
                                acc = a[i] < acc || (a[i] == acc && a[i] == 0 && 1 / a[i] < 0) ? a[i] : acc;
                            } else {
                                acc = a[i] > acc || (a[i] == acc && a[i] == 0 && 1 / a[i] > 0) ? a[i] : acc;
                            }
                        }
                        return acc;
                    }
                    case "abs": return Math.abs(a[0]);
                    case "sqrt": return Math.sqrt(a[0]);
                    case "pow": return Math.pow(a[0], a[1]);
                    case "exp": return Math.exp(a[0]);
                    case "log": return Math.log(a[0]);
                    case "log10": return Math.log10(a[0]);
                    case "sin": return Math.sin(a[0]);
                    case "cos": return Math.cos(a[0]);
                    case "tan": return Math.tan(a[0]);
                    case "floor": return Math.floor(a[0]);
                    case "ceil": return Math.ceil(a[0]);
                    case "round": {
                        if (nan(a[0]) || Double.isInfinite(a[0])) {
                            return a[0];
                        }
                        double v = new BigDecimal(a[0]).setScale(0, RoundingMode.HALF_UP).doubleValue();
                        return Math.copySign(v, a[0]);
                    }
                    case "clamp": {
                        if (nan(a[0]) || nan(a[1]) || nan(a[2]) || a[1] > a[2]) {
                            return Double.NaN;
                        }
                        return a[0] < a[1] ? a[1] : (a[0] > a[2] ? a[2] : a[0]);
                    }
                    default: { // if
                        return nan(a[0]) ? Double.NaN : (a[0] != 0 ? a[1] : a[2]);
                    }
                }
            }
            default: {
                double a = ref(e.kids[0], tags);
                double b = ref(e.kids[1], tags);
                switch (e.op) {
                    case "+": return a + b;
                    case "-": return a - b;
                    case "*": return a * b;
                    case "/": return b == 0 ? Double.NaN : a / b;
                    case "%": return a % b;
                    case "^": return Math.pow(a, b);
                    case "&&": return nan(a) ? Double.NaN : a == 0 ? 0 : nan(b) ? Double.NaN : truth(b != 0);
                    case "||": return nan(a) ? Double.NaN : a != 0 ? 1 : nan(b) ? Double.NaN : truth(b != 0);
                    default:
                        break;
                }
                if (nan(a) || nan(b)) {
                    return Double.NaN;
                }
                return switch (e.op) {
                    case "<" -> truth(a < b);
                    case "<=" -> truth(a <= b);
                    case ">" -> truth(a > b);
                    case ">=" -> truth(a >= b);
                    case "==" -> truth(a == b);
                    default -> truth(a != b);
                };
            }
        }
    }

    static boolean same(double expected, double actual) {
        if (nan(expected) || nan(actual)) {
            return nan(expected) && nan(actual);
        }
        if (expected == actual) {
            return true;
        }
        // intrinsics (sin, pow, ...) may differ in the last bit between interpreter and JIT
        return Double.isFinite(expected) && Math.abs(expected - actual) <= 1e-12 * Math.max(Math.abs(expected),
                Math.abs(actual));
    }

    // ---------------------------------------------------------------- the property

    @Test
    void randomFormulas_printedParsedAndCompiled_equalTheReferenceInterpreter() {
        long seed = seed("FormulaPropertyTest");
        SplittableRandom r = new SplittableRandom(seed);
        List<String> tags = List.of(TAGS);
        for (int batch = 0; batch < 6; batch++) {
            int n = 150;
            E[] trees = new E[n];
            String[] texts = new String[n];
            for (int i = 0; i < n; i++) {
                trees[i] = i % 10 == 0 ? gen(r, 20 + r.nextInt(40), new int[] {400}) : gen(r, 1 + r.nextInt(6), new int[] {60});
                texts[i] = print(trees[i], 0, r);
            }
            CompiledFormula[] compiled = Formulas.compile(tags, texts);
            for (int round = 0; round < 20; round++) {
                double[] values = new double[TAGS.length];
                for (int k = 0; k < values.length; k++) {
                    values[k] = switch (r.nextInt(8)) {
                        case 0 -> 0;
                        case 1 -> 1;
                        case 2 -> -r.nextDouble() * 100;
                        case 3 -> r.nextInt(-3, 4);
                        case 4 -> r.nextInt(20) == 0 ? Double.NaN : 0.5;
                        default -> r.nextDouble() * Math.pow(10, r.nextInt(-5, 6));
                    };
                }
                for (int i = 0; i < n; i++) {
                    double expected = ref(trees[i], values);
                    double actual = compiled[i].evaluate(values.clone());
                    if (!same(expected, actual)) {
                        fail("seed=" + seed + " batch=" + batch + " formula " + i + ": " + texts[i] + "\nvalues="
                                + java.util.Arrays.toString(values) + "\nexpected " + expected + " but was " + actual);
                    }
                }
            }
        }
    }

    @Test
    void randomText_eitherParsesOrFailsWithAFormulaException() {
        long seed = seed("FormulaPropertyTest.randomText");
        SplittableRandom r = new SplittableRandom(seed);
        String alphabet = "xy1.0e+-*/%^()<>=!&|?:,` \tminaxbsqrtifclmp\"';{}@\\";
        List<String> parsed = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = r.nextInt(1, 24);
            for (int k = 0; k < len; k++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            try {
                FormulaParser.parse("fuzz", sb.toString());
                parsed.add(sb.toString());
            } catch (io.historian.FormulaException expected) {
                // the other allowed outcome
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError("seed=" + seed + " input " + sb + " threw " + e, e);
            }
        }
        System.out.println("FormulaPropertyTest.randomText: " + parsed.size() + " of 20000 random strings parsed");
    }
}
