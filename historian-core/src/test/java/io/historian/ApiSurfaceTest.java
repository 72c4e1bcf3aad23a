package io.historian;

import io.historian.testing.ApiSurface;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Core's public types are exactly its API, in its three API packages, showing nothing internal. */
class ApiSurfaceTest {
    @Test
    void publicTypes_areTheApiAndShowNothingInternal() {
        ApiSurface.check(Historian.class, Set.of("io.historian", "io.historian.metrics", "io.historian.query", "io.historian.spi"),
                new TreeSet<>("""
                io.historian.ColdTierUnavailableException
                io.historian.DamagedDataException
                io.historian.DataSize
                io.historian.DiskFullException
                io.historian.DeadLetter
                io.historian.DuplicatePolicy
                io.historian.Durability
                io.historian.FileSystemColdTier
                io.historian.FilterStats
                io.historian.ForwarderStatus
                io.historian.ForwarderStatus$State
                io.historian.Forwarding
                io.historian.FormulaException
                io.historian.Health
                io.historian.Health$Cause
                io.historian.Health$Reason
                io.historian.Health$State
                io.historian.HealthThresholds
                io.historian.Historian
                io.historian.Historian$Builder
                io.historian.HistorianException
                io.historian.HistorianMXBean
                io.historian.HistorianStats
                io.historian.Interpolation
                io.historian.JournalFullException
                io.historian.OverflowPolicy
                io.historian.Quality
                io.historian.Recovery
                io.historian.RejectReason
                io.historian.Sample
                io.historian.SampleBatch
                io.historian.SampleListener
                io.historian.SampleRejectedException
                io.historian.Subscription
                io.historian.Subscription$State
                io.historian.SubscriptionLaggedException
                io.historian.TagDefinition
                io.historian.TagDefinition$Span
                io.historian.TagNotFoundException
                io.historian.TagStats
                io.historian.TieringMXBean
                io.historian.TieringPolicy
                io.historian.TieringReport
                io.historian.ValueAt
                io.historian.Verify
                io.historian.VerifyReport
                io.historian.metrics.HistorianMetrics
                io.historian.query.Aggregate
                io.historian.query.AggregateCursor
                io.historian.query.Fill
                io.historian.query.Fill$Kind
                io.historian.query.PointCursor
                io.historian.query.RawQuery
                io.historian.query.SampleCursor
                io.historian.spi.ColdTier
                io.historian.spi.ColdTier$ObjectInfo
                io.historian.spi.Forwarder
                io.historian.spi.Forwarder$Batch
                io.historian.spi.SampleSink
                io.historian.spi.SampleSource
                """.strip().lines().toList()));
    }
}
