package io.historian.internal.tier;

import com.google.protobuf.InvalidProtocolBufferException;
import io.historian.HistorianException;
import io.historian.internal.store.RocksChunkStore;
import io.historian.internal.tier.proto.ManifestEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;

/**
 * The manifest: which segments hold which tiered chunks, in the store's {@code manifest} column
 * family. Keys of segment entries are the tag id and the segment's first chunk start, laid out
 * like chunk keys, so a partition exported in two runs has two entries and neither overwrites the
 * other (entries written before that layout are keyed by their partition start, which sorts the
 * same way). Two other records start with byte {@code 0xFF} (tag ids never do): the immutability
 * cutoff and the intents.
 *
 * <p>An intent is recorded (synced) before a segment is uploaded and removed in the same synced
 * batch that adds the segment's entry; retention records one in the batch that removes an
 * expired segment's entry, before it deletes the object. An intent left behind names an object
 * that a crash may have left in the tier without an entry: the tiering job deletes such objects at
 * the end of its next complete run, unless that run adopted them.
 */
public final class Manifest {
    private static final byte[] CUTOFF_KEY = {(byte) 0xFF, 'C'};
    private static final byte[] INTENT_PREFIX = {(byte) 0xFF, 'I'};
    private static final byte[] INTENT_END = {(byte) 0xFF, 'J'};

    private final RocksChunkStore store;

    /** The manifest of {@code store}. */
    public Manifest(RocksChunkStore store) {
        this.store = store;
    }

    /** The key of a tag's segment entry. */
    static byte[] entryKey(int tagId, long firstChunkStart) {
        return RocksChunkStore.chunkKey(tagId, firstChunkStart);
    }

    /** A segment entry with the key it is stored under. */
    public record Stored(byte[] key, ManifestEntry entry) {
    }

    /** A tag's segment entries with their keys, in time order, as of now. */
    public List<Stored> stored(int tagId) {
        List<Stored> out = new ArrayList<>();
        store.scanManifest(entryKey(tagId, Long.MIN_VALUE), entryKey(tagId, Long.MAX_VALUE), null,
                (k, v) -> out.add(new Stored(k, parse(tagId, v))));
        return out;
    }

    private ManifestEntry parse(int tagId, byte[] v) {
        try {
            return ManifestEntry.parseFrom(v);
        } catch (InvalidProtocolBufferException e) {
            throw new HistorianException("corrupt manifest entry [tagId=" + tagId + ", dir=" + store.directory()
                    + "]: " + e.getMessage(), e);
        }
    }

    /**
     * A tag's segment entries in time order, as {@code snapshot} (or now, if null) sees them.
     * Partition starts are aligned to the partition length, so none is Long.MAX_VALUE, the bound.
     */
    public List<ManifestEntry> entries(int tagId, Snapshot snapshot) {
        List<ManifestEntry> out = new ArrayList<>();
        store.scanManifest(entryKey(tagId, Long.MIN_VALUE), entryKey(tagId, Long.MAX_VALUE), snapshot,
                (k, v) -> out.add(parse(tagId, v)));
        return out;
    }

    /** The immutability cutoff: samples before it are refused; Long.MIN_VALUE when nothing was tiered. */
    public long cutoff() {
        byte[] v = store.readManifest(CUTOFF_KEY);
        return v == null ? Long.MIN_VALUE : java.nio.ByteBuffer.wrap(v).getLong();
    }

    /**
     * Stages a new cutoff. It goes in the same batch as the commit of every sample journaled before
     * it rose, so a replay never finds a sample behind the cutoff that the store does not hold.
     */
    public void stageCutoff(WriteBatch batch, long cutoff) {
        store.putManifest(batch, CUTOFF_KEY, java.nio.ByteBuffer.allocate(8).putLong(cutoff).array());
    }

    private static byte[] intentKey(String objectKey) {
        byte[] k = objectKey.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[INTENT_PREFIX.length + k.length];
        System.arraycopy(INTENT_PREFIX, 0, out, 0, INTENT_PREFIX.length);
        System.arraycopy(k, 0, out, INTENT_PREFIX.length, k.length);
        return out;
    }

    /** Records, synced, that {@code objectKey} is about to be uploaded. */
    public void recordIntent(String objectKey) {
        recordIntents(List.of(objectKey));
    }

    /** Records, in one synced write, that each of {@code objectKeys} is about to be uploaded. */
    public void recordIntents(List<String> objectKeys) {
        try (WriteBatch b = new WriteBatch()) {
            for (String key : objectKeys) {
                store.putManifest(b, intentKey(key), new byte[0]);
            }
            store.write(b, true);
        }
    }

    /** The object keys of intents not yet cleared. */
    public List<String> intents() {
        List<String> out = new ArrayList<>();
        store.scanManifest(INTENT_PREFIX, INTENT_END, null, (k, v) -> out.add(
                new String(k, INTENT_PREFIX.length, k.length - INTENT_PREFIX.length, StandardCharsets.UTF_8)));
        return out;
    }

    /** Clears an intent whose object was deleted. */
    public void clearIntent(String objectKey) {
        try (WriteBatch b = new WriteBatch()) {
            store.deleteManifest(b, intentKey(objectKey));
            store.write(b, true);
        }
    }

    /** Stages a segment's entry and the removal of its intent. */
    public void stage(WriteBatch batch, int tagId, ManifestEntry entry) {
        store.putManifest(batch, entryKey(tagId, entry.getFirstChunkStart()), entry.toByteArray());
        store.deleteManifest(batch, intentKey(entry.getObjectKey()));
    }

    /**
     * Removes expired segments' entries and records an intent for each object, in one synced
     * write: from here the objects are garbage, deleted next (or by the next tiering run, after a
     * crash).
     */
    public void expire(List<Stored> expired) {
        try (WriteBatch b = new WriteBatch()) {
            for (Stored s : expired) {
                store.deleteManifest(b, s.key());
                store.putManifest(b, intentKey(s.entry().getObjectKey()), new byte[0]);
            }
            store.write(b, true);
        }
    }

    /** The first local chunk key not tiered: one past the last tiered chunk start, or Long.MIN_VALUE. */
    public static long watermark(List<ManifestEntry> entries) {
        return entries.isEmpty() ? Long.MIN_VALUE : entries.get(entries.size() - 1).getLastChunkStart() + 1;
    }
}
