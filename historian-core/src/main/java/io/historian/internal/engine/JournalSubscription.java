package io.historian.internal.engine;

import io.historian.DataSize;
import io.historian.HistorianException;
import io.historian.Quality;
import io.historian.SampleListener;
import io.historian.Subscription;
import io.historian.SubscriptionLaggedException;
import io.historian.internal.journal.ChronicleJournal;
import io.historian.internal.journal.CorruptEntryException;
import io.historian.internal.journal.JournalEntryCodec;
import io.historian.internal.query.TagPattern;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import net.openhft.chronicle.queue.ExcerptTailer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription: a journal tailer on its own thread that hands matching samples to a
 * listener, after an optional replay from store views (see {@link ReplayMerge}).
 *
 * <p><b>Invariants.</b> The tailer starts right after the seam entry S (the last entry appended
 * when the subscription was set up under the historian's write lock); the replay views hold
 * exactly the entries up to S. So the replay and the live phase together see every entry once.
 * The journal {@link ChronicleJournal.Pin pin} keeps the segments from S's on until the tailer
 * has read them; it moves as the tailer crosses segments.
 *
 * <p><b>Threads.</b> The thread {@code historian-subscription-N} owns the tailer, the decoding
 * scratch and the replay merge, and runs the listener. {@link #close()} may come from any thread
 * (the listener's too): it asks the thread to stop, waits for it, and frees the tailer, views
 * and pin under {@link #io}, the lock the thread holds while it touches them, so a listener that
 * never returns cannot keep them. The journal's appending thread may call {@link #overrun} when
 * the lag passes the limit: that records the failure and stops the thread the same way.
 *
 * <p><b>Crash recovery.</b> None is needed: a subscription lives in memory only; after a
 * restart the caller subscribes again, with {@code subscribeFrom} to cover the gap.
 */
final class JournalSubscription implements Subscription, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(JournalSubscription.class);
    /** After the first listener failure, one in this many is logged. */
    static final long LOG_EVERY = 1000;
    private static final long STOP_GRACE_MILLIS = 2_000;
    private static final long INTERRUPT_GRACE_MILLIS = 5_000;

    private final Subscriptions owner;
    private final TagRegistry registry;
    private final ChronicleJournal journal;
    private final String pattern;
    private final SampleListener listener;
    private final long from;
    private final long lagLimitBytes;
    private final Thread thread;
    private final String name;

    /** Guards the tailer, the merge and their release. */
    private final ReentrantLock io = new ReentrantLock();
    private ExcerptTailer tailer;
    private ChronicleJournal.Pin pin;
    private ReplayMerge merge;
    private boolean released;

    private final ChronicleJournal.EntryReader reader = new ChronicleJournal.EntryReader();
    private final JournalEntryCodec.Slices slices = new JournalEntryCodec.Slices();
    private int[] tagIds = new int[1024];
    private long[] timestamps = new long[1024];
    private double[] values = new double[1024];
    private int[] qualities = new int[1024];
    /** Per tag id: 0 not looked at yet, 1 matches, 2 does not. */
    private byte[] matches = new byte[64];
    private String[] names = new String[64];
    private int lastQualityCode = Quality.GOOD.code();
    private Quality lastQuality = Quality.GOOD;

    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong listenerFailures = new AtomicLong();
    private final AtomicLong corruptEntries = new AtomicLong();
    /**
     * Samples handed to the listener, or {@link #FROZEN} once an overrun stopped the hand-over.
     * The subscription thread raises it by compare-and-set before each listener call, and the
     * overrun freezes it with one swap, so a sample is either handed (and counted in the
     * exception) or not handed at all: the exception's last-delivered time is exact even while
     * the listener runs or is stuck in a call.
     */
    private final AtomicLong handed = new AtomicLong();
    /**
     * The timestamp of the n-th sample handed, at {@code [n & 1]}: written before the CAS that
     * makes it the n-th, so the swap that reads n sees it; the other slot takes the next sample.
     */
    private final long[] handedAt = new long[2];
    private static final long FROZEN = -1;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile State state;
    private volatile HistorianException failure;

    JournalSubscription(Subscriptions owner, TagRegistry registry, ChronicleJournal journal, int number,
            String pattern, SampleListener listener, long from, boolean replay, long lagLimitBytes) {
        this.owner = owner;
        this.registry = registry;
        this.journal = journal;
        this.pattern = pattern;
        this.listener = listener;
        this.from = from;
        this.lagLimitBytes = lagLimitBytes;
        this.name = "historian-subscription-" + number;
        this.state = replay ? State.REPLAYING : State.LIVE;
        this.thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    /**
     * Pins the journal after the seam {@code seamIndex} (-1: the end) and, for the end, moves a
     * new tailer there. Called under the historian's write lock, so the end cannot move.
     */
    void pinAt(long seamIndex) {
        pin = journal.pin(seamIndex, lagLimitBytes, this::overrun);
        if (seamIndex < 0) {
            tailer = journal.createTailer();
            tailer.toEnd();
        }
    }

    /**
     * Finishes positioning outside the write lock (the pin keeps the seam's segment), takes the
     * replay views, if any, and starts the thread.
     */
    void start(long seamIndex, ReplayMerge replay) {
        io.lock();
        try {
            if (released) {
                // Closed (by the historian's close) before it started.
                if (replay != null) {
                    replay.close();
                }
                return;
            }
            merge = replay;
            if (tailer == null) {
                tailer = journal.createTailer();
                if (!tailer.moveToIndex(seamIndex) || !reader.read(tailer) || reader.index() != seamIndex) {
                    throw new HistorianException("cannot find the journal entry a subscription starts after [dir="
                            + journal.directory() + ", index=" + Long.toHexString(seamIndex) + "]");
                }
            }
        } catch (RuntimeException e) {
            closeResources();
            throw e;
        } finally {
            io.unlock();
        }
        thread.start();
    }

    @Override
    public void run() {
        try {
            if (merge != null) {
                replay();
                io.lock();
                try {
                    if (merge != null) {
                        merge.close();
                        merge = null;
                    }
                } finally {
                    io.unlock();
                }
                if (!stopping.get()) {
                    state = State.LIVE;
                }
            }
            live();
        } catch (Throwable t) {
            if (!stopping.get()) {
                fail(new HistorianException("subscription stopped by an error [subscription=" + name + ", pattern="
                        + pattern + "]: " + t, t), t);
            }
            if (t instanceof VirtualMachineError e) {
                throw e;
            }
        } finally {
            io.lock();
            try {
                closeResources();
            } finally {
                io.unlock();
            }
            owner.forget(this);
        }
    }

    private void replay() {
        ReplayMerge m = merge;
        while (!stopping.get() && m.next()) {
            int id = m.tagId();
            deliver(id, m.timestamp(), m.value(), m.quality());
        }
    }

    private void live() {
        int idle = 0;
        while (!stopping.get()) {
            // A listener may leave the flag set; parking would then return at once and spin. Our own
            // close sets stopping before it interrupts, so clearing loses no request to stop.
            Thread.interrupted();
            boolean read;
            io.lock();
            try {
                if (released) {
                    return;
                }
                read = reader.read(tailer);
            } finally {
                io.unlock();
            }
            if (!read) {
                // Polling, not a signal from writers: a write never does work for subscribers.
                idle = Math.min(idle + 1, 200);
                LockSupport.parkNanos(idle < 100 ? 50_000 : 1_000_000);
                continue;
            }
            idle = 0;
            // An overrun pin no longer holds segments: what was read after it may come from a gap.
            if (pin.overrun()) {
                return;
            }
            pin.read(reader.index(), reader.length());
            int n;
            try {
                ensureScratch(reader.bytes(), reader.length());
                slices.open(reader.bytes(), 0, reader.length(), registry.size(), tagIds.length);
                n = slices.next(tagIds, timestamps, values, qualities);
            } catch (CorruptEntryException e) {
                corruptEntries.incrementAndGet();
                LOG.error("subscription skips a corrupt journal entry [subscription={}, index={}, dir={}]: {}", name,
                        Long.toHexString(reader.index()), journal.directory(), e.getMessage());
                continue;
            }
            while (n > 0 && !stopping.get()) {
                for (int i = 0; i < n && !stopping.get(); i++) {
                    int id = tagIds[i];
                    long ts = timestamps[i];
                    if (ts >= from && matches(id)) {
                        deliver(id, ts, values[i], qualities[i]);
                    }
                }
                try {
                    n = slices.next(tagIds, timestamps, values, qualities);
                } catch (CorruptEntryException e) {
                    throw new IllegalStateException("a validated journal entry failed to decode", e);
                }
            }
        }
    }

    /** Sizes the decode scratch for the entry's sample count (a varint after the format byte), up to one slice. */
    private void ensureScratch(byte[] bytes, int length) {
        long count = 0;
        for (int p = 1, shift = 0; p < length && shift < 35; p++, shift += 7) {
            count |= (long) (bytes[p] & 0x7F) << shift;
            if ((bytes[p] & 0x80) == 0) {
                break;
            }
        }
        int need = (int) Math.min(Math.max(count, 0), JournalEntryCodec.MAX_SAMPLES);
        if (tagIds.length < need) {
            int c = Math.max(need, Math.min(tagIds.length * 2, JournalEntryCodec.MAX_SAMPLES));
            tagIds = new int[c];
            timestamps = new long[c];
            values = new double[c];
            qualities = new int[c];
        }
    }

    private boolean matches(int id) {
        if (id >= matches.length) {
            int c = Math.max(id + 1, matches.length * 2);
            matches = java.util.Arrays.copyOf(matches, c);
            names = java.util.Arrays.copyOf(names, c);
        }
        byte m = matches[id];
        if (m == 0) {
            String tag = registry.definition(id).name();
            names[id] = tag;
            m = TagPattern.matches(pattern, tag) ? (byte) 1 : (byte) 2;
            matches[id] = m;
        }
        return m == 1;
    }

    private void deliver(int id, long ts, double value, int qualityCode) {
        long n = handed.get();
        if (n == FROZEN) {
            return;
        }
        handedAt[(int) ((n + 1) & 1)] = ts;
        if (!handed.compareAndSet(n, n + 1)) {
            return;
        }
        String tag = names.length > id && names[id] != null ? names[id] : nameOf(id);
        Quality quality = lastQuality;
        if (qualityCode != lastQualityCode) {
            quality = Quality.of(qualityCode);
            lastQuality = quality;
            lastQualityCode = qualityCode;
        }
        try {
            listener.onSample(tag, ts, value, quality);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            if (!stopping.get()) {
                listenerFailed(tag, ts, t);
            }
        }
        delivered.lazySet(delivered.get() + 1);
    }

    private String nameOf(int id) {
        matches(id);
        return names[id];
    }

    private void listenerFailed(String tag, long ts, Throwable t) {
        long n = listenerFailures.incrementAndGet();
        if (n == 1 || n % LOG_EVERY == 0) {
            LOG.warn("subscription listener threw; delivery goes on [subscription={}, pattern={}, tag={}, timestamp={},"
                    + " failures={}]", name, pattern, tag, Instant.ofEpochMilli(ts), n, t);
        }
    }

    /**
     * Called by the journal's appending thread, once, when this subscription lags beyond its limit.
     * Freezes the hand-over first, so that the listener gets nothing after the sample it names.
     */
    private void overrun(long lagBytes) {
        long n = handed.getAndSet(FROZEN);
        Instant lastInstant = n <= 0 ? null : Instant.ofEpochMilli(handedAt[(int) (n & 1)]);
        SubscriptionLaggedException e = new SubscriptionLaggedException("subscription fell too far behind and was "
                + "ended; resubscribe with subscribeFrom(lastDelivered) [subscription=" + name + ", pattern=" + pattern
                + ", lag=" + DataSize.ofBytes(lagBytes) + ", limit=" + DataSize.ofBytes(lagLimitBytes)
                + ", lastDelivered=" + (lastInstant == null ? "none" : lastInstant.toString()) + "]", lastInstant);
        fail(e, null);
        owner.laggedOut();
    }

    private void fail(HistorianException e, Throwable cause) {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        failure = e;
        state = State.FAILED;
        if (cause == null) {
            LOG.warn(e.getMessage());
        } else {
            LOG.error(e.getMessage(), cause);
        }
        LockSupport.unpark(thread);
    }

    /** Frees the tailer, the merge and the pin; the caller holds {@link #io}. Idempotent. */
    private void closeResources() {
        if (released) {
            return;
        }
        released = true;
        closeQuietly(merge, "the replay views");
        merge = null;
        closeQuietly(tailer, "the tailer");
        tailer = null;
        closeQuietly(pin, "the journal pin");
    }

    private void closeQuietly(AutoCloseable resource, String what) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            LOG.debug("error while closing {} of {}", what, name, e);
        }
    }

    @Override
    public void close() {
        if (stopping.compareAndSet(false, true)) {
            state = State.CLOSED;
        }
        LockSupport.unpark(thread);
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join(STOP_GRACE_MILLIS);
                if (thread.isAlive()) {
                    // The listener is stuck (blocked, sleeping): interruption is how we ask it to return.
                    thread.interrupt();
                    thread.join(INTERRUPT_GRACE_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.warn("subscription listener did not return within {} ms of close; its thread ends when it does "
                        + "[subscription={}]", STOP_GRACE_MILLIS + INTERRUPT_GRACE_MILLIS, name);
            }
        }
        io.lock();
        try {
            closeResources();
        } finally {
            io.unlock();
        }
        owner.forget(this);
    }

    /** The lock the replay merge takes while it touches its views. */
    ReentrantLock ioLock() {
        return io;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public long delivered() {
        return delivered.get();
    }

    @Override
    public long listenerFailures() {
        return listenerFailures.get();
    }

    @Override
    public long lag() {
        ChronicleJournal.Pin p = pin;
        return p == null || isClosed() ? 0 : p.lagEntries();
    }

    @Override
    public DataSize lagSize() {
        ChronicleJournal.Pin p = pin;
        return DataSize.ofBytes(p == null || isClosed() ? 0 : p.lagBytes());
    }

    @Override
    public boolean isClosed() {
        return stopping.get();
    }

    @Override
    public Optional<HistorianException> failure() {
        return Optional.ofNullable(failure);
    }

    /** Corrupt journal entries skipped (each is logged). */
    long corruptEntries() {
        return corruptEntries.get();
    }

    /** The thread's name, for logs and tests. */
    String name() {
        return name;
    }

    @Override
    public String toString() {
        return "Subscription[" + name + ", pattern=" + pattern + ", state=" + state + ", delivered=" + delivered.get()
                + "]";
    }
}
