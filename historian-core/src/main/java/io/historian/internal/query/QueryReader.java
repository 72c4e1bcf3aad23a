package io.historian.internal.query;

import io.historian.query.Aggregate;
import io.historian.query.AggregateCursor;
import io.historian.query.PointCursor;
import io.historian.query.RawQuery;
import io.historian.query.SampleCursor;
import java.time.Duration;
import java.util.List;

/** Opens the cursors of a finished {@link RawQuery}; the engine supplies it, after the query's own checks. */
public interface QueryReader {
    /** Opens a cursor over the query's raw samples. */
    SampleCursor open(RawQuery query);

    /** Opens a cursor over aggregates per interval. */
    AggregateCursor aggregate(RawQuery query, Duration interval, List<Aggregate> aggregates);

    /** Opens a cursor over interpolated values at each step. */
    PointCursor interpolated(RawQuery query, Duration step);

    /** Opens a chart cursor. */
    PointCursor downsample(RawQuery query, Downsampling mode, int points);
}
