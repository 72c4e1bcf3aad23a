/**
 * Micrometer meters for a {@link io.historian.Historian}: bind a
 * {@link io.historian.metrics.HistorianMetrics} to any {@code MeterRegistry}. This package is the
 * only one that needs {@code io.micrometer:micrometer-core} (an optional dependency of the
 * historian); nothing else loads it.
 */
package io.historian.metrics;
