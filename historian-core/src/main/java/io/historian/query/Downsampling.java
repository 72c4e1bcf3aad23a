package io.historian.query;

/**
 * The chart downsampling modes of {@link RawQuery}: see {@link RawQuery#lttb(int)},
 * {@link RawQuery#minMaxLttb(int)} and {@link RawQuery#plot(int)}.
 *
 * <p><b>Thread safety:</b> immutable.
 */
public enum Downsampling {
    /** Largest-Triangle-Three-Buckets (Steinarsson 2013). */
    LTTB,
    /** Min/max preselection (ratio 4), then LTTB (Van Der Donckt et al. 2023). */
    MIN_MAX_LTTB,
    /** Per pixel column: first, last, min, max and bad-quality samples (PI PlotValues). */
    PLOT
}
