package io.historian.internal.engine;

import io.historian.HistorianMXBean;
import io.historian.HistorianStats;
import java.util.LinkedHashMap;
import java.util.Map;

/** Serves {@link HistorianMXBean} from fresh stats snapshots. */
final class StatsMXBean implements HistorianMXBean {
    private final java.util.function.Supplier<HistorianStats> stats;
    private final java.util.function.Supplier<io.historian.Health> health;

    StatsMXBean(java.util.function.Supplier<HistorianStats> stats, java.util.function.Supplier<io.historian.Health> health) {
        this.stats = stats;
        this.health = health;
    }

    private HistorianStats s() {
        return stats.get();
    }

    @Override
    public long getReceivedSamples() {
        return s().receivedSamples();
    }

    @Override
    public long getJournaledSamples() {
        return s().journaledSamples();
    }

    @Override
    public long getRejectedSamples() {
        return s().rejectedSamples();
    }

    @Override
    public Map<String, Long> getRejectedByReason() {
        Map<String, Long> m = new LinkedHashMap<>();
        s().rejectedByReason().forEach((k, v) -> m.put(k.name(), v));
        return m;
    }

    @Override
    public long getStoredSamples() {
        return s().storedSamples();
    }

    @Override
    public long getDuplicateSamples() {
        return s().duplicateSamples();
    }

    @Override
    public long getPendingSamples() {
        return s().pendingSamples();
    }

    @Override
    public long getReplayedSamples() {
        return s().replayedSamples();
    }

    @Override
    public long getCommittedChunks() {
        return s().committedChunks();
    }

    @Override
    public long getJournalBytes() {
        return s().journalBytes();
    }

    @Override
    public long getJournalBudgetBytes() {
        return s().journalBudgetBytes();
    }

    @Override
    public long getJournalFullEvents() {
        return s().journalFullEvents();
    }

    @Override
    public int getTags() {
        return s().tags();
    }

    @Override
    public long getCorruptChunks() {
        return s().corruptChunks();
    }

    @Override
    public long getStoreBytes() {
        return s().storeBytes();
    }

    @Override
    public String getFailure() {
        return s().failure();
    }

    @Override
    public String getHealth() {
        return health.get().state().name();
    }

    @Override
    public java.util.List<String> getHealthReasons() {
        return health.get().reasons().stream().map(r -> r.cause() + ": " + r.detail()).toList();
    }

    @Override
    public long getAppliedSamples() {
        return s().appliedSamples();
    }

    @Override
    public long getStoreLagSamples() {
        return s().storeLagSamples();
    }

    @Override
    public long getStoreLagMillis() {
        return s().storeLagMillis();
    }

    @Override
    public long getCorruptJournalEntries() {
        return s().corruptJournalEntries();
    }

    @Override
    public long getExpiredChunks() {
        return s().expiredChunks();
    }

    @Override
    public long getExpiredSegments() {
        return s().expiredSegments();
    }
}
