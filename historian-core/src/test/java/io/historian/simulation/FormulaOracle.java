package io.historian.simulation;

import io.historian.Quality;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The derived series the formulas of {@link WorldConfig} must produce, computed from the model's
 * inputs by the definition in the spec, independently of how the historian gets there:
 *
 * <p>For formula f with inputs I(f), T_f is the union of the inputs' sample times (a derived
 * input's times are those where it is defined). f is defined at t in T_f when every input has a
 * sample at or before t, with the value of f on the latest input samples at or before t (stepped).
 * Quality: the worst input quality; an input whose latest sample is more than the staleness
 * before t makes it at least Uncertain_LastUsableValue; a Bad input, or a NaN or infinite result
 * (division by zero) gives NaN with Bad_CalculationFailed.
 *
 * <p>Input qualities in the simulation are only Good, Uncertain_LastUsableValue and Bad ones, so
 * "worst" needs no tie-break between two codes of the same severity.
 *
 * <p>Each point also carries its <i>support</i>: the oldest raw sample it rests on (through
 * derived inputs too). A point whose support lies before the retention horizon rests on a sample
 * that may be gone, so the historian's value there is not checked.
 */
final class FormulaOracle {
    private static final int GOOD = Quality.GOOD.code();
    private static final int UNCERTAIN = Quality.UNCERTAIN_LAST_USABLE_VALUE.code();
    private static final int BAD_CALC = Quality.BAD_CALCULATION_FAILED.code();

    /** One derived point. */
    record Point(double value, int quality, long support) {
    }

    /** A series as parallel sorted arrays, for merging. */
    private record Series(long[] ts, double[] values, int[] qualities, long[] support) {
        static Series of(TreeMap<Long, Model.Value> raw) {
            int n = raw.size();
            long[] ts = new long[n];
            double[] v = new double[n];
            int[] q = new int[n];
            int i = 0;
            for (var e : raw.entrySet()) {
                ts[i] = e.getKey();
                v[i] = e.getValue().value();
                q[i] = e.getValue().quality();
                i++;
            }
            return new Series(ts, v, q, ts);
        }

        static Series ofPoints(TreeMap<Long, Point> points) {
            int n = points.size();
            long[] ts = new long[n];
            double[] v = new double[n];
            int[] q = new int[n];
            long[] s = new long[n];
            int i = 0;
            for (var e : points.entrySet()) {
                ts[i] = e.getKey();
                v[i] = e.getValue().value();
                q[i] = e.getValue().quality();
                s[i] = e.getValue().support();
                i++;
            }
            return new Series(ts, v, q, s);
        }
    }

    @FunctionalInterface
    private interface Fn {
        double apply(double[] in);
    }

    private FormulaOracle() {
    }

    /** Every derived tag's expected series, by tag, in dependency order. */
    static Map<String, TreeMap<Long, Point>> compute(Model model, long stalenessMillis) {
        Series a = Series.of(model.series("in.a"));
        Series b = Series.of(model.series("in.b"));
        Series c = Series.of(model.series("in.c"));
        Map<String, TreeMap<Long, Point>> out = new LinkedHashMap<>();
        TreeMap<Long, Point> sum = evaluate(new Series[] {a, b}, in -> in[0] + in[1], stalenessMillis);
        out.put("calc.sum", sum);
        out.put("calc.ratio", evaluate(new Series[] {a, b}, in -> in[0] / in[1], stalenessMillis));
        out.put("calc.chain", evaluate(new Series[] {Series.ofPoints(sum), c}, in -> in[0] * 2 - in[1], stalenessMillis));
        return out;
    }

    private static TreeMap<Long, Point> evaluate(Series[] inputs, Fn fn, long staleMillis) {
        TreeMap<Long, Point> out = new TreeMap<>();
        int k = inputs.length;
        int[] next = new int[k];
        // The latest sample at or before t of each input: index into its series, -1 before its first.
        int[] at = new int[k];
        java.util.Arrays.fill(at, -1);
        double[] args = new double[k];
        while (true) {
            long t = Long.MAX_VALUE;
            for (int j = 0; j < k; j++) {
                if (next[j] < inputs[j].ts().length) {
                    t = Math.min(t, inputs[j].ts()[next[j]]);
                }
            }
            if (t == Long.MAX_VALUE) {
                return out;
            }
            for (int j = 0; j < k; j++) {
                if (next[j] < inputs[j].ts().length && inputs[j].ts()[next[j]] == t) {
                    at[j] = next[j]++;
                }
            }
            boolean defined = true;
            for (int j = 0; j < k; j++) {
                defined &= at[j] >= 0;
            }
            if (!defined) {
                continue;
            }
            int q = GOOD;
            boolean bad = false;
            long support = Long.MAX_VALUE;
            for (int j = 0; j < k; j++) {
                Series s = inputs[j];
                int iq = s.qualities()[at[j]];
                if (Quality.severity(iq) >= 2) {
                    bad = true;
                } else if (Quality.severity(iq) == 1 || t - s.ts()[at[j]] > staleMillis) {
                    q = UNCERTAIN;
                }
                args[j] = s.values()[at[j]];
                support = Math.min(support, s.support()[at[j]]);
            }
            double r = bad ? Double.NaN : fn.apply(args);
            if (bad || Double.isNaN(r) || Double.isInfinite(r)) {
                out.put(t, new Point(Double.NaN, BAD_CALC, support));
            } else {
                out.put(t, new Point(r, q, support));
            }
        }
    }
}
