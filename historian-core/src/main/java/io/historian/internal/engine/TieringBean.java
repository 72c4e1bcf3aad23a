package io.historian.internal.engine;

import io.historian.TieringMXBean;

/** Serves {@link TieringMXBean} from the telemetry's live counters. */
final class TieringBean implements TieringMXBean {
    private final Telemetry t;

    TieringBean(Telemetry telemetry) {
        this.t = telemetry;
    }

    @Override
    public long getRuns() {
        return t.tieringRuns();
    }

    @Override
    public long getFailedRuns() {
        return t.tieringFailedRuns();
    }

    @Override
    public int getFailedRunsInARow() {
        return t.tieringFailedRunsInARow();
    }

    @Override
    public long getSegmentsWritten() {
        return t.tieringSegments();
    }

    @Override
    public long getBytesWritten() {
        return t.tieringBytes();
    }

    @Override
    public long getSamplesTiered() {
        return t.tieringSamples();
    }

    @Override
    public long getCutoffMillis() {
        return t.tieringCutoffMillis();
    }

    @Override
    public long getCacheHits() {
        return t.coldCacheHits();
    }

    @Override
    public long getCacheMisses() {
        return t.coldCacheMisses();
    }

    @Override
    public long getCacheBytes() {
        return t.coldCacheBytes();
    }

    @Override
    public long getExpiredSegments() {
        return t.expiredSegments();
    }
}
