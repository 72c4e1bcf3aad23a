package io.historian;

/**
 * A formula of a calculated tag is invalid: it does not parse, calls an unknown function, is too
 * long or too deeply nested, references an unknown tag in strict mode, or takes part in a cycle; or
 * the formulas together are over the build budget (total characters or tree nodes).
 *
 * <pre>{@code
 * try {
 *     builder.formula("boiler.eff", "exit(0)");
 * } catch (FormulaException e) {
 *     // unknown function 'exit' at position 0 in formula boiler.eff: exit(0)
 *     e.formulaName(); // "boiler.eff"
 *     e.position();    // 0
 * }
 * }</pre>
 *
 * <p><b>Errors:</b> never retryable; the same formula fails the same way every time.
 *
 * <p><b>Thread safety:</b> immutable.
 */
public class FormulaException extends HistorianException {
    private static final long serialVersionUID = 1L;

    /** The output tag of the formula at fault. */
    private final String formulaName;
    /** The 0-based position of the problem in the formula text, or -1. */
    private final int position;

    /**
     * An error in one formula.
     *
     * @param formulaName the output tag of the formula
     * @param position the 0-based character position of the problem in the formula text, or -1 when
     *     the problem is not at one place (a cycle, say)
     * @param message the full message, naming the problem, the position and the formula
     */
    public FormulaException(String formulaName, int position, String message) {
        this(formulaName, position, message, null);
    }

    /**
     * An error in one formula, with its cause.
     *
     * @param formulaName the output tag of the formula
     * @param position the 0-based character position of the problem, or -1 when it is not at one place
     * @param message the full message, naming the problem, the position and the formula
     * @param cause what made the formula fail, such as a compiler error; may be null
     */
    public FormulaException(String formulaName, int position, String message, Throwable cause) {
        super(message, cause, false);
        this.formulaName = formulaName;
        this.position = position;
    }

    /** {@return the output tag of the formula at fault (the first one of a cycle)} */
    public String formulaName() {
        return formulaName;
    }

    /** {@return the 0-based character position of the problem in the formula text, or -1 when there is none} */
    public int position() {
        return position;
    }
}
