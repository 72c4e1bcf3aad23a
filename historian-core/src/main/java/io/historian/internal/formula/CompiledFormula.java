package io.historian.internal.formula;

/**
 * The code of one formula, generated from its tree and compiled by {@link FormulaCompiler}.
 * Internal: public only because the generated classes live in their own class loader.
 *
 * <p>{@link #evaluate(double[])} reads tag values from fixed slots of the array, allocates nothing
 * and has no side effect; the caller decides what a NaN or infinite result means.
 */
public abstract class CompiledFormula {
    /** For the generated subclasses only. */
    protected CompiledFormula() {
    }

    /**
     * Evaluates the formula.
     *
     * @param values the latest value of every slot, indexed by slot
     * @return the result; NaN when the calculation failed (division by zero, a NaN operand)
     */
    public abstract double evaluate(double[] values);
}
