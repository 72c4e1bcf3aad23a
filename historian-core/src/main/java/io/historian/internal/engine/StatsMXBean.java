package io.historian.internal.engine;

import io.historian.HistorianMXBean;
import io.historian.HistorianStats;
import java.util.LinkedHashMap;
import java.util.Map;

/** Serves {@link HistorianMXBean} from fresh stats snapshots. */
final class StatsMXBean implements HistorianMXBean {
    private final java.util.function.Supplier<HistorianStats> stats;

    StatsMXBean(java.util.function.Supplier<HistorianStats> stats) {
        this.stats = stats;
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
}
