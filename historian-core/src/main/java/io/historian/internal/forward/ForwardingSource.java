package io.historian.internal.forward;

import io.historian.internal.journal.ChronicleJournal;
import java.util.concurrent.locks.Lock;
import java.util.function.LongFunction;

/**
 * What forwarders need from the engine, which implements it: the journal, tag names, the write
 * lock for positioning, and reads of the store from a time on joined to the journal at a seam.
 */
public interface ForwardingSource {

    /** The journal forwarders tail. */
    ChronicleJournal journal();

    /** The registered tag count; tag ids lie below it. */
    int tagCount();

    /** The name of tag {@code id}. */
    String tagName(int id);

    /** Samples journaled since the historian opened. */
    long journaledSamples();

    /** The historian's clock, in epoch milliseconds. */
    long clockMillis();

    /** True when state a forwarder commits must survive power loss (synced), not just a process crash. */
    boolean syncWrites();

    /**
     * Runs {@code action} with the last appended index while nothing can be appended.
     *
     * @param action receives the journal's last index appended by this session, or -1
     */
    <T> T atSeam(LongFunction<T> action);

    /**
     * Opens a read of the stored samples of the matching tags from {@code from} on, merged in
     * timestamp order, that ends exactly at a seam S: {@code atSeam} runs with S while nothing
     * can be appended nor applied to the store, so the journal after S holds the rest.
     *
     * @param io the lock under which the replay touches the store and is closed
     */
    StoreReplay openReplay(long from, String pattern, Lock io, LongFunction<ChronicleJournal.Pin> atSeam);

    /**
     * Stored samples in timestamp order, up to a seam in the journal (see {@link #openReplay}).
     * Used by one thread.
     */
    interface StoreReplay extends AutoCloseable {
        /** The last journal entry the replay covers, or -1 if this session had appended none. */
        long seamIndex();

        /** The pin taken at the seam. */
        ChronicleJournal.Pin pin();

        /** Moves to the next sample; false at the end. */
        boolean next();

        /** The current sample's tag id. */
        int tagId();

        /** The current sample's timestamp. */
        long timestamp();

        /** The current sample's value. */
        double value();

        /** The current sample's quality code. */
        int quality();

        @Override
        void close();
    }
}
