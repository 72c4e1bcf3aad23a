package io.historian.internal.formula;

/**
 * The operators and functions that generated formula code calls. Internal: public only because
 * the generated classes live in their own class loader.
 *
 * <p>Every function is pure and total: it returns NaN, never throws. NaN means "the calculation
 * failed" and propagates: comparisons, logic and conditions with a NaN operand give NaN, except
 * where the other operand alone decides ({@code 0 && x} is 0, {@code 1 || x} is 1), which keeps
 * guards such as {@code x != 0 && y / x > 1} meaningful. Division by zero is NaN, not infinity, so
 * a later operation cannot turn it back into an ordinary number.
 */
public final class FormulaRuntime {
    private FormulaRuntime() {
    }

    public static double div(double a, double b) {
        return b == 0 ? Double.NaN : a / b;
    }

    public static double lt(double a, double b) {
        return a < b ? 1 : (a >= b ? 0 : Double.NaN);
    }

    public static double le(double a, double b) {
        return a <= b ? 1 : (a > b ? 0 : Double.NaN);
    }

    public static double gt(double a, double b) {
        return a > b ? 1 : (a <= b ? 0 : Double.NaN);
    }

    public static double ge(double a, double b) {
        return a >= b ? 1 : (a < b ? 0 : Double.NaN);
    }

    public static double eq(double a, double b) {
        return a == b ? 1 : (a != a || b != b ? Double.NaN : 0);
    }

    public static double ne(double a, double b) {
        return a != b ? (a != a || b != b ? Double.NaN : 1) : 0;
    }

    public static double and(double a, double b) {
        if (a != a) {
            return Double.NaN;
        }
        if (a == 0) {
            return 0;
        }
        return b != b ? Double.NaN : (b != 0 ? 1 : 0);
    }

    public static double or(double a, double b) {
        if (a != a) {
            return Double.NaN;
        }
        if (a != 0) {
            return 1;
        }
        return b != b ? Double.NaN : (b != 0 ? 1 : 0);
    }

    public static double not(double a) {
        return a != a ? Double.NaN : (a == 0 ? 1 : 0);
    }

    public static double choose(double condition, double then, double otherwise) {
        return condition != condition ? Double.NaN : (condition != 0 ? then : otherwise);
    }

    public static double clamp(double x, double lo, double hi) {
        return lo > hi ? Double.NaN : Math.max(lo, Math.min(x, hi));
    }

    /** Half away from zero (2.5 gives 3, -2.5 gives -3), as spreadsheets round. */
    public static double round(double x) {
        double a = Math.abs(x);
        if (!(a < 0x1p52)) {
            return x; // already an integer, or NaN, or infinite
        }
        double f = Math.floor(a);
        // a - f is exact below 2^52, so the 0.49999999999999994 trap of floor(a + 0.5) does not apply
        return Math.copySign(a - f >= 0.5 ? f + 1 : f, x);
    }
}
