package io.historian.internal.formula;

import io.historian.FormulaException;
import io.historian.internal.formula.Node.BinaryOp;
import io.historian.internal.formula.Node.UnaryOp;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses formula text into a {@link Node} tree by recursive descent, tokenizing on the fly.
 *
 * <p>Grammar, loosest binding first:
 * <pre>
 * formula     = ternary EOF
 * ternary     = or [ "?" ternary ":" ternary ]
 * or          = and { "||" and }
 * and         = equality { "&amp;&amp;" equality }
 * equality    = relational { ("==" | "!=") relational }
 * relational  = additive { ("&lt;" | "&lt;=" | "&gt;" | "&gt;=") additive }
 * additive    = multiplicative { ("+" | "-") multiplicative }
 * multiplicative = unary { ("*" | "/" | "%") unary }
 * unary       = ("-" | "!") unary | power
 * power       = primary [ "^" unary ]               (right-associative, binds tighter than unary minus)
 * primary     = number | tag | function "(" ternary { "," ternary } ")" | "(" ternary ")"
 * tag         = [A-Za-z_][A-Za-z0-9_.]*  (not followed by "(")  |  "`" { any printable but "`" | "``" } "`"
 * </pre>
 *
 * <p>Input is bounded before any recursion: {@link #MAX_LENGTH} characters, {@link #MAX_NESTING}
 * levels of nesting, and a tree at most {@link #MAX_DEPTH} deep (long operator chains are parsed by
 * loops, not recursion, but the tree they build is walked recursively later). One level of nesting
 * is opened by each parenthesis, function call (around its arguments), conditional (around its
 * branches), unary operator and {@code ^} (around its exponent); the top level of a formula is level
 * 0, so exactly {@link #MAX_NESTING} levels parse and the construct that opens one more fails at its
 * own position. A formula past a bound gets a {@link FormulaException}.
 *
 * <p>The recursion is bounded but not small (about a dozen frames per nesting level), so a caller
 * that may run on a small stack parses on {@link FormulaBuildThread}, as {@link FormulaGraph} does.
 *
 * <p>Not thread-safe; one instance parses one formula.
 */
final class FormulaParser {
    static final int MAX_LENGTH = 10_000;
    static final int MAX_NESTING = 200;
    static final int MAX_DEPTH = 1_000;

    private enum Kind { NUMBER, NAME, QUOTED, OP, EOF }

    private final String name;
    private final String text;
    private int cursor;
    private int nesting;

    // the current token
    private Kind kind;
    private int start;
    private String lexeme;
    private double number;

    private FormulaParser(String name, String text) {
        this.name = name;
        this.text = text;
    }

    /**
     * Parses one formula.
     *
     * @param name the output tag, used in error messages
     * @param text the formula
     * @throws FormulaException naming the problem and its position
     */
    static Node parse(String name, String text) {
        if (text.length() > MAX_LENGTH) {
            throw error(name, text, MAX_LENGTH, "formula longer than " + MAX_LENGTH + " characters ("
                    + text.length() + ")");
        }
        FormulaParser p = new FormulaParser(name, text);
        p.advance();
        if (p.kind == Kind.EOF) {
            throw error(name, text, 0, "empty formula");
        }
        Node root = p.ternary();
        if (p.kind != Kind.EOF) {
            throw p.fail(p.start, "unexpected " + p.describe() + " after the end of the expression");
        }
        return root;
    }

    /** The message format every formula error uses. */
    static FormulaException error(String name, String text, int pos, String problem) {
        return new FormulaException(name, pos, problem + " at position " + pos + " in formula " + name + ": "
                + excerpt(text, pos));
    }

    private FormulaException fail(int pos, String problem) {
        return error(name, text, pos, problem);
    }

    // ---------------------------------------------------------------- grammar

    private Node ternary() {
        Node condition = or();
        if (isOp("?")) {
            int pos = start;
            enter(pos);
            advance();
            Node then = ternary();
            if (!isOp(":")) {
                throw fail(start, "expected ':' of the conditional at position " + pos + " but found " + describe());
            }
            advance();
            Node otherwise = ternary();
            nesting--;
            condition = checked(new Node.Conditional(pos, condition, then, otherwise));
        }
        return condition;
    }

    private Node or() {
        Node left = and();
        while (isOp("||")) {
            int pos = start;
            advance();
            left = checked(new Node.Binary(pos, BinaryOp.OR, left, and()));
        }
        return left;
    }

    private Node and() {
        Node left = equality();
        while (isOp("&&")) {
            int pos = start;
            advance();
            left = checked(new Node.Binary(pos, BinaryOp.AND, left, equality()));
        }
        return left;
    }

    private Node equality() {
        Node left = relational();
        while (isOp("==") || isOp("!=")) {
            BinaryOp op = lexeme.equals("==") ? BinaryOp.EQ : BinaryOp.NE;
            int pos = start;
            advance();
            left = checked(new Node.Binary(pos, op, left, relational()));
        }
        return left;
    }

    private Node relational() {
        Node left = additive();
        while (kind == Kind.OP) {
            BinaryOp op = switch (lexeme) {
                case "<" -> BinaryOp.LT;
                case "<=" -> BinaryOp.LE;
                case ">" -> BinaryOp.GT;
                case ">=" -> BinaryOp.GE;
                default -> null;
            };
            if (op == null) {
                break;
            }
            int pos = start;
            advance();
            left = checked(new Node.Binary(pos, op, left, additive()));
        }
        return left;
    }

    private Node additive() {
        Node left = multiplicative();
        while (isOp("+") || isOp("-")) {
            BinaryOp op = lexeme.equals("+") ? BinaryOp.ADD : BinaryOp.SUB;
            int pos = start;
            advance();
            left = checked(new Node.Binary(pos, op, left, multiplicative()));
        }
        return left;
    }

    private Node multiplicative() {
        Node left = unary();
        while (isOp("*") || isOp("/") || isOp("%")) {
            BinaryOp op = switch (lexeme) {
                case "*" -> BinaryOp.MUL;
                case "/" -> BinaryOp.DIV;
                default -> BinaryOp.MOD;
            };
            int pos = start;
            advance();
            left = checked(new Node.Binary(pos, op, left, unary()));
        }
        return left;
    }

    private Node unary() {
        if (isOp("-") || isOp("!")) {
            UnaryOp op = lexeme.equals("-") ? UnaryOp.NEG : UnaryOp.NOT;
            int pos = start;
            enter(pos);
            advance();
            Node operand = unary();
            nesting--;
            return checked(new Node.Unary(pos, op, operand));
        }
        return power();
    }

    private Node power() {
        Node base = primary();
        if (isOp("^")) {
            int pos = start;
            enter(pos);
            advance();
            Node exponent = unary();
            nesting--;
            return checked(new Node.Binary(pos, BinaryOp.POW, base, exponent));
        }
        return base;
    }

    private Node primary() {
        int pos = start;
        switch (kind) {
            case NUMBER -> {
                double v = number;
                advance();
                return new Node.Num(pos, v);
            }
            case QUOTED -> {
                String tag = lexeme;
                advance();
                if (isOp("(")) {
                    throw fail(start, "a quoted name is a tag, not a function: unexpected '(' after tag `"
                            + printable(tag) + "`");
                }
                return new Node.TagRef(pos, tag);
            }
            case NAME -> {
                String word = lexeme;
                advance();
                if (!isOp("(")) {
                    return new Node.TagRef(pos, word);
                }
                FormulaFunction f = FormulaFunction.byName(word);
                if (f == null) {
                    throw fail(pos, "unknown function '" + word + "'");
                }
                return call(pos, f);
            }
            case OP -> {
                if (lexeme.equals("(")) {
                    enter(pos);
                    advance();
                    Node inner = ternary();
                    if (!isOp(")")) {
                        throw fail(start, "expected ')' to close '(' at position " + pos + " but found " + describe());
                    }
                    advance();
                    nesting--;
                    return inner;
                }
                throw fail(pos, "expected a number, tag or function but found " + describe());
            }
            default -> throw fail(pos, "expected a number, tag or function but found " + describe());
        }
    }

    private Node call(int pos, FormulaFunction f) {
        enter(pos); // a call opens a level around its arguments
        advance(); // '('
        List<Node> args = new ArrayList<>();
        if (!isOp(")")) {
            while (true) {
                args.add(ternary());
                if (isOp(",")) {
                    advance();
                    continue;
                }
                if (isOp(")")) {
                    break;
                }
                throw fail(start, "expected ',' or ')' in the arguments of '" + f.formulaName + "' at position "
                        + pos + " but found " + describe());
            }
        }
        advance(); // ')'
        nesting--;
        if (args.size() < f.minArgs || args.size() > f.maxArgs) {
            throw fail(pos, "function '" + f.formulaName + "' takes " + f.arity() + " but got " + args.size());
        }
        if (f == FormulaFunction.IF) {
            return checked(new Node.Conditional(pos, args.get(0), args.get(1), args.get(2)));
        }
        return checked(new Node.Call(pos, f, args.toArray(new Node[0])));
    }

    /** Opens a level of nesting at the token at {@code pos}, which is where a level too many is reported. */
    private void enter(int pos) {
        if (++nesting > MAX_NESTING) {
            throw fail(pos, "formula nested deeper than " + MAX_NESTING + " levels");
        }
    }

    private Node checked(Node n) {
        if (n.depth > MAX_DEPTH) {
            throw fail(n.pos, "expression deeper than " + MAX_DEPTH
                    + " levels (a chain of that many operators); split it into several formulas");
        }
        return n;
    }

    private boolean isOp(String op) {
        return kind == Kind.OP && lexeme.equals(op);
    }

    private String describe() {
        return switch (kind) {
            case EOF -> "the end of the formula";
            case NUMBER -> "number " + lexeme;
            case NAME -> "tag " + lexeme;
            case QUOTED -> "tag `" + printable(lexeme) + "`";
            case OP -> "'" + lexeme + "'";
        };
    }

    // ---------------------------------------------------------------- tokens

    private void advance() {
        int n = text.length();
        while (cursor < n) {
            char c = text.charAt(cursor);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                break;
            }
            cursor++;
        }
        start = cursor;
        if (cursor >= n) {
            kind = Kind.EOF;
            lexeme = "";
            return;
        }
        char c = text.charAt(cursor);
        if (isDigit(c) || (c == '.' && cursor + 1 < n && isDigit(text.charAt(cursor + 1)))) {
            lexNumber();
        } else if (isNameStart(c)) {
            int end = cursor + 1;
            while (end < n && isNamePart(text.charAt(end))) {
                end++;
            }
            kind = Kind.NAME;
            lexeme = text.substring(cursor, end);
            cursor = end;
        } else if (c == '`') {
            lexQuoted();
        } else {
            lexOperator(c);
        }
    }

    private void lexNumber() {
        int n = text.length();
        int i = cursor;
        while (i < n && isDigit(text.charAt(i))) {
            i++;
        }
        if (i < n && text.charAt(i) == '.') {
            i++;
            int fraction = i;
            while (i < n && isDigit(text.charAt(i))) {
                i++;
            }
            if (i == fraction) {
                throw fail(cursor, "malformed number '" + printable(text.substring(cursor, i))
                        + "': a digit must follow the decimal point");
            }
        }
        if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                i++;
            }
            int digits = i;
            while (i < n && isDigit(text.charAt(i))) {
                i++;
            }
            if (i == digits) {
                throw fail(cursor, "malformed number '" + printable(text.substring(cursor, i))
                        + "': the exponent has no digits");
            }
        }
        if (i < n && (isNamePart(text.charAt(i)) || text.charAt(i) == '`')) {
            int end = i;
            while (end < n && isNamePart(text.charAt(end))) {
                end++;
            }
            throw fail(cursor, "malformed number '" + printable(text.substring(cursor, Math.max(end, i + 1)))
                    + "' (a tag name cannot start with a digit; quote it with backquotes)");
        }
        String digits = text.substring(cursor, i);
        // Only [0-9.eE+-] in the shape checked above reaches parseDouble.
        double v = Double.parseDouble(digits);
        if (Double.isInfinite(v)) {
            throw fail(cursor, "number out of range '" + digits + "'");
        }
        kind = Kind.NUMBER;
        lexeme = digits;
        number = v;
        cursor = i;
    }

    private void lexQuoted() {
        int open = cursor;
        int n = text.length();
        StringBuilder sb = new StringBuilder();
        int i = open + 1;
        while (true) {
            if (i >= n) {
                throw fail(open, "unterminated quoted tag name (a backquote is written as two backquotes)");
            }
            char c = text.charAt(i);
            if (c == '`') {
                if (i + 1 < n && text.charAt(i + 1) == '`') {
                    sb.append('`');
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            if (Character.isISOControl(c)) {
                throw fail(i, "control character " + printable(String.valueOf(c)) + " in quoted tag name");
            }
            sb.append(c);
            i++;
        }
        if (sb.length() == 0) {
            throw fail(open, "empty quoted tag name");
        }
        kind = Kind.QUOTED;
        lexeme = sb.toString();
        cursor = i;
    }

    private void lexOperator(char c) {
        char next = cursor + 1 < text.length() ? text.charAt(cursor + 1) : 0;
        String op = switch (c) {
            case '+', '-', '*', '/', '%', '^', '(', ')', ',', '?', ':' -> String.valueOf(c);
            case '<', '>' -> next == '=' ? c + "=" : String.valueOf(c);
            case '!' -> next == '=' ? "!=" : "!";
            case '=' -> {
                if (next == '=') {
                    yield "==";
                }
                throw fail(cursor, "'=' is not an operator (there is no assignment; compare with ==)");
            }
            case '&' -> {
                if (next == '&') {
                    yield "&&";
                }
                throw fail(cursor, "'&' is not an operator (logical and is &&)");
            }
            case '|' -> {
                if (next == '|') {
                    yield "||";
                }
                throw fail(cursor, "'|' is not an operator (logical or is ||)");
            }
            case '"', '\'' -> throw fail(cursor, "string and character literals are not supported: unexpected '"
                    + c + "'");
            default -> throw fail(cursor, "unexpected character '" + printable(text.substring(cursor,
                    cursor + Character.charCount(text.codePointAt(cursor)))) + "'"
                    + (c > 127 ? " (quote tag names with other characters in backquotes)" : ""));
        };
        kind = Kind.OP;
        lexeme = op;
        cursor += op.length();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isNameStart(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || isDigit(c) || c == '.';
    }

    // ---------------------------------------------------------------- messages

    /** Quotes text for a message, escaping control and non-ASCII characters so logs stay readable. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && !Character.isLetterOrDigit(c) && c != ' ')) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The formula, or for a long one the part around the position. */
    static String excerpt(String text, int pos) {
        if (text.length() <= 120) {
            return printable(text);
        }
        int from = Math.max(0, Math.min(pos, text.length()) - 50);
        int to = Math.min(text.length(), from + 100);
        return (from > 0 ? "..." : "") + printable(text.substring(from, to)) + (to < text.length() ? "..." : "")
                + " (" + text.length() + " characters)";
    }
}
