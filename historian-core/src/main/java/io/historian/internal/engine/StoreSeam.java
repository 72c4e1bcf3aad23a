package io.historian.internal.engine;

import io.historian.TagDefinition;
import io.historian.internal.journal.ChronicleJournal;
import io.historian.internal.query.TagPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * The hand-over from the store to the journal without a gap or a duplicate, for replaying
 * subscriptions and forwarders. Under the historian's write lock (no entry can be appended) it
 * waits until the store writer has applied the last entry S, lets the caller pin the journal
 * after S, and takes the store state's read lock (the store writer cannot apply anything more);
 * only then does it let writers go on. The views taken under that read lock hold exactly the
 * entries up to S. Most of the backlog is waited for before the write lock, so writers are held
 * up only for the last few entries.
 */
final class StoreSeam {
    private final Status status;
    private final Reads reads;
    private final TagRegistry registry;
    private final ChronicleJournal journal;
    private final StoreWriter storeWriter;
    private final ReentrantLock writeLock;

    StoreSeam(Status status, Reads reads, TagRegistry registry, ChronicleJournal journal, StoreWriter storeWriter,
            ReentrantLock writeLock) {
        this.status = status;
        this.reads = reads;
        this.registry = registry;
        this.journal = journal;
        this.storeWriter = storeWriter;
        this.writeLock = writeLock;
    }

    /** A merge of the stored samples up to the seam, and the seam (the last index appended, or -1). */
    record Opened(long seam, ReplayMerge merge) {
    }

    /**
     * Opens the merge of the matching tags' stored samples from {@code from} on; {@code atSeam}
     * runs with S under the write lock. If this throws, the caller undoes what {@code atSeam} did.
     */
    Opened open(long from, String pattern, Lock io, LongConsumer atSeam) {
        status.check();
        reads.awaitApplied();
        Lock stateRead = storeWriter.stateLock.readLock();
        long seam;
        List<String> tags = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        List<TagView> views = new ArrayList<>();
        boolean stateLocked = false;
        try {
            writeLock.lock();
            try {
                status.check();
                seam = journal.lastAppendedIndex();
                // Nothing can be appended now; this waits only for what came since the wait above.
                reads.awaitApplied();
                stateRead.lock();
                stateLocked = true;
                atSeam.accept(seam);
                for (TagDefinition def : registry.all()) {
                    if (TagPattern.matches(pattern, def.name())) {
                        tags.add(def.name());
                        ids.add(registry.idOf(def.name()));
                    }
                }
            } finally {
                writeLock.unlock();
            }
            // Writers go on; the store writer waits on the read lock until the views are taken.
            for (int i = 0; i < tags.size(); i++) {
                views.add(reads.view(ids.get(i), tags.get(i)));
            }
        } catch (RuntimeException | Error e) {
            views.forEach(TagView::close);
            throw e;
        } finally {
            if (stateLocked) {
                stateRead.unlock();
            }
        }
        int[] tagIds = ids.stream().mapToInt(Integer::intValue).toArray();
        return new Opened(seam, new ReplayMerge(views, tagIds, from, io));
    }
}
