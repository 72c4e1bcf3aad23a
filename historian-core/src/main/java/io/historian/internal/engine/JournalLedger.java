package io.historian.internal.engine;

import io.historian.internal.journal.ChronicleJournal;
import io.historian.internal.store.RocksChunkStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.rocksdb.WriteBatch;

/**
 * The store's record of the journal segments that hold entries, so that an open can tell a
 * journal that lost entries from one that never had them: per segment, its first entry's index
 * and, once the segment is finished (rolled or cleanly closed), its last entry's index and its
 * sample count. Kept in the store's {@code meta} family under {@code journal.segment.<cycle>}.
 *
 * <p><b>Invariant.</b> A record is written after the entry it names was appended, never before:
 * a kill between the two leaves a journal with more than the record says, never less. A segment
 * being written when the process is killed keeps an unknown end ({@code -1}).
 *
 * <p><b>Threads.</b> {@link #appended} and {@link #close} run under the historian's write lock
 * (or after writes have stopped); a record is written once per segment, so the write path pays
 * one comparison per call.
 */
final class JournalLedger {
    private static final byte[] PREFIX = "journal.segment.".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FROM_KEY = "journal.ledger.from".getBytes(StandardCharsets.US_ASCII);

    /** One segment's record; {@code last} and {@code samples} are -1 while unknown. */
    record Segment(int cycle, long first, long last, long samples) {
        boolean finished() {
            return last >= 0;
        }
    }

    private final RocksChunkStore store;
    private final ChronicleJournal journal;
    private int cycle = Integer.MIN_VALUE;
    private long first = -1;
    private long last = -1;
    private long samples;

    JournalLedger(RocksChunkStore store, ChronicleJournal journal) {
        this.store = store;
        this.journal = journal;
    }

    /** Records that the entry at {@code index} holding {@code entrySamples} samples was appended. */
    void appended(long index, int entrySamples) {
        int c = journal.cycleOf(index);
        if (c != cycle) {
            roll(c, index);
        }
        last = index;
        samples += entrySamples;
    }

    private void roll(int newCycle, long index) {
        try (WriteBatch batch = new WriteBatch()) {
            if (cycle != Integer.MIN_VALUE) {
                put(batch, new Segment(cycle, first, last, samples));
            }
            put(batch, new Segment(newCycle, index, -1, -1));
            store.write(batch, false);
        }
        cycle = newCycle;
        first = index;
        samples = 0;
    }

    /** Records the end of the segment being written; at close, after the last append. */
    void close() {
        if (cycle == Integer.MIN_VALUE) {
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            put(batch, new Segment(cycle, first, last, samples));
            store.write(batch, true);
        }
    }

    private void put(WriteBatch batch, Segment s) {
        store.putMeta(batch, key(s.cycle()), ByteBuffer.allocate(24).putLong(s.first()).putLong(s.last())
                .putLong(s.samples()).array());
    }

    private static byte[] key(int cycle) {
        // Cycles are days since 1970 in the journal's clock, never negative: big-endian sorts them.
        return ByteBuffer.allocate(PREFIX.length + 4).put(PREFIX).putInt(cycle).array();
    }

    /**
     * Records, once, that the ledger covers the journal from segment {@code cycle} on (the first
     * segment this session writes): a segment from there on without a record holds no entry
     * whose write was acknowledged.
     */
    static void coverFrom(RocksChunkStore store, int cycle) {
        if (coveredFrom(store) != Integer.MAX_VALUE) {
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            store.putMeta(batch, FROM_KEY, ByteBuffer.allocate(4).putInt(cycle).array());
            store.write(batch, true);
        }
    }

    /** The first segment the ledger covers, or Integer.MAX_VALUE if it covers none yet. */
    static int coveredFrom(RocksChunkStore store) {
        int[] from = {Integer.MAX_VALUE};
        store.scanMeta(FROM_KEY, ByteBuffer.allocate(FROM_KEY.length + 1).put(FROM_KEY).array(),
                (k, v) -> from[0] = ByteBuffer.wrap(v).getInt());
        return from[0];
    }

    /** The recorded segments by cycle. */
    static TreeMap<Integer, Segment> read(RocksChunkStore store) {
        TreeMap<Integer, Segment> out = new TreeMap<>();
        store.scanMeta(key(0), key(Integer.MAX_VALUE), (k, v) -> {
            int c = ByteBuffer.wrap(k, PREFIX.length, 4).getInt();
            ByteBuffer b = ByteBuffer.wrap(v);
            out.put(c, new Segment(c, b.getLong(), b.getLong(), b.getLong()));
        });
        return out;
    }

    /** Removes the records of the given segments (released, or set aside by a salvaging open). */
    static void forget(RocksChunkStore store, Map<Integer, Segment> segments) {
        if (segments.isEmpty()) {
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            for (int c : segments.keySet()) {
                store.deleteMetaRange(batch, key(c), key(c + 1));
            }
            store.write(batch, true);
        }
    }

    /** Removes the records of segments before {@code cycle}: the store has committed all they held. */
    static void forgetBefore(RocksChunkStore store, int cycle) {
        if (cycle <= 0) {
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            store.deleteMetaRange(batch, key(0), key(cycle));
            store.write(batch, false);
        }
    }
}
