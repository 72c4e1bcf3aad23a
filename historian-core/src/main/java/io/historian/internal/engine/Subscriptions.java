package io.historian.internal.engine;

import io.historian.SampleListener;
import io.historian.Subscription;
import io.historian.internal.journal.ChronicleJournal;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Opens and tracks the historian's subscriptions (see {@link JournalSubscription}).
 *
 * <p><b>The seam.</b> {@code subscribeFrom} hands over from the store to the journal without a
 * gap or a duplicate through {@link StoreSeam}: the subscription pins the journal after the seam
 * S, the replay views hold exactly the entries up to S, and the tailer starts after S.
 *
 * <p><b>Threads:</b> any caller thread; the historian's close calls {@link #closeAll()} after it
 * stopped accepting writes and before it closes the journal and the store.
 */
final class Subscriptions {
    private static final AtomicInteger NUMBERS = new AtomicInteger();

    private final Status status;
    private final TagRegistry registry;
    private final ChronicleJournal journal;
    private final ReentrantLock writeLock;
    private final long lagLimitBytes;
    private final StoreSeam seam;
    private final Set<JournalSubscription> open = ConcurrentHashMap.newKeySet();
    private final java.util.List<Telemetry.SubscriptionListener> listeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong laggedOut = new java.util.concurrent.atomic.AtomicLong();
    private volatile long laggedOutAtNanos;

    Subscriptions(Status status, Reads reads, TagRegistry registry, ChronicleJournal journal, StoreWriter storeWriter,
            ReentrantLock writeLock, long lagLimitBytes) {
        this.status = status;
        this.registry = registry;
        this.journal = journal;
        this.writeLock = writeLock;
        this.lagLimitBytes = lagLimitBytes;
        this.seam = new StoreSeam(status, reads, registry, journal, storeWriter, writeLock);
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

    /** Replays the stored samples at or after {@code from}, then continues live (see {@link StoreSeam}). */
    Subscription subscribeFrom(long from, String pattern, SampleListener listener) {
        Objects.requireNonNull(pattern, "tagPattern");
        Objects.requireNonNull(listener, "listener");
        JournalSubscription s = new JournalSubscription(this, registry, journal, NUMBERS.incrementAndGet(), pattern,
                listener, from, true, lagLimitBytes);
        StoreSeam.Opened opened;
        try {
            opened = seam.open(from, pattern, s.ioLock(), at -> {
                s.pinAt(at);
                open.add(s);
            });
        } catch (RuntimeException | Error e) {
            open.remove(s);
            s.close();
            throw e;
        }
        return started(s, opened.seam(), opened.merge());
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
