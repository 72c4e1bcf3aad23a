package io.historian.internal.engine;

import io.historian.Historian;
import io.historian.internal.journal.ChronicleJournal;
import io.historian.internal.store.RocksChunkStore;
import io.historian.internal.tier.SegmentCache;

/** The engine's insides, for tests only: the public API has no seams. */
public final class Internals {
    private Internals() {
    }

    private static Engine engine(Historian h) {
        return (Engine) h;
    }

    /** Opens a historian whose store writer applies nothing, so writes stay in the journal only. */
    public static Historian openPaused(Historian.Builder builder) {
        Historian h = builder.build();
        pauseStoreWriter(h, true);
        return h;
    }

    /** Holds the store writer back or lets it go on. */
    public static void pauseStoreWriter(Historian h, boolean paused) {
        engine(h).storeWriter().paused(paused);
    }

    public static ChronicleJournal journal(Historian h) {
        return engine(h).journal();
    }

    public static RocksChunkStore store(Historian h) {
        return engine(h).store();
    }

    /** The cache of fetched cold segments; null without a cold tier. */
    public static SegmentCache coldCache(Historian h) {
        return engine(h).reads().coldCache();
    }

    /** How many stored chunks reads have decoded since open. */
    public static long chunkDecodes(Historian h) {
        return engine(h).reads().chunkDecodes();
    }

    /** Chunks one slice of compact()'s merge looks at. */
    public static int mergeSliceChunks() {
        return StoreWriter.MERGE_SLICE_CHUNKS;
    }
}
