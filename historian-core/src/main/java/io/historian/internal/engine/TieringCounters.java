package io.historian.internal.engine;

import io.historian.TieringReport;
import java.util.concurrent.atomic.AtomicLong;

/** What the tiering runs did since open; written by whichever thread runs one, read by anyone. */
final class TieringCounters {
    final AtomicLong runs = new AtomicLong();
    final AtomicLong failedRuns = new AtomicLong();
    final AtomicLong segments = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong samples = new AtomicLong();
    final AtomicLong expiredSegments = new AtomicLong();
    private volatile int failuresInARow;

    synchronized void failed() {
        runs.incrementAndGet();
        failedRuns.incrementAndGet();
        failuresInARow++;
    }

    synchronized void succeeded(TieringReport report) {
        runs.incrementAndGet();
        segments.addAndGet(report.segmentsWritten() + report.segmentsAdopted());
        bytes.addAndGet(report.bytes());
        samples.addAndGet(report.samples());
        failuresInARow = 0;
    }

    int failuresInARow() {
        return failuresInARow;
    }
}
