package io.historian.internal.formula;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles formulas directly (parser and compiler, no graph) for the language tests, on the build
 * thread as the graph does, so that tests on small stacks check what the library runs.
 */
final class Formulas {
    private Formulas() {
    }

    /** Compiles each formula over the given tags; slot i holds tags.get(i). */
    static CompiledFormula[] compile(List<String> tags, String... texts) {
        Map<String, Integer> slots = new HashMap<>();
        for (int i = 0; i < tags.size(); i++) {
            slots.put(tags.get(i), i);
        }
        return FormulaBuildThread.call(() -> compileHere(slots, texts));
    }

    private static CompiledFormula[] compileHere(Map<String, Integer> slots, String... texts) {
        Node[] trees = new Node[texts.length];
        String[] names = new String[texts.length];
        for (int i = 0; i < texts.length; i++) {
            names[i] = "f" + i;
            trees[i] = FormulaParser.parse(names[i], texts[i]);
        }
        return FormulaCompiler.compile(names, trees, tag -> {
            Integer s = slots.get(tag);
            if (s == null) {
                throw new AssertionError("the test gave no slot for tag " + tag);
            }
            return s;
        });
    }

    /** Evaluates one formula with x, y, z bound to the given values. */
    static double eval(String text, double x, double y, double z) {
        return compile(List.of("x", "y", "z"), text)[0].evaluate(new double[] {x, y, z});
    }

    static double eval(String text) {
        return eval(text, 0, 0, 0);
    }
}
