package io.historian.internal.forward;

import io.historian.DataSize;
import io.historian.DeadLetter;
import io.historian.ForwarderStatus;
import io.historian.Forwarding;
import io.historian.HistorianException;
import io.historian.Quality;
import io.historian.internal.forward.PositionFile.Position;
import io.historian.internal.journal.ChronicleJournal;
import io.historian.internal.journal.CorruptEntryException;
import io.historian.internal.journal.JournalEntryCodec;
import io.historian.internal.query.TagPattern;
import io.historian.spi.Forwarder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import net.openhft.chronicle.queue.ExcerptTailer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One forwarder: reads the journal (or the store, then the journal) on its own thread, hands
 * batches to the {@link Forwarder}, and commits its position durably once the target has
 * acknowledged a batch.
 *
 * <p><b>Invariants.</b> The committed {@link Position} never passes a sample the target has not
 * acknowledged or dead-lettered: a restart from it sends again at most what followed the last
 * acknowledgement. While it reads the journal, the forwarder's {@link ChronicleJournal.Pin} keeps
 * every segment from its read position on, up to {@link Forwarder#journalBudget()} of lag; past
 * that the pin is overrun (the segments may go) and the forwarder reads the store from its
 * watermark (the largest timestamp acknowledged) less {@link Forwarder#replayOverlap()}, joined to
 * the journal at a seam exactly as a replaying subscription is. The pin outlives failures of the
 * target and of this thread's loop: it is given up only when a new one has been taken.
 *
 * <p><b>Threads.</b> {@code historian-forwarder-NAME} owns the tailer, the pin, the replay and
 * the batch; calls into the forwarder run on {@code historian-forwarder-NAME-call}, so that one
 * that hangs past {@link Forwarder#callTimeout()} is abandoned (interrupted, its thread replaced)
 * and the forwarder closed and opened again. Any error in the loop is logged and counted, and the
 * loop starts again from the committed position after a backoff: nothing a forwarder does reaches
 * a writer, the store writer or another forwarder. The API's calls set volatile requests.
 *
 * <p><b>Crash recovery.</b> The position file says where to resume: in the journal at an entry
 * (skipping the samples of it already acknowledged), or in the store from a timestamp. If the
 * journal no longer holds the entry, the forwarder reads the store from its watermark.
 */
final class ForwarderRunner implements Forwarding, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ForwarderRunner.class);
    private static final int SLICE = 4096;
    private static final long STOP_GRACE_MILLIS = 5_000;
    /** Replay from the earliest stored sample. */
    private static final long EARLIEST = Long.MIN_VALUE;
    private static final long NO_REQUEST = Long.MAX_VALUE;

    private final Forwarder target;
    private final ForwardingSource source;
    private final ChronicleJournal journal;
    private final String name;
    private final String pattern;
    private final long budgetBytes;
    private final long overlapMillis;
    private final long batchDelayNanos;
    private final long minBackoffNanos;
    private final long maxBackoffNanos;
    private final long callTimeoutNanos;
    private final PositionFile positionFile;
    private final DeadLetterStore deadLetters;
    private final int sessionCycle;
    private final Thread thread;
    private ExecutorService calls;

    /** Guards the store replay's touches of the store against its close. */
    private final ReentrantLock io = new ReentrantLock();
    private ExcerptTailer tailer;
    private ChronicleJournal.Pin pin;
    private ForwardingSource.StoreReplay replay;
    private Position committed;
    private boolean targetOpen;

    private final ChronicleJournal.EntryReader reader = new ChronicleJournal.EntryReader();
    private final JournalEntryCodec.Slices slices = new JournalEntryCodec.Slices();
    private final int[] sliceTags = new int[SLICE];
    private final long[] sliceTs = new long[SLICE];
    private final double[] sliceValues = new double[SLICE];
    private final int[] sliceQualities = new int[SLICE];
    private int sliceLength;
    private int slicePos;
    private boolean entryOpen;
    private long entryIndex;
    private int entryConsumed;
    private boolean entryInSession;
    /** The entry whose first {@link #skipCount} samples were acknowledged before a restart. */
    private long skipIndex = -1;
    private int skipCount;
    /** Per tag id: 0 not looked at yet, 1 matches, 2 does not. */
    private byte[] matches = new byte[64];
    private String[] names = new String[64];

    private final BatchBuffer batch;
    /**
     * Where the forwarder resumes once the batch is acknowledged, in fields rather than a
     * {@link Position} per sample: the store from {@link #pendingFrom}, or the journal at
     * {@link #pendingIndex} with {@link #pendingDone} samples done. Dirty until committed.
     */
    private boolean pendingStore;
    private long pendingIndex;
    private int pendingDone;
    private long pendingFrom;
    private boolean pendingDirty;
    private long consumedInSession;
    private long watermark = Long.MIN_VALUE;

    private volatile boolean stopping;
    /** Set by the first {@link #stop()}, on the closing thread. */
    private boolean stopped;
    private volatile long replayRequest = NO_REQUEST;
    private volatile boolean retryRequested;
    private volatile ForwarderStatus.State state = ForwarderStatus.State.STARTING;
    private volatile String lastError;
    private volatile long ackedInSession;
    private volatile long oldestUnacked = Long.MIN_VALUE;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();

    /**
     * Opens the forwarder's files and takes its place in the journal; the caller runs this before
     * the store writer starts, so that no segment the forwarder still needs is released meanwhile.
     */
    ForwarderRunner(Forwarder target, ForwardingSource source, Path directory) {
        this.target = target;
        this.source = source;
        this.journal = source.journal();
        this.name = target.name();
        this.pattern = Objects.requireNonNull(target.tagPattern(), "tagPattern");
        this.budgetBytes = target.journalBudget().bytes();
        this.overlapMillis = target.replayOverlap().toMillis();
        this.batchDelayNanos = target.maxBatchDelay().toNanos();
        this.minBackoffNanos = Math.max(1, target.minRetryBackoff().toNanos());
        this.maxBackoffNanos = Math.max(minBackoffNanos, target.maxRetryBackoff().toNanos());
        this.callTimeoutNanos = target.callTimeout().toNanos();
        this.batch = new BatchBuffer(target.maxBatchSamples());
        this.sessionCycle = journal.segment();
        try {
            java.nio.file.Files.createDirectories(directory);
        } catch (java.io.IOException e) {
            throw new HistorianException("cannot create a forwarder's directory [forwarder=" + name + ", dir="
                    + directory + "]", e);
        }
        this.positionFile = new PositionFile(directory.resolve("position"), source.syncWrites());
        this.deadLetters = new DeadLetterStore(directory.resolve("dead-letters"), target.deadLetterCapacity(),
                source.syncWrites());
        this.calls = newCalls();
        this.thread = new Thread(this, "historian-forwarder-" + name);
        thread.setDaemon(true);
        Position p = positionFile.read();
        if (p == null) {
            // A new forwarder starts with what is written from now on.
            source.atSeam(seam -> {
                openJournalAfterSeam(seam);
                return null;
            });
            commitPending();
        } else {
            committed = p;
            watermark = p.watermark();
            resume(p);
        }
    }

    private ExecutorService newCalls() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "historian-forwarder-" + name + "-call");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        thread.start();
    }

    // ---------------------------------------------------------------- positioning

    /** Positions at a committed position: the journal if it still holds the entry, else the store. */
    private void resume(Position p) {
        // The store is read on the forwarder's thread once the historian has replayed its journal
        // into it: a read before would miss the entries it has not applied yet.
        if (p.replay()) {
            replayRequest = p.replayFrom();
            return;
        }
        boolean found = source.atSeam(seam -> openJournalAt(p.entryIndex(), p.samplesDone()));
        if (!found) {
            LOG.warn("forwarder's journal position is gone; it reads the store from its watermark [forwarder={},"
                    + " index={}]", name, Long.toHexString(p.entryIndex()));
            replayRequest = fallbackFrom();
        }
    }

    /**
     * Pins and positions the tailer at {@code index}; under the write lock. False if the journal
     * no longer holds that entry.
     */
    private boolean openJournalAt(long index, int done) {
        int cycle = journal.cycleOf(index);
        if (heldBytes(cycle) > budgetBytes) {
            // Held over from earlier sessions beyond the budget: the store serves it instead.
            return false;
        }
        ChronicleJournal.Pin newPin;
        try {
            newPin = journal.pin(index, budgetBytes, lag -> { });
        } catch (IllegalStateException e) {
            return false;
        }
        ExcerptTailer t = journal.createTailer();
        boolean at = t.moveToIndex(index);
        if (!at && done == 0) {
            // The start of a segment no entry was appended to: the next segment on disk, or the end.
            for (Integer c : journal.segmentFiles().keySet()) {
                if (c >= cycle && t.moveToIndex(journal.firstIndexOf(c))) {
                    at = true;
                    break;
                }
            }
            if (!at) {
                t.toEnd();
                at = true;
            }
        }
        if (!at) {
            t.close();
            newPin.close();
            return false;
        }
        replaceJournal(t, newPin);
        skipIndex = index;
        skipCount = done;
        pendingJournal(index, done);
        state = ForwarderStatus.State.FORWARDING;
        return true;
    }

    /** The bytes of the journal's segment files from {@code cycle} on. */
    private long heldBytes(int cycle) {
        long sum = 0;
        for (var file : journal.segmentFiles().entrySet()) {
            if (file.getKey() >= cycle) {
                sum += file.getValue().toFile().length();
            }
        }
        return sum;
    }

    /** Pins and positions the tailer right after the seam; under the write lock. */
    private void openJournalAfterSeam(long seam) {
        ChronicleJournal.Pin newPin = journal.pin(seam, budgetBytes, lag -> { });
        ExcerptTailer t = journal.createTailer();
        t.toEnd();
        replaceJournal(t, newPin);
        skipIndex = -1;
        pendingAfterSeam(seam);
        consumedInSession = source.journaledSamples();
        state = ForwarderStatus.State.FORWARDING;
    }

    /** Right after the seam: past entry {@code seam}, or the start of the segment being appended to. */
    private void pendingAfterSeam(long seam) {
        if (seam >= 0) {
            pendingJournal(seam, Position.ENTRY_DONE);
        } else {
            pendingJournal(journal.firstIndexOf(journal.segment()), 0);
        }
    }

    private void pendingJournal(long index, int done) {
        pendingStore = false;
        pendingIndex = index;
        pendingDone = done;
        pendingDirty = true;
    }

    private void pendingStore(long from) {
        pendingStore = true;
        pendingFrom = from;
        pendingDirty = true;
    }

    private void replaceJournal(ExcerptTailer t, ChronicleJournal.Pin newPin) {
        closeReading();
        tailer = t;
        pin = newPin;
        entryOpen = false;
    }

    /** Reads the store from {@code from}, then the journal after the seam; commits that position first. */
    private void openStore(long from) {
        ChronicleJournal.Pin[] taken = new ChronicleJournal.Pin[1];
        ExcerptTailer[] atEnd = new ExcerptTailer[1];
        long[] journaledAtSeam = new long[1];
        ForwardingSource.StoreReplay r = source.openReplay(from, pattern, io, seam -> {
            taken[0] = journal.pin(seam, budgetBytes, lag -> { });
            if (seam < 0) {
                // Nothing appended this session yet: the end is the seam, and only under the write lock.
                atEnd[0] = journal.createTailer();
                atEnd[0].toEnd();
            }
            journaledAtSeam[0] = source.journaledSamples();
            return taken[0];
        });
        io.lock();
        try {
            closeReading();
            replay = r;
            pin = r.pin();
            tailer = atEnd[0];
        } finally {
            io.unlock();
        }
        consumedInSession = journaledAtSeam[0];
        entryOpen = false;
        skipIndex = -1;
        pendingStore(from);
        commitPending();
        state = ForwarderStatus.State.REPLAYING;
    }

    /** At the end of a store replay: the journal from right after the seam on. */
    private void replayDone() {
        long seam = replay.seamIndex();
        io.lock();
        try {
            replay.close();
            replay = null;
        } finally {
            io.unlock();
        }
        if (tailer == null) {
            tailer = journal.createTailer();
            if (!tailer.moveToIndex(seam) || !reader.read(tailer) || reader.index() != seam) {
                throw new HistorianException("cannot find the journal entry a forwarder's replay ends at [forwarder="
                        + name + ", index=" + Long.toHexString(seam) + "]");
            }
        }
        pendingAfterSeam(seam);
        state = ForwarderStatus.State.FORWARDING;
    }

    private long fallbackFrom() {
        long from = Math.min(watermark, batch.minTimestamp());
        if (from == Long.MIN_VALUE || from == Long.MAX_VALUE) {
            return EARLIEST;
        }
        return from - overlapMillis;
    }

    private void closeReading() {
        io.lock();
        try {
            if (replay != null) {
                replay.close();
                replay = null;
            }
        } finally {
            io.unlock();
        }
        if (tailer != null) {
            tailer.close();
            tailer = null;
        }
        if (pin != null) {
            pin.close();
            pin = null;
        }
    }

    // ---------------------------------------------------------------- the loop

    @Override
    public void run() {
        int failures = 0;
        while (!stopping) {
            try {
                loop();
            } catch (Throwable t) {
                if (t instanceof VirtualMachineError e) {
                    throw e;
                }
                if (stopping) {
                    break;
                }
                restarts.incrementAndGet();
                lastError = t.toString();
                LOG.error("forwarder failed; it starts again from its committed position [forwarder={}]", name, t);
                closeTarget();
                batch.clear();
                backoff(failures++);
                try {
                    // Takes the new place before the old pin goes, so the segments between stay.
                    ChronicleJournal.Pin old = pin;
                    pin = null;
                    resume(committed);
                    if (old != null && old != pin) {
                        old.close();
                    }
                } catch (RuntimeException e) {
                    lastError = e.toString();
                    LOG.error("forwarder cannot take its place again [forwarder={}]", name, e);
                }
            }
        }
        closeTarget();
        state = ForwarderStatus.State.CLOSED;
    }

    private void loop() {
        while (!stopping) {
            long request = replayRequest;
            if (request != NO_REQUEST) {
                replayRequest = NO_REQUEST;
                batch.clear();
                openStore(request);
                continue;
            }
            if (retryRequested) {
                retryRequested = false;
                sendDeadLettersAgain();
                continue;
            }
            if (!fill()) {
                continue;
            }
            if (batch.size == 0) {
                if (pendingDirty) {
                    // Only unmatched samples passed: move on without the target.
                    commitPending();
                }
                continue;
            }
            if (sendWithRetries()) {
                acknowledge();
            }
        }
    }

    /**
     * Fills the batch up to its size or its delay. Returns false when the loop should look at
     * requests first (the batch is then empty, or kept for the next call).
     */
    private boolean fill() {
        long first = 0;
        int idle = 0;
        int steps = 0;
        while (!batch.isFull()) {
            if (stopping || replayRequest != NO_REQUEST || retryRequested) {
                return batch.size > 0 && !stopping && replayRequest == NO_REQUEST;
            }
            int before = batch.size;
            boolean progressed = step();
            if (batch.size > before && before == 0) {
                first = System.nanoTime();
                oldestUnacked = batch.timestamps[0];
            }
            if ((++steps & 255) == 0 && batch.size > 0 && System.nanoTime() - first >= batchDelayNanos) {
                return true;
            }
            if (!progressed) {
                if (batch.size > 0 && System.nanoTime() - first >= batchDelayNanos) {
                    return true;
                }
                if (batch.size == 0 && pendingDirty) {
                    return true;
                }
                idle = Math.min(idle + 1, 200);
                LockSupport.parkNanos(idle < 100 ? 50_000 : 1_000_000);
            } else {
                idle = 0;
            }
        }
        return true;
    }

    /** Consumes one sample (adding it to the batch if it matches) or one entry; false if nothing is there yet. */
    private boolean step() {
        if (replay != null) {
            boolean more;
            io.lock();
            try {
                more = replay.next();
            } finally {
                io.unlock();
            }
            if (!more) {
                replayDone();
                return true;
            }
            long ts = replay.timestamp();
            batch.add(nameOf(replay.tagId()), ts, replay.value(), replay.quality());
            pendingStore(ts);
            return true;
        }
        if (slicePos < sliceLength) {
            int i = slicePos++;
            entryConsumed++;
            if (entryInSession) {
                consumedInSession++;
            }
            if (matches(sliceTags[i])) {
                batch.add(names[sliceTags[i]], sliceTs[i], sliceValues[i], sliceQualities[i]);
            }
            pendingJournal(entryIndex, entryConsumed);
            return true;
        }
        if (entryOpen) {
            try {
                sliceLength = slices.next(sliceTags, sliceTs, sliceValues, sliceQualities);
            } catch (CorruptEntryException e) {
                throw new IllegalStateException("a validated journal entry failed to decode", e);
            }
            slicePos = 0;
            if (sliceLength > 0) {
                return true;
            }
            entryOpen = false;
            pendingJournal(entryIndex, Position.ENTRY_DONE);
            return true;
        }
        if (!reader.read(tailer)) {
            return false;
        }
        // An overrun pin no longer holds segments: what was read after it may come from a gap.
        if (pin.overrun()) {
            long from = fallbackFrom();
            LOG.warn("forwarder fell beyond its journal budget; it reads the store from {} [forwarder={}, budget={}]",
                    from == EARLIEST ? "the earliest sample" : Instant.ofEpochMilli(from), name,
                    DataSize.ofBytes(budgetBytes));
            batch.clear();
            openStore(from);
            return true;
        }
        pin.read(reader.index(), reader.length());
        entryIndex = reader.index();
        entryConsumed = 0;
        entryInSession = journal.cycleOf(entryIndex) >= sessionCycle;
        try {
            int count = slices.open(reader.bytes(), 0, reader.length(), source.tagCount(), SLICE);
            entryOpen = true;
            sliceLength = 0;
            slicePos = 0;
            if (entryIndex == skipIndex) {
                skipIndex = -1;
                int skip = skipCount == Position.ENTRY_DONE ? count : Math.min(skipCount, count);
                skipSamples(skip);
            }
        } catch (CorruptEntryException e) {
            entryOpen = false;
            pendingJournal(entryIndex, Position.ENTRY_DONE);
            LOG.error("forwarder skips a corrupt journal entry [forwarder={}, index={}, dir={}]: {}", name,
                    Long.toHexString(entryIndex), journal.directory(), e.getMessage());
        }
        return true;
    }

    private void skipSamples(int skip) throws CorruptEntryException {
        int left = skip;
        while (left > 0) {
            int n = slices.next(sliceTags, sliceTs, sliceValues, sliceQualities);
            if (n == 0) {
                break;
            }
            int take = Math.min(n, left);
            left -= take;
            entryConsumed += take;
            if (entryInSession) {
                consumedInSession += take;
            }
            sliceLength = n;
            slicePos = take;
        }
        pendingJournal(entryIndex, entryConsumed);
    }

    private boolean matches(int id) {
        if (id >= matches.length) {
            int c = Math.max(id + 1, matches.length * 2);
            matches = Arrays.copyOf(matches, c);
            names = Arrays.copyOf(names, c);
        }
        byte m = matches[id];
        if (m == 0) {
            String tag = source.tagName(id);
            names[id] = tag;
            m = TagPattern.matches(pattern, tag) ? (byte) 1 : (byte) 2;
            matches[id] = m;
        }
        return m == 1;
    }

    private String nameOf(int id) {
        matches(id);
        return names[id];
    }

    // ---------------------------------------------------------------- sending

    /** Sends the batch until the target acknowledges it; false if a stop or a replay request came first. */
    private boolean sendWithRetries() {
        int attempt = 0;
        while (!stopping && replayRequest == NO_REQUEST) {
            batch.resetOutcome();
            try {
                if (!targetOpen) {
                    call(() -> {
                        target.open();
                        return null;
                    });
                    targetOpen = true;
                }
                call(() -> {
                    target.send(batch);
                    return null;
                });
                if (replay == null) {
                    state = ForwarderStatus.State.FORWARDING;
                } else {
                    state = ForwarderStatus.State.REPLAYING;
                }
                return true;
            } catch (Exception e) {
                lastError = e.toString();
                if (attempt == 0) {
                    LOG.warn("forwarder's target failed; retrying with backoff [forwarder={}, samples={}]: {}", name,
                            batch.size, e.toString());
                }
                retried.addAndGet(batch.size);
                ForwarderStatus.State before = state;
                state = ForwarderStatus.State.BACKING_OFF;
                backoff(attempt++);
                state = before;
            }
        }
        return false;
    }

    /** Dead-letters the refused samples, counts, and commits the position. */
    private void acknowledge() {
        int refusedCount = batch.refusedCount();
        if (refusedCount > 0) {
            List<DeadLetter> letters = new ArrayList<>(refusedCount);
            Instant now = Instant.ofEpochMilli(source.clockMillis());
            for (int i = 0; i < batch.size; i++) {
                String reason = batch.refusal(i);
                if (reason != null) {
                    letters.add(new DeadLetter(batch.tags[i], Instant.ofEpochMilli(batch.timestamps[i]),
                            batch.values[i], Quality.of(batch.qualities[i]), reason, now));
                }
            }
            deadLetters.add(letters);
            deadLettered.addAndGet(refusedCount);
            LOG.warn("forwarder's target refused samples for good; they are dead letters [forwarder={}, samples={},"
                    + " first reason={}]", name, refusedCount, letters.get(0).reason());
        }
        long max = watermark;
        for (int i = 0; i < batch.size; i++) {
            max = Math.max(max, batch.timestamps[i]);
        }
        watermark = max;
        sent.addAndGet(batch.size - refusedCount);
        bytes.addAndGet(batch.bytes());
        batch.clear();
        commitPending();
    }

    private void commitPending() {
        Position p = pendingStore ? Position.store(pendingFrom, watermark)
                : Position.journal(pendingIndex, pendingDone, watermark);
        positionFile.write(p);
        committed = p;
        pendingDirty = false;
        ackedInSession = consumedInSession;
        oldestUnacked = Long.MIN_VALUE;
    }

    private void sendDeadLettersAgain() {
        List<DeadLetter> all = deadLetters.list();
        if (all.isEmpty()) {
            return;
        }
        // The batch holds no unacknowledged samples here: the loop calls this between batches.
        for (int from = 0; from < all.size() && !stopping; from += batch.tags.length) {
            List<DeadLetter> part = all.subList(from, Math.min(all.size(), from + batch.tags.length));
            batch.clear();
            for (DeadLetter letter : part) {
                batch.add(letter.tag(), letter.timestamp().toEpochMilli(), letter.value(), letter.quality().code());
            }
            if (!sendWithRetries()) {
                batch.clear();
                return;
            }
            List<DeadLetter> again = new ArrayList<>();
            Instant now = Instant.ofEpochMilli(source.clockMillis());
            for (int i = 0; i < batch.size; i++) {
                String reason = batch.refusal(i);
                if (reason != null) {
                    DeadLetter old = part.get(i);
                    again.add(new DeadLetter(old.tag(), old.timestamp(), old.value(), old.quality(), reason, now));
                }
            }
            sent.addAndGet(batch.size - again.size());
            bytes.addAndGet(batch.bytes());
            deadLetters.replace(part, again);
            batch.clear();
        }
    }

    private void call(Callable<Void> action) throws Exception {
        Future<Void> f = calls.submit(action);
        try {
            f.get(callTimeoutNanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw new HistorianException("forwarder threw " + cause, cause);
        } catch (TimeoutException e) {
            // Hung: abandon the call's thread (interrupted, replaced) and start the target over.
            f.cancel(true);
            calls.shutdownNow();
            calls = newCalls();
            targetOpen = false;
            restarts.incrementAndGet();
            closeTarget();
            throw new HistorianException("forwarder call did not return within " + target.callTimeout().toMillis()
                    + " ms [forwarder=" + name + "]", null, true);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    private void closeTarget() {
        targetOpen = false;
        Future<?> f = calls.submit(target::close);
        try {
            f.get(callTimeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            f.cancel(true);
            LOG.warn("forwarder's close failed [forwarder={}]: {}", name, e.toString());
        }
    }

    /** Waits the backoff of the attempt (exponential, full jitter over its upper half); returns early on a stop or request. */
    private void backoff(int attempt) {
        long cap = attempt >= 62 ? maxBackoffNanos : Math.min(maxBackoffNanos, minBackoffNanos << Math.min(attempt, 40));
        if (cap <= 0) {
            cap = maxBackoffNanos;
        }
        long wait = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
        long deadline = System.nanoTime() + wait;
        Thread.interrupted();
        while (!stopping && replayRequest == NO_REQUEST) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(Math.min(left, 10_000_000));
        }
    }

    // ---------------------------------------------------------------- the API

    @Override
    public String name() {
        return name;
    }

    @Override
    public ForwarderStatus status() {
        long lag = stopping ? 0 : Math.max(0, source.journaledSamples() - ackedInSession);
        long oldest = oldestUnacked;
        long lagMillis = lag == 0 || oldest == Long.MIN_VALUE ? 0 : Math.max(0, source.clockMillis() - oldest);
        return new ForwarderStatus(name, state, lag, Duration.ofMillis(lagMillis), sent.get(), retried.get(),
                deadLettered.get(), deadLetters.size(), deadLetters.dropped(), bytes.get(), restarts.get(), lastError);
    }

    @Override
    public void replayFrom(Instant from) {
        Objects.requireNonNull(from, "from");
        requestReplay(from.toEpochMilli());
    }

    @Override
    public void replayFromEarliest() {
        requestReplay(EARLIEST);
    }

    private void requestReplay(long from) {
        checkOpen();
        replayRequest = from;
        LockSupport.unpark(thread);
    }

    @Override
    public List<DeadLetter> readDeadLetters() {
        checkOpen();
        return deadLetters.list();
    }

    @Override
    public void retryDeadLetters() {
        checkOpen();
        retryRequested = true;
        LockSupport.unpark(thread);
    }

    @Override
    public int purgeDeadLetters() {
        checkOpen();
        return deadLetters.purge();
    }

    private void checkOpen() {
        if (stopping) {
            throw new IllegalStateException("forwarder is closed [forwarder=" + name + "]");
        }
    }

    /** Stops the thread and closes the forwarder; keeps the pin. Idempotent. */
    void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        stopping = true;
        LockSupport.unpark(thread);
        if (thread.isAlive()) {
            try {
                thread.join(STOP_GRACE_MILLIS);
                if (thread.isAlive()) {
                    thread.interrupt();
                    thread.join(STOP_GRACE_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            closeTarget();
        }
        if (thread.isAlive()) {
            LOG.warn("forwarder's thread did not stop within {} ms of close [forwarder={}]", 2 * STOP_GRACE_MILLIS,
                    name);
        }
        calls.shutdownNow();
        state = ForwarderStatus.State.CLOSED;
    }

    /** Stops, then frees the tailer, the pin and the files. Idempotent. */
    void close() {
        stop();
        closeReading();
        positionFile.close();
        deadLetters.close();
    }

    @Override
    public String toString() {
        return "Forwarder[" + name + ", state=" + state + ", sent=" + sent.get() + "]";
    }
}
