package io.historian;

/**
 * The JMX view of {@link HistorianStats}, registered as
 * {@code io.historian:type=Historian,directory="<data directory>"} while the historian is open.
 */
public interface HistorianMXBean {
    /** {@return samples handed to {@code write}} See {@link HistorianStats#receivedSamples()}. */
    long getReceivedSamples();

    /** {@return samples appended to the journal} See {@link HistorianStats#journaledSamples()}. */
    long getJournaledSamples();

    /** {@return samples refused, all reasons together} See {@link HistorianStats#rejectedSamples()}. */
    long getRejectedSamples();

    /** {@return samples refused per reason, keyed by the {@link RejectReason} name} See {@link HistorianStats#rejectedByReason()}. */
    java.util.Map<String, Long> getRejectedByReason();

    /** {@return new samples committed to the store} See {@link HistorianStats#storedSamples()}. */
    long getStoredSamples();

    /** {@return samples that met an existing sample at the same timestamp} See {@link HistorianStats#duplicateSamples()}. */
    long getDuplicateSamples();

    /** {@return samples in open chunks, not yet committed} See {@link HistorianStats#pendingSamples()}. */
    long getPendingSamples();

    /** {@return samples read back from the journal at open} See {@link HistorianStats#replayedSamples()}. */
    long getReplayedSamples();

    /** {@return chunks written to the store} See {@link HistorianStats#committedChunks()}. */
    long getCommittedChunks();

    /** {@return bytes the journal holds against its budget} See {@link HistorianStats#journalBytes()}. */
    long getJournalBytes();

    /** {@return the journal's budget in bytes} See {@link HistorianStats#journalBudgetBytes()}. */
    long getJournalBudgetBytes();

    /** {@return writes that found the journal full} See {@link HistorianStats#journalFullEvents()}. */
    long getJournalFullEvents();

    /** {@return the number of registered tags} See {@link HistorianStats#tags()}. */
    int getTags();

    /** {@return chunks found corrupt on read} See {@link HistorianStats#corruptChunks()}. */
    long getCorruptChunks();

    /** {@return bytes of the store's table files on disk} See {@link HistorianStats#storeBytes()}. */
    long getStoreBytes();

    /** {@return why the historian has failed, or null while it is healthy} See {@link HistorianStats#failure()}. */
    String getFailure();

    /** {@return UP, DEGRADED or DOWN} See {@link Historian#health()}. */
    String getHealth();

    /** {@return the reasons behind the health state, one line each as {@code CAUSE: detail}} See {@link Health#reasons()}. */
    java.util.List<String> getHealthReasons();

    /** {@return samples the store writer put into chunks in memory} See {@link HistorianStats#appliedSamples()}. */
    long getAppliedSamples();

    /** {@return journaled samples the store writer has not read yet} See {@link HistorianStats#storeLagSamples()}. */
    long getStoreLagSamples();

    /** {@return how long the oldest unapplied journal entry has waited, in ms} See {@link HistorianStats#storeLagMillis()}. */
    long getStoreLagMillis();

    /** {@return journal entries found corrupt and skipped} See {@link HistorianStats#corruptJournalEntries()}. */
    long getCorruptJournalEntries();

    /** {@return local chunks deleted by retention} See {@link HistorianStats#expiredChunks()}. */
    long getExpiredChunks();

    /** {@return cold-tier segments deleted by retention} See {@link HistorianStats#expiredSegments()}. */
    long getExpiredSegments();
}
