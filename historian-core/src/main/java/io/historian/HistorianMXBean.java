package io.historian;

/**
 * The JMX view of {@link HistorianStats}, registered as
 * {@code io.historian:type=Historian,directory="<data directory>"} while the historian is open.
 */
public interface HistorianMXBean {
    /** See {@link HistorianStats#receivedSamples()}. */
    long getReceivedSamples();

    /** See {@link HistorianStats#journaledSamples()}. */
    long getJournaledSamples();

    /** See {@link HistorianStats#rejectedSamples()}. */
    long getRejectedSamples();

    /** See {@link HistorianStats#rejectedByReason()}, keyed by reason name. */
    java.util.Map<String, Long> getRejectedByReason();

    /** See {@link HistorianStats#storedSamples()}. */
    long getStoredSamples();

    /** See {@link HistorianStats#duplicateSamples()}. */
    long getDuplicateSamples();

    /** See {@link HistorianStats#pendingSamples()}. */
    long getPendingSamples();

    /** See {@link HistorianStats#replayedSamples()}. */
    long getReplayedSamples();

    /** See {@link HistorianStats#committedChunks()}. */
    long getCommittedChunks();

    /** See {@link HistorianStats#journalBytes()}. */
    long getJournalBytes();

    /** See {@link HistorianStats#journalBudgetBytes()}. */
    long getJournalBudgetBytes();

    /** See {@link HistorianStats#journalFullEvents()}. */
    long getJournalFullEvents();

    /** See {@link HistorianStats#tags()}. */
    int getTags();

    /** See {@link HistorianStats#corruptChunks()}. */
    long getCorruptChunks();

    /** See {@link HistorianStats#storeBytes()}. */
    long getStoreBytes();

    /** See {@link HistorianStats#failure()}; null while the historian is healthy. */
    String getFailure();
}
