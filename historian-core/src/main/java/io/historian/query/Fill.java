package io.historian.query;

/**
 * What an aggregate query reports for an interval that holds no non-Bad sample.
 *
 * <pre>{@code
 * historian.query("boiler.temp").between(from, to).fill(Fill.PREVIOUS).aggregate(Duration.ofMinutes(1), Aggregate.MEAN);
 * }</pre>
 *
 * <p>Fill applies to the sample aggregates (MIN to STDDEV, not COUNT) of an <i>empty</i> interval,
 * one that holds no non-Bad sample; the time-weighted ones already carry values across empty
 * intervals. A filled value's quality is the worse of the source's quality and
 * {@code Uncertain_LastUsableValue}.
 *
 * <p><b>The interval before the range.</b> {@link #PREVIOUS} and {@link #LINEAR} look back past
 * the range's start: the previous interval of the range's first one is the grid cell holding the
 * last non-Bad sample before the range (cut off at the range's start), with every sample
 * aggregate computed over it as for any interval. The cells between it and the range are empty,
 * so a fill gives at the start of a range what it gives in the middle of a longer one.
 * <ul>
 *   <li>{@link #NONE}: the interval is still reported, its values NaN with quality
 *       {@link Aggregate#NO_DATA}, so the grid stays regular.</li>
 *   <li>{@link #PREVIOUS}: each aggregate repeats its value in the previous interval, as that
 *       interval reported it (filled or not, NaN included, e.g. the STDDEV of a single sample),
 *       so a run of empty intervals repeats the last non-empty one. Before the range it is the
 *       interval above; with no non-Bad sample before the range, an empty first interval stays
 *       NaN with {@link Aggregate#NO_DATA}, and so do the empty ones after it.</li>
 *   <li>{@link #LINEAR}: on the line between the values of the previous and the next non-empty
 *       intervals, placed at their interval starts (the interval before the range at its cell's
 *       start); NaN with {@link Aggregate#NO_DATA} where either side is missing or its value of
 *       that aggregate is NaN.</li>
 *   <li>{@link #constant(double)}: the given value.</li>
 * </ul>
 *
 * <p><b>Thread safety:</b> immutable.
 */
public final class Fill {
    /** Report empty intervals with NaN values and quality {@code Bad_NoData}. */
    public static final Fill NONE = new Fill(Kind.NONE, Double.NaN);
    /** Repeat the previous interval's value, from before the range if needed. */
    public static final Fill PREVIOUS = new Fill(Kind.PREVIOUS, Double.NaN);
    /** Interpolate between the neighbouring non-empty intervals. */
    public static final Fill LINEAR = new Fill(Kind.LINEAR, Double.NaN);

    /** The fill strategies. */
    public enum Kind {
        /** See {@link Fill#NONE}. */
        NONE,
        /** See {@link Fill#PREVIOUS}. */
        PREVIOUS,
        /** See {@link Fill#LINEAR}. */
        LINEAR,
        /** See {@link Fill#constant(double)}. */
        CONSTANT
    }

    private final Kind kind;
    private final double value;

    private Fill(Kind kind, double value) {
        this.kind = kind;
        this.value = value;
    }

    /**
     * Fill empty intervals with a constant (quality Good).
     *
     * @param value the value reported for every empty interval; NaN is allowed
     * @return the fill
     */
    public static Fill constant(double value) {
        return new Fill(Kind.CONSTANT, value);
    }

    /** {@return the strategy} */
    public Kind kind() {
        return kind;
    }

    /** {@return the constant of {@link Kind#CONSTANT}; NaN otherwise} */
    public double value() {
        return value;
    }

    @Override
    public String toString() {
        return kind == Kind.CONSTANT ? "constant(" + value + ")" : kind.name();
    }
}
