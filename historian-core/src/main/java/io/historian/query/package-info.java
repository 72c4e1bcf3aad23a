/**
 * Query builders and result types. A query starts at {@link io.historian.Historian#query(String)},
 * which returns a {@link io.historian.query.RawQuery}: raw samples, aggregates per interval
 * ({@link io.historian.query.Aggregate}, with a {@link io.historian.query.Fill} for empty
 * intervals), interpolated values, LTTB / MinMaxLTTB / plot-value charts, over one tag or a
 * pattern. Results stream through cursors ({@link io.historian.query.SampleCursor},
 * {@link io.historian.query.AggregateCursor}, {@link io.historian.query.PointCursor}) that hold a
 * store snapshot until closed.
 */
package io.historian.query;
