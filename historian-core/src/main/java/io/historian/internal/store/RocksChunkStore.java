package io.historian.internal.store;

import io.historian.HistorianException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB store: column families {@code tags}, {@code chunks}, {@code manifest} and
 * {@code meta}. A chunk's key is the tag id (4 bytes, big-endian) and the chunk's first
 * timestamp (8 bytes, big-endian with the sign bit flipped so negative times sort first).
 *
 * <p>Invariant kept by the store writer: for the chunks of one tag sorted by key, every sample of
 * a chunk lies before the next chunk's first timestamp, so chunks never overlap in time and a
 * chunk's key is its first sample's timestamp.
 *
 * <p><b>Threads:</b> RocksDB handles are thread-safe. Only the store writer thread writes chunks
 * and checkpoints; readers use snapshots. {@link #close()} must come after every reader and
 * writer has stopped.
 */
public final class RocksChunkStore implements AutoCloseable {
    private static final AtomicInteger OPEN = new AtomicInteger();
    private static final byte[] CHECKPOINT_KEY = "journal.checkpoint".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] SCHEMA_KEY = "schema.version".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int SCHEMA_VERSION = 1;

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final RocksDB db;
    private final ColumnFamilyHandle tags;
    private final ColumnFamilyHandle chunks;
    private final ColumnFamilyHandle manifest;
    private final ColumnFamilyHandle meta;
    private final WriteOptions writeOptions;
    private final WriteOptions syncWriteOptions;
    private boolean closed;

    /** Opens or creates the store in {@code directory}. */
    public RocksChunkStore(Path directory) {
        this(directory, false);
    }

    /**
     * Opens the store in {@code directory}; read-only, it must exist and nothing on disk changes
     * (the offline check reads a closed directory this way).
     */
    public RocksChunkStore(Path directory, boolean readOnly) {
        this.directory = directory;
        try {
            if (!readOnly) {
                Files.createDirectories(directory);
            }
            DBOptions dbOptions = track(new DBOptions()
                    .setCreateIfMissing(!readOnly)
                    .setCreateMissingColumnFamilies(!readOnly)
                    .setMaxBackgroundJobs(2)
                    .setBytesPerSync(1 << 20)
                    .setKeepLogFileNum(3));
            BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockSize(16 * 1024);
            ColumnFamilyOptions chunkOptions = track(new ColumnFamilyOptions()
                    .setCompressionType(CompressionType.NO_COMPRESSION)
                    .setBottommostCompressionType(CompressionType.NO_COMPRESSION)
                    .setLevelCompactionDynamicLevelBytes(true)
                    .setWriteBufferSize(64L << 20)
                    .setTableFormatConfig(table));
            ColumnFamilyOptions smallOptions = track(new ColumnFamilyOptions());
            List<ColumnFamilyDescriptor> descriptors = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, smallOptions),
                    new ColumnFamilyDescriptor(bytes("tags"), smallOptions),
                    new ColumnFamilyDescriptor(bytes("chunks"), chunkOptions),
                    new ColumnFamilyDescriptor(bytes("manifest"), smallOptions),
                    new ColumnFamilyDescriptor(bytes("meta"), smallOptions));
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            this.db = readOnly ? RocksDB.openReadOnly(dbOptions, directory.toString(), descriptors, handles)
                    : RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
            // Handles close before the database, the database before its options.
            resources.add(0, db);
            for (ColumnFamilyHandle h : handles) {
                resources.add(0, h);
            }
            this.tags = handles.get(1);
            this.chunks = handles.get(2);
            this.manifest = handles.get(3);
            this.meta = handles.get(4);
            this.writeOptions = track(new WriteOptions());
            this.syncWriteOptions = track(new WriteOptions().setSync(true));
            resources.remove(writeOptions);
            resources.remove(syncWriteOptions);
            resources.add(0, writeOptions);
            resources.add(0, syncWriteOptions);
            byte[] schema = db.get(meta, SCHEMA_KEY);
            if (schema == null && !readOnly) {
                db.put(meta, syncWriteOptions, SCHEMA_KEY, intBytes(SCHEMA_VERSION));
            } else if (schema != null && readInt(schema, 0) != SCHEMA_VERSION) {
                throw new HistorianException("unsupported store schema version " + readInt(schema, 0)
                        + " [dir=" + directory + ", supported=" + SCHEMA_VERSION + "]");
            }
            OPEN.incrementAndGet();
        } catch (RocksDBException | java.io.IOException e) {
            closeResources();
            throw new HistorianException("cannot open the store [dir=" + directory + "]: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeResources();
            throw e;
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    /** How many stores are open in this JVM; for leak checks in tests. */
    public static int openStores() {
        return OPEN.get();
    }

    /** The store directory. */
    public Path directory() {
        return directory;
    }

    // ---- keys ----

    /** The key of a tag's chunk that starts at {@code start}. */
    public static byte[] chunkKey(int tagId, long start) {
        byte[] k = new byte[12];
        writeChunkKey(k, tagId, start);
        return k;
    }

    /** Writes the key of a tag's chunk that starts at {@code start} into the first 12 bytes of {@code k}. */
    private static void writeChunkKey(byte[] k, int tagId, long start) {
        putInt(k, 0, tagId);
        putLong(k, 4, start ^ Long.MIN_VALUE);
    }

    /** The tag id of a chunk key. */
    public static int keyTag(byte[] key) {
        return readInt(key, 0);
    }

    /** The chunk start of a chunk key. */
    public static long keyStart(byte[] key) {
        return readLong(key, 4) ^ Long.MIN_VALUE;
    }

    // ---- chunks ----

    /** Adds a chunk put to a batch. */
    public void putChunk(WriteBatch batch, int tagId, long start, byte[] chunk) {
        try {
            batch.put(chunks, chunkKey(tagId, start), chunk);
        } catch (RocksDBException e) {
            throw wrap("cannot stage a chunk", e);
        }
    }

    /**
     * Adds a chunk put to a batch from the first {@code length} bytes of {@code chunk}, through
     * direct buffers the caller owns and reuses ({@link PutBuffers}), so nothing is allocated per
     * chunk. The batch copies the bytes; {@code chunk} may be reused when this returns.
     */
    public void putChunk(WriteBatch batch, int tagId, long start, byte[] chunk, int length, PutBuffers buffers) {
        try {
            batch.put(chunks, buffers.key(tagId, start), buffers.value(chunk, length));
        } catch (RocksDBException e) {
            throw wrap("cannot stage a chunk", e);
        }
    }

    /** A key and a value buffer for {@link #putChunk(WriteBatch, int, long, byte[], int, PutBuffers)}; one thread's. */
    public static final class PutBuffers {
        private final byte[] keyBytes = new byte[12];
        private final ByteBuffer key = ByteBuffer.allocateDirect(12);
        private ByteBuffer value = ByteBuffer.allocateDirect(64 << 10);

        ByteBuffer key(int tagId, long start) {
            writeChunkKey(keyBytes, tagId, start);
            key.clear();
            key.put(keyBytes).flip();
            return key;
        }

        ByteBuffer value(byte[] chunk, int length) {
            if (value.capacity() < length) {
                value = ByteBuffer.allocateDirect(Math.max(length, value.capacity() * 2));
            }
            value.clear();
            value.put(chunk, 0, length).flip();
            return value;
        }
    }

    /** Adds a chunk delete to a batch. */
    public void deleteChunk(WriteBatch batch, int tagId, long start) {
        try {
            batch.delete(chunks, chunkKey(tagId, start));
        } catch (RocksDBException e) {
            throw wrap("cannot stage a chunk delete", e);
        }
    }

    /** Adds the journal checkpoint to a batch: replay starts at {@code index}, or after it. */
    public void putCheckpoint(WriteBatch batch, long index, boolean after) {
        byte[] v = new byte[9];
        putLong(v, 0, index);
        v[8] = (byte) (after ? 1 : 0);
        try {
            batch.put(meta, CHECKPOINT_KEY, v);
        } catch (RocksDBException e) {
            throw wrap("cannot stage the checkpoint", e);
        }
    }

    /** The journal checkpoint: {index, after ? 1 : 0}, or null if none was committed. */
    public long[] readCheckpoint() {
        try {
            byte[] v = db.get(meta, CHECKPOINT_KEY);
            return v == null ? null : new long[] {readLong(v, 0), v[8]};
        } catch (RocksDBException e) {
            throw wrap("cannot read the checkpoint", e);
        }
    }

    /** Writes a batch atomically. */
    public void write(WriteBatch batch, boolean sync) {
        try {
            db.write(sync ? syncWriteOptions : writeOptions, batch);
        } catch (RocksDBException e) {
            throw wrap("cannot write to the store", e);
        }
    }

    /** The chunk at exactly (tag, start), or null. */
    public byte[] readChunk(int tagId, long start) {
        try {
            return db.get(chunks, chunkKey(tagId, start));
        } catch (RocksDBException e) {
            throw wrap("cannot read a chunk", e);
        }
    }

    /** A consistent view for readers; release it with {@link #release(Snapshot)}. */
    public Snapshot snapshot() {
        return db.getSnapshot();
    }

    /** Releases a snapshot. */
    public void release(Snapshot snapshot) {
        db.releaseSnapshot(snapshot);
    }

    /**
     * An iterator over one tag's chunks, positioned at the chunk with the greatest start at or
     * before {@code from} (or the first chunk after it). The caller closes it.
     */
    public ChunkIterator chunks(int tagId, long from, Snapshot snapshot) {
        return new ChunkIterator(tagId, from, snapshot, true);
    }

    /** An iterator over one tag's chunks from the last one starting at or before {@code at}, moving backwards. */
    public ChunkIterator chunksBackward(int tagId, long at, Snapshot snapshot) {
        return new ChunkIterator(tagId, at, snapshot, false);
    }

    /** Walks one tag's chunks in key order. */
    public final class ChunkIterator implements AutoCloseable {
        /** Chunk keys are 12 bytes: the tag id, then the start. */
        private final byte[] keyScratch = new byte[12];
        private final int tagId;
        private final ReadOptions options;
        private final Slice lower;
        private final Slice upper;
        private final RocksIterator it;
        private final boolean forward;
        private boolean first = true;

        ChunkIterator(int tagId, long at, Snapshot snapshot, boolean forward) {
            this.tagId = tagId;
            this.forward = forward;
            this.lower = new Slice(chunkKey(tagId, Long.MIN_VALUE));
            this.upper = tagId == Integer.MAX_VALUE ? null : new Slice(chunkKey(tagId + 1, Long.MIN_VALUE));
            this.options = new ReadOptions().setIterateLowerBound(lower);
            if (upper != null) {
                options.setIterateUpperBound(upper);
            }
            if (snapshot != null) {
                options.setSnapshot(snapshot);
            }
            this.it = db.newIterator(chunks, options);
            it.seekForPrev(chunkKey(tagId, at));
            if (forward && !it.isValid()) {
                it.seek(chunkKey(tagId, at));
            }
        }

        /** Moves to the next chunk; false at the end of the tag. */
        public boolean next() {
            if (first) {
                first = false;
            } else if (forward) {
                it.next();
            } else {
                it.prev();
            }
            if (!it.isValid()) {
                try {
                    it.status();
                } catch (RocksDBException e) {
                    if (isCorruption(e)) {
                        throw new CorruptStoreException(tagId, "corrupt store data [tagId=" + tagId + ", dir=" + directory
                                + "]: " + e.getMessage(), e);
                    }
                    throw wrap("cannot iterate chunks [tagId=" + tagId + "]", e);
                }
                return false;
            }
            return true;
        }

        /** The current chunk's start; reads the key into a scratch array, so allocates nothing. */
        public long start() {
            it.key(keyScratch);
            return keyStart(keyScratch);
        }

        /** The current chunk's bytes, in an array of their own. */
        public byte[] value() {
            return it.value();
        }

        /**
         * Copies the current chunk's bytes to the start of {@code into} when they fit, without
         * allocating: a long scan then reuses one buffer instead of a new array per chunk.
         *
         * @return the chunk's length; when larger than {@code into}, nothing usable was copied
         */
        public int valueInto(byte[] into) {
            return it.value(into);
        }

        @Override
        public void close() {
            it.close();
            options.close();
            lower.close();
            if (upper != null) {
                upper.close();
            }
        }
    }

    /** Deletes a tag's chunks whose keys lie in {@code [fromStart, toStart)}. */
    public void deleteRange(int tagId, long fromStart, long toStart) {
        try {
            db.deleteRange(chunks, writeOptions, chunkKey(tagId, fromStart), chunkKey(tagId, toStart));
        } catch (RocksDBException e) {
            throw wrap("cannot delete a chunk range [tagId=" + tagId + "]", e);
        }
    }

    // ---- manifest (cold tier) ----

    /** Stages a manifest record. */
    public void putManifest(WriteBatch batch, byte[] key, byte[] value) {
        try {
            batch.put(manifest, key, value);
        } catch (RocksDBException e) {
            throw wrap("cannot stage a manifest record", e);
        }
    }

    /** Stages a manifest record's removal. */
    public void deleteManifest(WriteBatch batch, byte[] key) {
        try {
            batch.delete(manifest, key);
        } catch (RocksDBException e) {
            throw wrap("cannot stage a manifest delete", e);
        }
    }

    /** The manifest record at {@code key}, or null. */
    public byte[] readManifest(byte[] key) {
        try {
            return db.get(manifest, key);
        } catch (RocksDBException e) {
            throw wrap("cannot read the manifest", e);
        }
    }

    /** Visits the manifest records with keys in {@code [from, to)} in key order, as {@code snapshot} (or now, if null) sees them. */
    public void scanManifest(byte[] from, byte[] to, Snapshot snapshot, BiConsumer<byte[], byte[]> visitor) {
        try (Slice lowerSlice = new Slice(from); Slice upperSlice = new Slice(to);
                ReadOptions ro = new ReadOptions().setIterateLowerBound(lowerSlice).setIterateUpperBound(upperSlice)) {
            if (snapshot != null) {
                ro.setSnapshot(snapshot);
            }
            try (RocksIterator it = db.newIterator(manifest, ro)) {
                for (it.seek(from); it.isValid(); it.next()) {
                    visitor.accept(it.key(), it.value());
                }
                it.status();
            }
        } catch (RocksDBException e) {
            throw wrap("cannot scan the manifest", e);
        }
    }

    // ---- meta records ----

    /** Stages a record in the {@code meta} family. */
    public void putMeta(WriteBatch batch, byte[] key, byte[] value) {
        try {
            batch.put(meta, key, value);
        } catch (RocksDBException e) {
            throw wrap("cannot stage a meta record", e);
        }
    }

    /** Stages the removal of the {@code meta} records with keys in {@code [from, to)}. */
    public void deleteMetaRange(WriteBatch batch, byte[] from, byte[] to) {
        try {
            batch.deleteRange(meta, from, to);
        } catch (RocksDBException e) {
            throw wrap("cannot stage a meta delete", e);
        }
    }

    /** Visits the {@code meta} records with keys in {@code [from, to)} in key order. */
    public void scanMeta(byte[] from, byte[] to, BiConsumer<byte[], byte[]> visitor) {
        try (Slice lowerSlice = new Slice(from); Slice upperSlice = new Slice(to);
                ReadOptions ro = new ReadOptions().setIterateLowerBound(lowerSlice).setIterateUpperBound(upperSlice);
                RocksIterator it = db.newIterator(meta, ro)) {
            for (it.seek(from); it.isValid(); it.next()) {
                visitor.accept(it.key(), it.value());
            }
            it.status();
        } catch (RocksDBException e) {
            throw wrap("cannot scan the meta records", e);
        }
    }

    // ---- tags ----

    /** Stages a tag record. */
    public void putTag(WriteBatch batch, int id, byte[] record) {
        try {
            batch.put(tags, intBytes(id), record);
        } catch (RocksDBException e) {
            throw wrap("cannot stage a tag", e);
        }
    }

    /** Visits every tag record in id order. */
    public void forEachTag(BiConsumer<Integer, byte[]> visitor) {
        try (RocksIterator it = db.newIterator(tags)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                visitor.accept(readInt(it.key(), 0), it.value());
            }
        }
    }

    // ---- maintenance ----

    /** Writes the RocksDB write-ahead log to disk. */
    public void syncWal() {
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            throw wrap("cannot sync the store's log", e);
        }
    }

    /** Flushes memtables to files and compacts everything: for benchmarks measuring disk use. */
    public void compact() {
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            db.flush(fo, List.of(tags, chunks, manifest, meta));
            db.compactRange(chunks);
        } catch (RocksDBException e) {
            throw wrap("cannot compact the store", e);
        }
    }

    /**
     * Gives back the disk space of deleted chunks with keys in {@code [(fromTag, MIN), (toTag, before))}:
     * flushes the chunks' memtable, so the deletions reach the files, and compacts that key range,
     * which drops the deleted data and the tombstones. Tiering and retention call it after deleting.
     */
    public void reclaim(int fromTag, int toTag, long before) {
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            db.flush(fo, chunks);
            db.compactRange(chunks, chunkKey(fromTag, Long.MIN_VALUE), chunkKey(toTag, before));
        } catch (RocksDBException e) {
            throw wrap("cannot compact the deleted chunks", e);
        }
    }

    /**
     * Reads every block of every table file and checks its checksum.
     *
     * @throws CorruptStoreException naming the file, at the first block that fails
     */
    public void verifyChecksums() {
        try {
            db.verifyChecksum();
        } catch (RocksDBException e) {
            if (isCorruption(e)) {
                throw new CorruptStoreException(-1, "corrupt store data [dir=" + directory + "]: " + e.getMessage(), e);
            }
            throw wrap("cannot verify the store's checksums", e);
        }
    }

    private static boolean isCorruption(RocksDBException e) {
        return e.getStatus() != null && e.getStatus().getCode() == org.rocksdb.Status.Code.Corruption;
    }

    /** The bytes of the store's table files, every column family together. */
    public long fileBytes() {
        try {
            return db.getAggregatedLongProperty("rocksdb.total-sst-files-size");
        } catch (RocksDBException e) {
            throw wrap("cannot read the store's size", e);
        }
    }

    /** A RocksDB property of the chunks family, such as {@code rocksdb.total-sst-files-size}. */
    public long longProperty(String name) {
        try {
            return db.getLongProperty(chunks, name);
        } catch (RocksDBException e) {
            throw wrap("cannot read property " + name, e);
        }
    }

    private HistorianException wrap(String what, RocksDBException e) {
        return new HistorianException(what + " [dir=" + directory + "]: " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeResources();
        OPEN.decrementAndGet();
    }

    private void closeResources() {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                // Closing continues: a failure here must not leak the remaining handles.
            }
        }
        resources.clear();
    }

    // ---- byte helpers ----

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static byte[] intBytes(int v) {
        byte[] b = new byte[4];
        putInt(b, 0, v);
        return b;
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static int readInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    static long readLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }
}
