package io.historian;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of the end-to-end counters since the historian was opened: every sample received is
 * either rejected (with a reason) or journaled, and every journaled sample is either stored,
 * waiting in memory for its chunk to be committed, or a duplicate.
 *
 * <p>{@code received = rejected + journaled}; after {@link Historian#flush()} and a quiet moment,
 * {@code journaled = stored + duplicates + pending}, where pending is the samples in open chunks.
 *
 * @param receivedSamples samples handed to {@code write}
 * @param journaledSamples samples appended to the journal
 * @param rejectedSamples samples refused, all reasons together
 * @param rejectedByReason samples refused, per reason
 * @param storedSamples new samples committed to the store (replays of samples already stored are not counted again)
 * @param duplicateSamples samples that met an existing sample at the same timestamp (replaced it or were dropped)
 * @param pendingSamples samples applied to open chunks in memory, not yet committed
 * @param replayedSamples samples read back from the journal at open
 * @param committedChunks chunks written to the store
 * @param journalBytes bytes the journal holds against its budget
 * @param journalBudgetBytes the journal's budget
 * @param journalFullEvents writes that found the journal full (blocked or rejected)
 * @param tags the number of registered tags
 * @param corruptChunks chunk reads that found corrupt data: a chunk that fails its CRC, or a store
 *     block that fails RocksDB's checksum (the read's exception names the tag and the file)
 * @param storeBytes bytes of the store's table files on disk; falls after tiering and retention
 *     remove data (samples still in the store's memory tables count once flushed)
 * @param failure why the historian has failed (its store writer stopped on an error; every call
 *     but {@code stats()} and {@code close()} then throws, and the next open replays the journal),
 *     or null while it is healthy
 * @param diskFreeBytes free space on the journal's file system when a write last looked (writes look
 *     every few megabytes appended, and at every write while they are refused); -1 before the first write
 * @param writesRefused why writes are refused now although the historian is healthy (the disk is
 *     below {@link Historian.Builder#diskReserve}), or null while they are accepted
 * @param unrecoveredEntries journal entries the open found lost (at least this many; a segment
 *     killed while written has an unknown end); non-zero only after a {@link Recovery#SALVAGE} open
 * @param unrecoveredSamples samples in those entries, where the journal's records tell (at least this many)
 * @param recovery what a {@link Recovery#SALVAGE} open found and did, or null when the open found no damage
 * @param appliedSamples samples the store writer put into chunks in memory since open, journal
 *     replay included: moves once per sample that passed the tag's filter, whether it was new
 *     (then in {@code pendingSamples} until its chunk commits) or met a stored timestamp (then in
 *     {@code duplicateSamples})
 * @param storeLagSamples samples journaled since open that the store writer has not read yet
 * @param storeLagMillis how long the oldest journal entry the store writer has not applied has
 *     been waiting, at most; 0 when it has applied everything
 * @param corruptJournalEntries journal entries the store writer found corrupt and skipped (each
 *     is logged; its samples are not in the store)
 * @param expiredChunks local chunks deleted by retention since open (a chunk goes when its last
 *     sample is behind the retention horizon)
 * @param expiredSegments cold-tier segments deleted by retention since open
 * @param forwarders each forwarder's status, in the order they were added to the builder (see
 *     {@link Historian#forwarder(String)}); empty when there is none
 */
public record HistorianStats(
        long receivedSamples,
        long journaledSamples,
        long rejectedSamples,
        Map<RejectReason, Long> rejectedByReason,
        long storedSamples,
        long duplicateSamples,
        long pendingSamples,
        long replayedSamples,
        long committedChunks,
        long journalBytes,
        long journalBudgetBytes,
        long journalFullEvents,
        int tags,
        long corruptChunks,
        long storeBytes,
        String failure,
        long diskFreeBytes,
        String writesRefused,
        long unrecoveredEntries,
        long unrecoveredSamples,
        String recovery,
        long appliedSamples,
        long storeLagSamples,
        long storeLagMillis,
        long corruptJournalEntries,
        long expiredChunks,
        long expiredSegments,
        List<ForwarderStatus> forwarders) {

    /**
     * Makes the map unmodifiable.
     *
     * @param receivedSamples samples handed to {@code write}
     * @param journaledSamples samples appended to the journal
     * @param rejectedSamples samples refused, all reasons together
     * @param rejectedByReason samples refused, per reason; copied
     * @param storedSamples new samples committed to the store
     * @param duplicateSamples samples that met an existing sample at the same timestamp
     * @param pendingSamples samples applied to open chunks in memory, not yet committed
     * @param replayedSamples samples read back from the journal at open
     * @param committedChunks chunks written to the store
     * @param journalBytes bytes the journal holds against its budget
     * @param journalBudgetBytes the journal's budget
     * @param journalFullEvents writes that found the journal full
     * @param tags the number of registered tags
     * @param corruptChunks chunk reads that found corrupt data: a chunk that fails its CRC, or a store
 *     block that fails RocksDB's checksum (the read's exception names the tag and the file)
     * @param storeBytes bytes of the store's table files on disk
     * @param failure why the historian has failed, or null while it is healthy
     * @param diskFreeBytes free space on the journal's file system when a write last looked (writes
     *     look every few megabytes appended, and at every write while they are refused); -1 before the first write
     * @param writesRefused why writes are refused now although the historian is healthy (the disk
     *     is below {@link Historian.Builder#diskReserve}), or null while they are accepted
     * @param unrecoveredEntries journal entries the open found lost, at least
     * @param unrecoveredSamples samples in those entries, at least
     * @param recovery what a salvaging open found and did, or null
     * @param appliedSamples samples the store writer put into chunks in memory since open
     * @param storeLagSamples samples journaled since open that the store writer has not read yet
     * @param storeLagMillis how long the oldest entry the store writer has not applied has waited, at most
     * @param corruptJournalEntries journal entries found corrupt and skipped
     * @param expiredChunks local chunks deleted by retention since open
     * @param expiredSegments cold-tier segments deleted by retention since open
     * @param forwarders each forwarder's status, in the order they were added; copied
     */
    public HistorianStats {
        rejectedByReason = Map.copyOf(rejectedByReason);
        forwarders = List.copyOf(forwarders);
    }

    /** {@return true when the historian has failed; see {@link #failure()}} */
    public boolean failed() {
        return failure != null;
    }

    /**
     * The count of samples refused for one reason.
     *
     * @param reason the reason
     * @return the samples refused for it since open; 0 if none
     */
    public long rejected(RejectReason reason) {
        return rejectedByReason.getOrDefault(reason, 0L);
    }
}
