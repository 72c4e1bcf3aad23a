package io.historian.internal.engine;

import io.historian.SampleListener;
import io.historian.Subscription;
import io.historian.TagDefinition;
import io.historian.internal.journal.ChronicleJournal;
import io.historian.internal.query.TagPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Opens and tracks the historian's subscriptions (see {@link JournalSubscription}).
 *
 * <p><b>The seam.</b> {@code subscribeFrom} must hand over from the store to the journal without
 * a gap or a duplicate. Under the historian's write lock (no entry can be appended) it waits
 * until the store writer has applied the last entry S, pins the journal after S and takes the
 * store state's read lock (the store writer cannot apply anything more); only then does it let
 * writers go on. The views taken under that read lock hold exactly the entries up to S, and the
 * tailer starts after S. Most of the backlog is waited for before the write lock, so writers
 * are held up only for the last few entries.
 *
 * <p><b>Threads:</b> any caller thread; the historian's close calls {@link #closeAll()} after it
 * stopped accepting writes and before it closes the journal and the store.
 */
final class Subscriptions {
    private static final AtomicInteger NUMBERS = new AtomicInteger();

    private final Status status;
    private final Reads reads;
    private final TagRegistry registry;
    private final ChronicleJournal journal;
    private final StoreWriter storeWriter;
    private final ReentrantLock writeLock;
    private final long lagLimitBytes;
    private final Set<JournalSubscription> open = ConcurrentHashMap.newKeySet();
    private final java.util.List<Telemetry.SubscriptionListener> listeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong laggedOut = new java.util.concurrent.atomic.AtomicLong();
    private volatile long laggedOutAtNanos;

    Subscriptions(Status status, Reads reads, TagRegistry registry, ChronicleJournal journal, StoreWriter storeWriter,
            ReentrantLock writeLock, long lagLimitBytes) {
        this.status = status;
        this.reads = reads;
        this.registry = registry;
        this.journal = journal;
        this.storeWriter = storeWriter;
        this.writeLock = writeLock;
        this.lagLimitBytes = lagLimitBytes;
    }

    /** A live subscription from the journal's current end. */
    Subscription subscribe(String pattern, SampleListener listener) {
        Objects.requireNonNull(pattern, "tagPattern");
        Objects.requireNonNull(listener, "listener");
        status.check();
        JournalSubscription s = new JournalSubscription(this, registry, journal, NUMBERS.incrementAndGet(), pattern,
                listener, Long.MIN_VALUE, false, lagLimitBytes);
        long seam;
        writeLock.lock();
        try {
            status.check();
            seam = journal.lastAppendedIndex();
            s.pinAt(seam);
            open.add(s);
        } finally {
            writeLock.unlock();
        }
        return started(s, seam, null);
    }

    /** Replays the stored samples at or after {@code from}, then continues live (see the class comment). */
    Subscription subscribeFrom(long from, String pattern, SampleListener listener) {
        Objects.requireNonNull(pattern, "tagPattern");
        Objects.requireNonNull(listener, "listener");
        status.check();
        reads.awaitApplied();
        JournalSubscription s = new JournalSubscription(this, registry, journal, NUMBERS.incrementAndGet(), pattern,
                listener, from, true, lagLimitBytes);
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
                s.pinAt(seam);
                open.add(s);
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
            open.remove(s);
            s.close();
            throw e;
        } finally {
            if (stateLocked) {
                stateRead.unlock();
            }
        }
        int[] tagIds = ids.stream().mapToInt(Integer::intValue).toArray();
        return started(s, seam, new ReplayMerge(views, tagIds, from, s.ioLock()));
    }

    private Subscription started(JournalSubscription s, long seam, ReplayMerge merge) {
        try {
            s.start(seam, merge);
        } catch (RuntimeException e) {
            open.remove(s);
            s.close();
            throw e;
        }
        for (Telemetry.SubscriptionListener l : listeners) {
            l.opened(s.name(), s);
        }
        return s;
    }

    void forget(JournalSubscription s) {
        if (!open.remove(s)) {
            return;
        }
        for (Telemetry.SubscriptionListener l : listeners) {
            l.closed(s.name(), s);
        }
    }

    /** Tells {@code listener} of every subscription open now and of each one opened or ended later. */
    void listen(Telemetry.SubscriptionListener listener) {
        listeners.add(listener);
        for (JournalSubscription s : new ArrayList<>(open)) {
            listener.opened(s.name(), s);
        }
    }

    void unlisten(Telemetry.SubscriptionListener listener) {
        listeners.remove(listener);
    }

    /** A subscription was ended for lag; counted at once, while its listener may still be busy. */
    void laggedOut() {
        laggedOutAtNanos = System.nanoTime();
        laggedOut.incrementAndGet();
    }

    /** Subscriptions ended because they lagged beyond the limit, since open. */
    long laggedOutCount() {
        return laggedOut.get();
    }

    /** {@link System#nanoTime()} when the last subscription was ended for lag; meaningless while {@link #laggedOutCount()} is 0. */
    long laggedOutAtNanos() {
        return laggedOutAtNanos;
    }

    /** Closes every subscription; waits for their threads (see {@link JournalSubscription#close()}). */
    void closeAll() {
        for (JournalSubscription s : new ArrayList<>(open)) {
            s.close();
        }
    }

    /** The subscriptions not closed yet. */
    int openCount() {
        return open.size();
    }
}
