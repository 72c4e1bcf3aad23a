package io.historian.query;

/**
 * What an aggregate query reports for an interval that holds no non-Bad sample.
 *
 * <pre>{@code
 * historian.query("boiler.temp").between(from, to).fill(Fill.PREVIOUS).aggregate(Duration.ofMinutes(1), Aggregate.MEAN);
 * }</pre>
 *
 * <p>Fill applies to the sample aggregates (MIN to STDDEV, not COUNT); the time-weighted ones
 * already carry values across empty intervals. A filled value's quality is the worse of the
 * source's quality and {@code Uncertain_LastUsableValue}.
 * <ul>
 *   <li>{@link #NONE}: the interval is still reported, its values NaN with quality
 *       {@link Aggregate#NO_DATA}, so the grid stays regular.</li>
 *   <li>{@link #PREVIOUS}: the value of the previous non-empty interval, or, before the first,
 *       the last usable sample before the range (carried in).</li>
 *   <li>{@link #LINEAR}: on the line between the previous and the next non-empty intervals'
 *       values, placed at their interval starts (the carried-in sample at its own time); NaN
 *       with {@link Aggregate#NO_DATA} where either side is missing.</li>
 *   <li>{@link #constant(double)}: the given value.</li>
 * </ul>
 *
 * <p><b>Thread safety:</b> immutable.
 */
public final class Fill {
    /** Report empty intervals with NaN values and quality {@code Bad_NoData}. */
    public static final Fill NONE = new Fill(Kind.NONE, Double.NaN);
    /** Carry the previous value forward, from before the range if needed. */
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
