package io.historian.internal.formula;

import java.util.HashMap;
import java.util.Map;

/** The fixed list of functions a formula may call, with their argument counts. */
enum FormulaFunction {
    ABS("abs", 1, 1), MIN("min", 2, Integer.MAX_VALUE), MAX("max", 2, Integer.MAX_VALUE),
    SQRT("sqrt", 1, 1), POW("pow", 2, 2), EXP("exp", 1, 1), LOG("log", 1, 1), LOG10("log10", 1, 1),
    SIN("sin", 1, 1), COS("cos", 1, 1), TAN("tan", 1, 1), FLOOR("floor", 1, 1), CEIL("ceil", 1, 1),
    ROUND("round", 1, 1), CLAMP("clamp", 3, 3), IF("if", 3, 3);

    private static final Map<String, FormulaFunction> BY_NAME = new HashMap<>();

    static {
        for (FormulaFunction f : values()) {
            BY_NAME.put(f.formulaName, f);
        }
    }

    /** The name as written in formulas: lower case, case-sensitive. */
    final String formulaName;
    final int minArgs;
    final int maxArgs;

    FormulaFunction(String formulaName, int minArgs, int maxArgs) {
        this.formulaName = formulaName;
        this.minArgs = minArgs;
        this.maxArgs = maxArgs;
    }

    /** The function of that name, or null. */
    static FormulaFunction byName(String name) {
        return BY_NAME.get(name);
    }

    /** "1 argument", "3 arguments", "at least 2 arguments". */
    String arity() {
        if (maxArgs == Integer.MAX_VALUE) {
            return "at least " + minArgs + " arguments";
        }
        return minArgs + (minArgs == 1 ? " argument" : " arguments");
    }
}
