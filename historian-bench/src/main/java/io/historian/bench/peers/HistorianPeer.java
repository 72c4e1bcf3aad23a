package io.historian.bench.peers;

import io.historian.Historian;
import io.historian.HistorianStats;
import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.query.SampleCursor;
import java.nio.file.Path;
import java.time.Instant;

/**
 * This product, as the other peers see it: default settings (journal on, durability
 * {@code PROCESS_CRASH}, overflow {@code BLOCK}, 2 GiB journal budget, 4,096-sample chunks), one
 * {@code write(SampleBatch)} per batch.
 *
 * <p>{@link #finish()} waits for the store writer to apply the whole journal, then commits every
 * open chunk and compacts the store ({@code Historian.compact()}). {@link #dataBytes()} is the
 * store's SST files; {@link #bytesOnDisk()} adds the journal segment that stays on disk.
 */
final class HistorianPeer implements Peer {
    static final String NAME = "historian";

    private final Path directory;
    private final String[] tagNames;
    private final Historian historian;
    private final SampleBatch batch = new SampleBatch(10_000);
    private long written;
    private boolean closed;

    HistorianPeer(Path directory, String[] tagNames) {
        this.directory = directory;
        this.tagNames = tagNames.clone();
        this.historian = Historian.builder().dataDirectory(directory).build();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Historian (this product), default settings: journal on (Chronicle Queue, PROCESS_CRASH), "
                + "compressed 4,096-sample chunks in RocksDB, one write(SampleBatch) per batch";
    }

    @Override
    public void write(int[] tags, long[] epochMillis, double[] values, int count) {
        batch.clear();
        for (int i = 0; i < count; i++) {
            batch.add(tagNames[tags[i]], epochMillis[i], values[i], Quality.GOOD);
        }
        historian.write(batch);
        written += count;
    }

    @Override
    public void finish() {
        if (written == 0) {
            return;
        }
        historian.compact();
        HistorianStats stats = historian.stats();
        if (stats.journaledSamples() != written || stats.rejectedSamples() != 0 || stats.pendingSamples() != 0) {
            throw new IllegalStateException("historian did not settle [written=" + written + ", stats=" + stats + "]");
        }
    }

    @Override
    public long bytesOnDisk() {
        return Directories.allocatedBytes(directory);
    }

    @Override
    public long dataBytes() {
        return historian.stats().storeBytes();
    }

    @Override
    public void read(int tag, ReadCheck check) {
        try (SampleCursor c = historian.query(tagNames[tag])
                .between(Instant.EPOCH, Instant.ofEpochMilli(Long.MAX_VALUE)).raw()) {
            while (c.next()) {
                check.accept(c.epochMillis(), c.value());
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
            historian.close();
        } finally {
            Directories.deleteRecursively(directory);
        }
    }
}
