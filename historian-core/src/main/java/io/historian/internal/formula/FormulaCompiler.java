package io.historian.internal.formula;

import io.historian.FormulaException;
import java.util.ArrayDeque;
import java.util.function.ToIntFunction;
import org.codehaus.commons.compiler.CompileException;
import org.codehaus.janino.SimpleCompiler;

/**
 * Generates Java source from formula trees and compiles it with Janino, one nested class per
 * formula, in compilation units of at most {@value #UNIT_CHARS} characters of generated source.
 *
 * <p>Why units: Janino holds a whole compilation unit in memory (source, tokens, syntax tree, class
 * files) until it has compiled all of it, so one unit for every formula made the peak memory of a
 * build grow with the total source: 1,000 formulas of 10,000 characters (18 MB of generated source)
 * ran out of a 256 MB heap. Bounded units keep the peak bounded and the build time linear in the
 * source; each unit gets its own class loader, which holds only its classes.
 *
 * <p>The source is built only from what the tree holds: numbers are printed from their parsed
 * double ({@link Double#toString(double)}, which round-trips exactly), tag references become
 * {@code v[slot]} with a slot number we assigned, and operators and functions come from fixed
 * lists. No character of the formula text reaches the compiler, so no formula can name a Java
 * class, call a method, or end the expression early.
 *
 * <p>Evaluation is eager: both branches of a conditional are computed and the condition picks one
 * (see {@link FormulaRuntime#choose}). Every operation is pure, so the result is the same as
 * lazy evaluation; what it buys is straight-line code. Deep trees are split into local variables
 * every {@value #SPILL_DEPTH} levels so that neither Janino's recursive parser nor the verifier sees
 * deeply nested Java expressions.
 *
 * <p>Thread safety: stateless; safe from any thread.
 */
final class FormulaCompiler {
    static final String PACKAGE = "historian.generated";
    static final int SPILL_DEPTH = 12;
    /**
     * A unit is compiled once its generated source reaches this many characters (a formula is never
     * split, so a unit may exceed it by one formula's source).
     */
    static final int UNIT_CHARS = 256 * 1024;
    private static final String RT = "FormulaRuntime.";

    private FormulaCompiler() {
    }

    /**
     * Compiles formulas.
     *
     * @param names the output tag of each formula, for error messages
     * @param trees the parsed formulas
     * @param slotOf the slot of a referenced tag
     * @return the compiled code of each formula, in the same order
     * @throws FormulaException when the generated code does not compile (a formula too large for
     *     one method), naming the formula
     */
    static CompiledFormula[] compile(String[] names, Node[] trees, ToIntFunction<String> slotOf) {
        CompiledFormula[] out = new CompiledFormula[trees.length];
        StringBuilder src = new StringBuilder();
        int unit = 0;
        int from = 0;
        for (int i = 0; i < trees.length; i++) {
            if (i == from) {
                src.setLength(0);
                src.append("package ").append(PACKAGE).append(";\n")
                        .append("import io.historian.internal.formula.CompiledFormula;\n")
                        .append("import io.historian.internal.formula.FormulaRuntime;\n")
                        .append("public final class Formulas").append(unit).append(" {\n");
            }
            appendClass(src, i, trees[i], slotOf);
            if (src.length() >= UNIT_CHARS || i == trees.length - 1) {
                src.append("}\n");
                compileUnit(unit, src.toString(), names, trees, from, i + 1, slotOf, out);
                unit++;
                from = i + 1;
            }
        }
        return out;
    }

    /** Compiles formulas [from, to) in one unit and fills {@code out} with their instances. */
    private static void compileUnit(int unit, String src, String[] names, Node[] trees, int from, int to,
            ToIntFunction<String> slotOf, CompiledFormula[] out) {
        SimpleCompiler compiler = new SimpleCompiler();
        compiler.setParentClassLoader(CompiledFormula.class.getClassLoader());
        try {
            compiler.cook(src);
        } catch (CompileException | RuntimeException e) {
            throw blame(names, trees, from, to, slotOf, e);
        }
        try {
            ClassLoader loader = compiler.getClassLoader();
            for (int i = from; i < to; i++) {
                out[i] = (CompiledFormula) loader.loadClass(PACKAGE + ".Formulas" + unit + "$F" + i)
                        .getDeclaredConstructor().newInstance();
            }
        } catch (ReflectiveOperationException | LinkageError e) {
            throw blame(names, trees, from, to, slotOf, e);
        }
    }

    /** The Java source of one formula, for tests and debugging. */
    static String source(Node tree, ToIntFunction<String> slotOf) {
        StringBuilder sb = new StringBuilder();
        appendClass(sb, 0, tree, slotOf);
        return sb.toString();
    }

    private static FormulaException blame(String[] names, Node[] trees, int from, int to,
            ToIntFunction<String> slotOf, Throwable e) {
        if (to - from > 1) {
            // find the formula at fault so the message can name it
            for (int i = from; i < to; i++) {
                compile(new String[] {names[i]}, new Node[] {trees[i]}, slotOf);
            }
        }
        String name = from < names.length ? names[from] : "?";
        return new FormulaException(name, -1, "formula " + name + " could not be compiled (too large for one"
                + " method?): " + e.getMessage(), e);
    }

    private static void appendClass(StringBuilder src, int index, Node tree, ToIntFunction<String> slotOf) {
        Emitter emitter = new Emitter(slotOf);
        Expr result = emitter.emit(tree);
        src.append("public static final class F").append(index).append(" extends CompiledFormula {\n")
                .append("public double evaluate(double[] v) {\n")
                .append(emitter.body)
                .append("return ").append(result.code).append(";\n}\n}\n");
    }

