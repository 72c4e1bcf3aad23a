/**
 * Query builders and result types: {@link io.historian.query.RawQuery} (raw samples, aggregates per
 * interval, interpolated values, LTTB / MinMaxLTTB / plot-value charts, over one tag or a pattern),
 * and the streaming cursors it returns ({@link io.historian.query.SampleCursor},
 * {@link io.historian.query.AggregateCursor}, {@link io.historian.query.PointCursor}).
 */
package io.historian.query;
