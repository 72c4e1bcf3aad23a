package io.historian.internal.formula;

/**
 * A node of a parsed formula. The tree is immutable and holds only what the parser recognised
 * (numbers as doubles, tag names, operators and functions from fixed lists), so the Java source
 * generated from it never contains user text.
 */
abstract class Node {
    /** 0-based position in the formula text of the token that produced this node. */
    final int pos;
    /** 1 for a leaf, 1 + the deepest child otherwise; bounded by the parser. */
    final int depth;
    /**
     * The number of nodes in this subtree, for the build budget ({@link FormulaGraph}). At most the
     * formula's length: every node comes from a token of at least one character.
     */
    final int size;

    private Node(int pos, int depth, int size) {
        this.pos = pos;
        this.depth = depth;
        this.size = size;
    }

    /** A number literal, already parsed. */
    static final class Num extends Node {
        final double value;

        Num(int pos, double value) {
            super(pos, 1, 1);
            this.value = value;
        }
    }

    /** A reference to a tag's latest value. */
    static final class TagRef extends Node {
        final String tag;

        TagRef(int pos, String tag) {
            super(pos, 1, 1);
            this.tag = tag;
        }
    }

    /** Unary minus or logical not. */
    static final class Unary extends Node {
        final UnaryOp op;
        final Node operand;

        Unary(int pos, UnaryOp op, Node operand) {
            super(pos, operand.depth + 1, operand.size + 1);
            this.op = op;
            this.operand = operand;
        }
    }

    /** A binary operator. */
    static final class Binary extends Node {
        final BinaryOp op;
        final Node left;
        final Node right;

        Binary(int pos, BinaryOp op, Node left, Node right) {
            super(pos, Math.max(left.depth, right.depth) + 1, left.size + right.size + 1);
            this.op = op;
            this.left = left;
            this.right = right;
        }
    }

    /** {@code c ? a : b} and {@code if(c, a, b)}. */
    static final class Conditional extends Node {
        final Node condition;
        final Node then;
        final Node otherwise;

        Conditional(int pos, Node condition, Node then, Node otherwise) {
            super(pos, Math.max(condition.depth, Math.max(then.depth, otherwise.depth)) + 1,
                    condition.size + then.size + otherwise.size + 1);
            this.condition = condition;
            this.then = then;
            this.otherwise = otherwise;
        }
    }

    /** A call of a function from the fixed list (other than {@code if}). */
    static final class Call extends Node {
        final FormulaFunction function;
        final Node[] args;

        Call(int pos, FormulaFunction function, Node[] args) {
            super(pos, maxDepth(args) + 1, totalSize(args) + 1);
            this.function = function;
            this.args = args;
        }

        private static int totalSize(Node[] args) {
            int n = 0;
            for (Node a : args) {
                n += a.size;
            }
            return n;
        }

        private static int maxDepth(Node[] args) {
            int d = 0;
            for (Node a : args) {
                d = Math.max(d, a.depth);
            }
            return d;
        }
    }

    enum UnaryOp {
        NEG("-"), NOT("!");

        final String symbol;

        UnaryOp(String symbol) {
            this.symbol = symbol;
        }
    }

    enum BinaryOp {
        ADD("+"), SUB("-"), MUL("*"), DIV("/"), MOD("%"), POW("^"),
        LT("<"), LE("<="), GT(">"), GE(">="), EQ("=="), NE("!="), AND("&&"), OR("||");

        final String symbol;

        BinaryOp(String symbol) {
            this.symbol = symbol;
        }
    }
}
