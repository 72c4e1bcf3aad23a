package io.historian.internal.query;

import io.historian.query.PointCursor;

/** Opens the chart cursor of a {@link Downsampling} mode. */
public final class Downsamplers {
    private Downsamplers() {
    }

    /** Opens over {@code [from, to)}; the cursor owns and closes the view (also on failure). */
    public static PointCursor open(SeriesView view, long from, long to, Downsampling mode, int points) {
        return switch (mode) {
            case LTTB -> LttbDownsampler.open(view, from, to, points);
            case MIN_MAX_LTTB -> MinMaxLttbDownsampler.open(view, from, to, points);
            case PLOT -> PlotValuesDownsampler.open(view, from, to, points);
        };
    }
}
