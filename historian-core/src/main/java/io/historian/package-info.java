/**
 * The historian itself: start with {@link io.historian.Historian#builder()}, which configures and
 * opens a {@link io.historian.Historian} on a data directory. Samples go in one at a time or as a
 * {@link io.historian.SampleBatch}, each a value with a {@link io.historian.Quality} (an OPC UA
 * status code); they come back through {@link io.historian.Historian#query(String)} (see
 * {@link io.historian.query}), {@link io.historian.Historian#latest(String)},
 * {@link io.historian.Historian#valueAt} and live {@link io.historian.Subscription}s.
 *
 * <p>Also here: per-tag metadata, interpolation and compression filters
 * ({@link io.historian.TagDefinition}); when data moves to a cold tier
 * ({@link io.historian.TieringPolicy}, {@link io.historian.FileSystemColdTier}); the counters
 * ({@link io.historian.HistorianStats}, {@link io.historian.HistorianMXBean}); and the exceptions,
 * all rooted at {@link io.historian.HistorianException}.
 */
package io.historian;
