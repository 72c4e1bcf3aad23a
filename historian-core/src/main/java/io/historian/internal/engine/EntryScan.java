package io.historian.internal.engine;

import io.historian.internal.journal.ChronicleJournal;
import io.historian.internal.journal.CorruptEntryException;
import io.historian.internal.journal.JournalEntryCodec;
import net.openhft.chronicle.queue.ExcerptTailer;

/**
 * Reads journal entries and decodes every sample of each, for the checks that look at the whole
 * journal (the offline check, a salvaging open that rebuilds the store). One thread.
 */
final class EntryScan {
    private final ChronicleJournal.EntryReader reader = new ChronicleJournal.EntryReader();
    private final JournalEntryCodec.Slices slices = new JournalEntryCodec.Slices();
    private final int[] ids = new int[4096];
    private final long[] timestamps = new long[ids.length];
    private final double[] values = new double[ids.length];
    private final int[] qualities = new int[ids.length];
    private int maxTagId = -1;

    /** Reads the next entry; false if there is none. */
    boolean read(ExcerptTailer tailer) {
        return reader.read(tailer);
    }

    /** The index of the entry last read. */
    long index() {
        return reader.index();
    }

    /**
     * Decodes the entry last read.
     *
     * @param tagIdLimit tag ids at or above this make the entry corrupt
     * @return its sample count
     */
    long decode(int tagIdLimit) throws CorruptEntryException {
        slices.open(reader.bytes(), 0, reader.length(), tagIdLimit, ids.length);
        long samples = 0;
        for (int n = slices.next(ids, timestamps, values, qualities); n > 0;
                n = slices.next(ids, timestamps, values, qualities)) {
            samples += n;
            for (int i = 0; i < n; i++) {
                maxTagId = Math.max(maxTagId, ids[i]);
            }
        }
        return samples;
    }

    /** The largest tag id decoded so far, or -1. */
    int maxTagId() {
        return maxTagId;
    }
}
