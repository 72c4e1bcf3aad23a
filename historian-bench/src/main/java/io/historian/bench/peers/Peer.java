package io.historian.bench.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One storage engine under comparison, fed the same samples in the same order as the others.
 *
 * <pre>{@code
 * try (Peer peer = Peer.open("questdb", dir, tagNames)) {
 *     peer.write(tags, epochMillis, values, n);   // as many batches as the run has
 *     peer.finish();                               // durable to the OS, background work done
 *     long bytes = peer.bytesOnDisk();
 *     peer.read(42, check);                        // every sample of tag 42, in time order
 * }   // closed, then its directory is deleted
 * }</pre>
 *
 * <p>Every sample has quality Good; tags are indices into the names given at open. Each peer
 * commits once per {@link #write} call and never fsyncs: all are durable against a crash of the
 * process (the data is in the OS), none against power loss.
 *
 * <p><b>Lifecycle:</b> {@link #close()} closes the engine and deletes its directory.
 * <b>Thread safety:</b> none; one thread drives a peer.
 */
public interface Peer extends AutoCloseable {

    /** The names {@link #open} knows, in the order the comparison runs them. */
    List<String> NAMES = List.of(HistorianPeer.NAME, QuestDbPeer.NAME, RocksKeyPerSamplePeer.NAME);

    /**
     * Opens the peer named {@code historian}, {@code questdb} or {@code rocksdb} in {@code directory}
     * (created if missing; it should be empty).
     */
    static Peer open(String name, Path directory, String[] tagNames) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown peer [name=" + name + ", known=" + String.join(",", NAMES) + "]");
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of peer " + name + " [dir=" + directory + "]", e);
        }
        return switch (name) {
            case HistorianPeer.NAME -> new HistorianPeer(directory, tagNames);
            case QuestDbPeer.NAME -> new QuestDbPeer(directory, tagNames);
            case RocksKeyPerSamplePeer.NAME -> new RocksKeyPerSamplePeer(directory, tagNames);
            default -> throw new AssertionError(name);
        };
    }

    /** Short name, as on the command line. */
    String name();

    /** What the engine is and how it is used here, for the table's footnotes. */
    String description();

    /** Writes and commits {@code count} samples (Good quality); returns once the commit does. */
    void write(int[] tags, long[] epochMillis, double[] values, int count);

    /**
     * Brings the engine to rest: everything written is committed and readable, background work
     * (compaction) has run to completion, so {@link #bytesOnDisk()} is the settled size.
     */
    void finish();

    /** Bytes the files under the peer's directory occupy on disk (allocated blocks, as {@code du} counts). */
    long bytesOnDisk();

    /** Bytes of the sample data alone (without a journal or write-ahead log), where the engine can tell. */
    default long dataBytes() {
        return bytesOnDisk();
    }

    /** Reads every sample of one tag in time order, adding each value to {@code check}. */
    void read(int tag, ReadCheck check);

    /** Closes the engine, then deletes its directory. Idempotent. */
    @Override
    void close();

    /**
     * What a read saw: the count, the sum of values and whether the timestamps only rose. Reused
     * across reads so that the read loop allocates nothing of ours.
     */
    final class ReadCheck {
        long count;
        double sum;
        long lastEpochMillis = Long.MIN_VALUE;
        boolean ordered = true;

        public void reset() {
            count = 0;
            sum = 0;
            lastEpochMillis = Long.MIN_VALUE;
            ordered = true;
        }

        void accept(long epochMillis, double value) {
            if (epochMillis <= lastEpochMillis) {
                ordered = false;
            }
            lastEpochMillis = epochMillis;
            count++;
            sum += value;
        }

        public long count() {
            return count;
        }

        public double sum() {
            return sum;
        }

        /** True if every timestamp was later than the one before. */
        public boolean ordered() {
            return ordered;
        }
    }
}
