package io.historian.internal.query;

/**
 * The chart downsampling modes behind {@link io.historian.query.RawQuery#lttb(int)},
 * {@link io.historian.query.RawQuery#minMaxLttb(int)} and {@link io.historian.query.RawQuery#plot(int)}.
 */
public enum Downsampling {
    /** Largest-Triangle-Three-Buckets (Steinarsson 2013). */
    LTTB,
    /** Min/max preselection (ratio 4), then LTTB (Van Der Donckt et al. 2023). */
    MIN_MAX_LTTB,
    /** Per pixel column: first, last, min, max and bad-quality samples (PI PlotValues). */
    PLOT
}
