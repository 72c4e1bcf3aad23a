package io.historian.internal.query;

/**
 * A forward walk over one tag's chunks in time order that shows each chunk's header before it
 * decides to decode it, so that aggregates can answer from the header alone.
 *
 * <p>Protocol: {@link #nextHeader(long)} moves to the next chunk and fills the header accessors;
 * {@link #load()} then decodes it into {@link #timestamps()} etc. A chunk that is not loaded is
 * skipped by the next {@code nextHeader}. Chunks never overlap in time.
 *
 * <p><b>Threads:</b> one reader thread.
 */
public interface ChunkWalk extends AutoCloseable {
    /** Moves to the next chunk if it starts before {@code limit}; decodes nothing. */
    boolean nextHeader(long limit);

    /** The current chunk's first timestamp. */
    long headerFirst();

    /** The current chunk's last timestamp. */
    long headerLast();

    /** The current chunk's sample count. */
    int headerCount();

    /** Min over the current chunk's non-NaN values (NaN if none). */
    double headerMin();

    /** Max over the current chunk's non-NaN values (NaN if none). */
    double headerMax();

    /** Left-to-right sum of the current chunk's non-NaN values (NaN if none). */
    double headerSum();

    /** The worst quality code of the current chunk. */
    int headerWorst();

    /** The current chunk's first value that is not NaN (NaN if none). */
    double headerFirstValue();

    /** The current chunk's last value that is not NaN (NaN if none). */
    double headerLastValue();

    /** How many of the current chunk's values are not NaN. */
    int headerNumbers();

    /** Decodes the current chunk (a no-op for an in-memory chunk). */
    void load();

    /**
     * Decodes (or copies) the current chunk into the given arrays instead of the walk's own, which
     * must hold at least {@link #headerCount()} samples; returns the count. The arrays stay the
     * caller's: another thread may read them while this walk moves on.
     */
    int loadInto(long[] timestamps, double[] values, int[] qualities);

    /** The loaded chunk's timestamps; valid up to {@link #count()}. */
    long[] timestamps();

    /** The loaded chunk's values. */
    double[] values();

    /** The loaded chunk's quality codes. */
    int[] qualities();

    /** The loaded chunk's sample count. */
    int count();

    /** Whether every sample of the loaded chunk has the same quality code. */
    boolean oneQuality();

    /** Whether the loaded chunk's timestamps are evenly spaced (false when not known). */
    boolean regularTimestamps();

    @Override
    void close();
}
