package io.historian.bench.peers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * RocksDB with one key per sample, the layout a first historian prototype would choose and the
 * one research/perf.md measured: key = tag (4 bytes, big-endian) + epoch milliseconds (8 bytes,
 * big-endian), value = the double's 8 bytes + a quality byte (0xC0, Good).
 *
 * <p>Options as in perf.md: 2 background jobs, 64 MiB write buffers (4 of them), 64 MiB target
 * files, 256 MiB level base with dynamic level sizes, 16 KiB blocks, a 256 MiB block cache, LZ4 on
 * every level and ZSTD on the bottommost, {@code bytes_per_sync} 1 MiB. Each batch is one
 * {@code WriteBatch} written with the WAL on and {@code sync=false} (durable to the OS).
 *
 * <p>{@link #finish()} flushes the memtables, waits for background compaction to stop, then runs
 * a full {@code compactRange} (bottommost forced), so the size is the settled one. A read iterates
 * the tag's key range.
 */
final class RocksKeyPerSamplePeer implements Peer {
    static final String NAME = "rocksdb";
    private static final byte GOOD = (byte) 0xC0;

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final LRUCache cache;
    private final Options options;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private final WriteBatch batch = new WriteBatch();
    private final byte[] key = new byte[12];
    private final byte[] value = new byte[9];
    private final ByteBuffer keyBuffer = ByteBuffer.wrap(key).order(ByteOrder.BIG_ENDIAN);
    private final ByteBuffer valueBuffer = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
    private boolean closed;

    RocksKeyPerSamplePeer(Path directory, String[] tagNames) {
        this.directory = directory;
        int cores = Runtime.getRuntime().availableProcessors();
        this.cache = new LRUCache(256L << 20);
        this.options = new Options()
                .setCreateIfMissing(true)
                .setIncreaseParallelism(cores)
                .setMaxBackgroundJobs(cores)
                .setWriteBufferSize(64L << 20)
                .setMaxWriteBufferNumber(4)
                .setTargetFileSizeBase(64L << 20)
                .setMaxBytesForLevelBase(256L << 20)
                .setLevelCompactionDynamicLevelBytes(true)
                .setBytesPerSync(1L << 20)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockSize(16 << 10).setBlockCache(cache));
        this.writeOptions = new WriteOptions().setSync(false).setDisableWAL(false);
        try {
            this.db = RocksDB.open(options, directory.toString());
        } catch (RocksDBException e) {
            writeOptions.close();
            options.close();
            cache.close();
            throw new IllegalStateException("cannot open RocksDB [dir=" + directory + "]", e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "RocksDB " + RocksDB.rocksdbVersion() + ", one key per sample (tag 4 B + ms 8 B -> double 8 B + quality"
                + " 1 B), WriteBatch per batch, WAL on, sync off, LZ4 + ZSTD bottommost";
    }

    @Override
    public void write(int[] tags, long[] epochMillis, double[] values, int count) {
        batch.clear();
        try {
            for (int i = 0; i < count; i++) {
                keyBuffer.putInt(0, tags[i]).putLong(4, epochMillis[i]);
                valueBuffer.putDouble(0, values[i]);
                value[8] = GOOD;
                batch.put(key, value);
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB write failed [dir=" + directory + "]", e);
        }
    }

    @Override
    public void finish() {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true);
                CompactRangeOptions full = new CompactRangeOptions()
                        .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForce)) {
            db.flush(flush);
            while (db.getLongProperty("rocksdb.compaction-pending") != 0
                    || db.getLongProperty("rocksdb.num-running-compactions") != 0) {
                Thread.sleep(50);
            }
            db.compactRange(db.getDefaultColumnFamily(), null, null, full);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB flush or compaction failed [dir=" + directory + "]", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for RocksDB compaction", e);
        }
    }

    @Override
    public long bytesOnDisk() {
        return Directories.allocatedBytes(directory);
    }

    @Override
    public long dataBytes() {
        try {
            return db.getLongProperty("rocksdb.total-sst-files-size");
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot read the SST size [dir=" + directory + "]", e);
        }
    }

    @Override
    public void read(int tag, ReadCheck check) {
        // Timestamps are non-negative, so (tag, 0) sorts first among the tag's keys.
        byte[] lower = ByteBuffer.allocate(12).putInt(tag).putLong(0).array();
        byte[] upper = ByteBuffer.allocate(12).putInt(tag + 1).putLong(0).array();
        try (Slice bound = new Slice(upper);
                ReadOptions ro = new ReadOptions().setIterateUpperBound(bound);
                RocksIterator it = db.newIterator(ro)) {
            for (it.seek(lower); it.isValid(); it.next()) {
                ByteBuffer k = ByteBuffer.wrap(it.key());
                ByteBuffer v = ByteBuffer.wrap(it.value()).order(ByteOrder.LITTLE_ENDIAN);
                check.accept(k.getLong(4), v.getDouble(0));
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            db.close();
            batch.close();
            writeOptions.close();
            options.close();
            cache.close();
        } finally {
            Directories.deleteRecursively(directory);
        }
    }
}