    private record Expr(String code, int depth) {
    }

    /**
     * Walks one tree. Recursion follows the parser's own (bounded by
     * {@link FormulaParser#MAX_NESTING}); operator chains are walked with a loop.
     */
    private static final class Emitter {
        private final ToIntFunction<String> slotOf;
        private final StringBuilder body = new StringBuilder();
        private int temps;

        Emitter(ToIntFunction<String> slotOf) {
            this.slotOf = slotOf;
        }

        Expr emit(Node n) {
            if (n instanceof Node.Num num) {
                double v = num.value;
                if (!Double.isFinite(v)) {
                    throw new IllegalStateException("the parser let a non-finite number through: " + v);
                }
                return new Expr("(" + Double.toString(v) + ")", 0);
            }
            if (n instanceof Node.TagRef ref) {
                int slot = slotOf.applyAsInt(ref.tag);
                if (slot < 0) {
                    throw new IllegalStateException("no slot for tag " + ref.tag);
                }
                return new Expr("v[" + slot + "]", 0);
            }
            if (n instanceof Node.Unary u) {
                Expr a = spill(emit(u.operand));
                String code = u.op == Node.UnaryOp.NEG ? "(-(" + a.code + "))" : RT + "not(" + a.code + ")";
                return new Expr(code, a.depth + 1);
            }
            if (n instanceof Node.Binary) {
                // Left-associative chains (a + b + c ...) are left-deep trees up to MAX_DEPTH long
                // that the parser built with a loop; walk their left spine with a loop too, so that
                // recursion here stays bounded by the parser's nesting limit.
                ArrayDeque<Node.Binary> spine = new ArrayDeque<>();
                Node cur = n;
                while (cur instanceof Node.Binary b) {
                    spine.push(b);
                    cur = b.left;
                }
                Expr acc = emit(cur);
                while (!spine.isEmpty()) {
                    Node.Binary b = spine.pop();
                    acc = binary(b.op, spill(acc), spill(emit(b.right)));
                }
                return acc;
            }
            if (n instanceof Node.Conditional c) {
                Expr cond = spill(emit(c.condition));
                Expr a = spill(emit(c.then));
                Expr b = spill(emit(c.otherwise));
                return new Expr(RT + "choose(" + cond.code + ", " + a.code + ", " + b.code + ")",
                        Math.max(cond.depth, Math.max(a.depth, b.depth)) + 1);
            }
            Node.Call call = (Node.Call) n;
            Expr[] args = new Expr[call.args.length];
            for (int i = 0; i < args.length; i++) {
                args[i] = spill(emit(call.args[i]));
            }
            return switch (call.function) {
                case ABS -> math("abs", args[0]);
                case SQRT -> math("sqrt", args[0]);
                case EXP -> math("exp", args[0]);
                case LOG -> math("log", args[0]);
                case LOG10 -> math("log10", args[0]);
                case SIN -> math("sin", args[0]);
                case COS -> math("cos", args[0]);
                case TAN -> math("tan", args[0]);
                case FLOOR -> math("floor", args[0]);
                case CEIL -> math("ceil", args[0]);
                case ROUND -> new Expr(RT + "round(" + args[0].code + ")", args[0].depth + 1);
                case POW -> new Expr("Math.pow(" + args[0].code + ", " + args[1].code + ")",
                        Math.max(args[0].depth, args[1].depth) + 1);
                case CLAMP -> new Expr(RT + "clamp(" + args[0].code + ", " + args[1].code + ", " + args[2].code
                        + ")", Math.max(args[0].depth, Math.max(args[1].depth, args[2].depth)) + 1);
                case MIN, MAX -> fold(call.function == FormulaFunction.MIN ? "Math.min(" : "Math.max(", args);
                case IF -> throw new IllegalStateException("if() is parsed as a conditional");
            };
        }

        private static Expr binary(Node.BinaryOp op, Expr l, Expr r) {
            String code = switch (op) {
                case ADD -> "(" + l.code + " + " + r.code + ")";
                case SUB -> "(" + l.code + " - " + r.code + ")";
                case MUL -> "(" + l.code + " * " + r.code + ")";
                case MOD -> "(" + l.code + " % " + r.code + ")";
                case DIV -> call("div", l, r);
                case POW -> "Math.pow(" + l.code + ", " + r.code + ")";
                case LT -> call("lt", l, r);
                case LE -> call("le", l, r);
                case GT -> call("gt", l, r);
                case GE -> call("ge", l, r);
                case EQ -> call("eq", l, r);
                case NE -> call("ne", l, r);
                case AND -> call("and", l, r);
                case OR -> call("or", l, r);
            };
            return new Expr(code, Math.max(l.depth, r.depth) + 1);
        }

        /** min and max of n arguments, left to right; spilled like any other deep expression. */
        private Expr fold(String fn, Expr[] args) {
            Expr acc = args[0];
            for (int i = 1; i < args.length; i++) {
                acc = spill(acc);
                acc = new Expr(fn + acc.code + ", " + args[i].code + ")", Math.max(acc.depth, args[i].depth) + 1);
            }
            return acc;
        }

        private static Expr math(String fn, Expr a) {
            return new Expr("Math." + fn + "(" + a.code + ")", a.depth + 1);
        }

        private static String call(String fn, Expr l, Expr r) {
            return RT + fn + "(" + l.code + ", " + r.code + ")";
        }

        private Expr spill(Expr e) {
            if (e.depth < SPILL_DEPTH) {
                return e;
            }
            String t = "t" + temps++;
            body.append("final double ").append(t).append(" = ").append(e.code).append(";\n");
            return new Expr(t, 0);
        }
    }
}
