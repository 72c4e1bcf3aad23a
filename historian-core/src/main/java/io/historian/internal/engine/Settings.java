package io.historian.internal.engine;

import io.historian.DataSize;
import io.historian.DuplicatePolicy;
import io.historian.Durability;
import io.historian.OverflowPolicy;
import io.historian.TagDefinition;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The checked configuration a {@code Historian.Builder} hands to the engine.
 *
 * @param subscriberLagLimit how far (in journal bytes) a subscription may fall behind before it
 *     is ended with a {@code SubscriptionLaggedException}
 * @param coldTier where tiered segments go, or null for no cold tier
 * @param tiering when data moves to the cold tier (non-null when {@code coldTier} is)
 * @param coldCacheSize the bound of the local cache of fetched segments
 * @param diskReserve the free space the journal leaves on its file system
 * @param recovery whether an open refuses a directory that lost data or salvages what is left
 * @param health when {@code health()} reports a reason
 * @param forwarders the forwarders, with distinct names
 */
public record Settings(
        Path dataDirectory,
        DataSize journalBudget,
        OverflowPolicy overflowPolicy,
        Duration blockTimeout,
        Durability durability,
        boolean strictTags,
        List<TagDefinition> tags,
        DuplicatePolicy duplicatePolicy,
        Instant earliestTimestamp,
        Duration futureTolerance,
        int maxBatchSize,
        int chunkMaxSamples,
        Duration chunkMaxAge,
        DataSize openChunkMemory,
        Duration retention,
        Duration retentionCheckInterval,
        Duration commitInterval,
        Duration readWaitTimeout,
        Clock clock,
        boolean jmx,
        List<io.historian.spi.SampleSource> sources,
        DataSize subscriberLagLimit,
        io.historian.spi.ColdTier coldTier,
        io.historian.TieringPolicy tiering,
        DataSize coldCacheSize,
        java.util.Map<String, String> formulas,
        Duration formulaStaleness,
        DataSize diskReserve,
        io.historian.Recovery recovery,
        io.historian.HealthThresholds health,

        List<io.historian.spi.Forwarder> forwarders) {

    /**
     * The largest journal entry: one entry holds a whole write call, so this follows the batch
     * limit (about 6 bytes a sample is typical, 30 the worst; derived samples join their inputs).
     */
    public DataSize journalMaxEntry() {
        return DataSize.ofBytes(Math.min(256L << 20, Math.max(4L << 20, 64L * maxBatchSize)));
    }

    /** The journal's segment size: a quarter of the budget, at most 64 MiB. */
    public DataSize journalSegmentSize() {
        return DataSize.ofBytes(Math.min(64L << 20, journalBudget.bytes() / 4));
    }
}
