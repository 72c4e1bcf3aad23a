package io.historian;

/**
 * What opening a historian does when the data directory has lost data: journal segments deleted
 * or truncated under samples the store has not committed, a store missing while the journal
 * holds history, or a store file RocksDB needs.
 *
 * <pre>{@code
 * Historian.builder().dataDirectory(dir).recovery(Recovery.SALVAGE).build();
 * }</pre>
 *
 * <p>Set with {@link Historian.Builder#recovery}; {@link #STRICT} is the default. Run
 * {@link Historian.Builder#verify()} (or {@code io.historian.Verify}) first to see what is damaged.
 */
public enum Recovery {
    /** Refuse to open with a {@link DamagedDataException} naming the damaged or missing file. */
    STRICT,
    /**
     * Open anyway and keep what can be kept: damaged journal segments are renamed aside
     * ({@code .damaged}); a store that is missing or cannot be opened is renamed aside
     * ({@code store.damaged-<time>}) and a fresh store is rebuilt from the journal, its tags
     * named {@code recovered.tag<id>} because tag names live in the store; a missing
     * {@code CURRENT} file of the store is rewritten from its newest {@code MANIFEST}. What was
     * lost is logged and reported by {@link HistorianStats#unrecoveredEntries()},
     * {@link HistorianStats#unrecoveredSamples()} and {@link HistorianStats#recovery()}.
     */
    SALVAGE
}
