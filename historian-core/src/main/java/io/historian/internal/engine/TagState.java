package io.historian.internal.engine;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the store writer holds in memory for one tag: the open chunk, and changed chunks waiting
 * for the next commit. Owned by the store writer; readers look under the state read lock.
 */
final class TagState {
    /** The chunk receiving new samples; it starts after every stored sample of the tag. */
    MutableChunk open;
    /** Sealed or changed chunks not yet committed, by their first timestamp. */
    final TreeMap<Long, MutableChunk> pending = new TreeMap<>();
    /** Store keys superseded by a pending chunk (a chunk that was re-keyed or rewritten). */
    final Set<Long> hiddenKeys = new HashSet<>();
    /** The newest timestamp in committed or pending chunks. */
    long lastStoredTs = Long.MIN_VALUE;
    /** Whether the store writer lists this tag among those with pending chunks. */
    boolean listedPending;
    /** Whether {@link #lastStoredTs} has been read from the store yet. */
    boolean lastStoredKnown;
    /** The definition {@link #filter} was made from. */
    io.historian.TagDefinition definition;
    /** The tag's exception and compression filter, or null when it has none. */
    io.historian.internal.filter.SampleFilter filter;
    /** The journal entries of the samples the filter holds (its snapshot, its held-back input), or MAX_VALUE. */
    long snapshotEntry = Long.MAX_VALUE;
    long heldBackEntry = Long.MAX_VALUE;
}
