package io.historian.internal.journal;

import io.historian.DataSize;
import io.historian.DiskFullException;
import io.historian.HistorianException;
import io.historian.JournalFullException;
import io.historian.OverflowPolicy;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead journal on Chronicle Queue, split into size-bounded segments.
 *
 * <p><b>Segments.</b> Chronicle rolls files by time. We give the queue our own time source whose
 * "day" is a segment number, and move to the next segment when the current one has taken
 * {@code segmentBytes}. Files therefore roll by size, not by the wall clock: deletion is granular
 * whatever the ingest rate, and no cycle can approach Chronicle's index capacity (4 billion
 * entries per cycle with {@code FAST_DAILY}). A new session always starts a new segment, so it
 * never appends behind an entry a killed process left half-written.
 *
 * <p><b>Budget.</b> The bytes of live segments count against the budget: entries appended by
 * this session exactly, segments found at open by their file length (at most one segment each).
 * A full journal blocks or rejects according to the {@link OverflowPolicy}; {@link #release}
 * deletes the segments wholly before the store's checkpoint and wakes blocked writers.
 *
 * <p><b>Pins.</b> A subscription reads the journal with its own tailer and holds a {@link Pin}
 * on the segment it reads. {@link #release} takes segments before the store's checkpoint off the
 * budget at once, so a slow subscriber never slows ingest, but deletes only those before every
 * pin as well; the rest go when their last pin moves on or closes. What pins hold is bounded per
 * pin: after the append that takes a pin's reader more than its limit behind, the pin is overrun
 * (its callback runs and it stops holding anything). An append costs one comparison for this
 * ({@link #nextPinCheck}); the pins are looked at only when one of them may have passed its limit.
 *
 * <p><b>Threads.</b> {@link #append} is called by one thread at a time (the historian's write
 * lock); the tailer belongs to the store writer thread; {@link #release} runs on the store
 * writer; {@link #sync} on any thread. A pin is created under the historian's write lock and
 * moved by its subscription's thread; deletions are serialized by {@code pinLock}.
 */
public final class ChronicleJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChronicleJournal.class);
    /** The suffix of a segment file set aside at open because it never got a complete header. */
    public static final String SET_ASIDE_SUFFIX = ".incomplete";
    /** The suffix of a segment file set aside at open because it was cut short. */
    public static final String CUT_SUFFIX = ".cut";
    /** Chronicle's header word: the length in the low 30 bits, then the metadata and not-complete flags. */
    private static final int HEADER_NOT_COMPLETE = 0x8000_0000;
    private static final int HEADER_META_DATA = 0x4000_0000;
    private static final int HEADER_LENGTH_MASK = 0x3FFF_FFFF;
    private static final DateTimeFormatter CYCLE_FORMAT = DateTimeFormatter.BASIC_ISO_DATE;
    private static final long CYCLE_MILLIS = RollCycles.FAST_DAILY.lengthInMillis();
    /** Chronicle's per-entry header. */
    private static final int ENTRY_OVERHEAD = 4;
    /** Chronicle's largest block; a quarter of it bounds one entry. */
    private static final long MAX_BLOCK_BYTES = 1L << 30;

    private final Path directory;
    private final long segmentBytes;
    private final long budgetBytes;
    private final long maxEntryBytes;
    private final OverflowPolicy overflowPolicy;
    private final Duration blockTimeout;
    private final SingleChronicleQueue queue;
    private final ConcurrentSkipListMap<Integer, Long> bytesPerSegment = new ConcurrentSkipListMap<>();
    /** Bytes of the segments found at open; with {@link #appendedBytes} less {@link #freedBytes}, the bytes used. */
    private final long bytesAtOpen;
    /**
     * Bytes of released segments. Apart from {@link #appendedBytes}, so that an append makes an
     * ordered store instead of an atomic add, which cost a few percent of a single-sample write.
     */
    private final AtomicLong freedBytes = new AtomicLong();
    private final AtomicLong fullEvents = new AtomicLong();
    private final AtomicLong blockedNanos = new AtomicLong();
    private final ReentrantLock budgetLock = new ReentrantLock();
    private final Condition spaceFreed = budgetLock.newCondition();
    private volatile int segment;
    /** Bytes appended to the current segment; written by the appending thread only. */
    private long segmentFill;
    private volatile long lastAppendedIndex = -1;
    private volatile boolean writersWaiting;
    private volatile int unsyncedFromSegment;
    /** Bytes and entries appended by this session; one writer, read by pins for their lag. */
    private final AtomicLong appendedBytes = new AtomicLong();
    private final AtomicLong appendedEntries = new AtomicLong();
    private final java.util.concurrent.CopyOnWriteArrayList<Pin> pins = new java.util.concurrent.CopyOnWriteArrayList<>();
    /**
     * The smallest {@code appendedBytes} at which some pin may lag beyond its limit (a reader's
     * position only grows, so no pin can overrun earlier): each append compares one long with it
     * and looks at the pins only past it. Lowered by {@link #pin}, raised by {@link #checkPins};
     * both run under the historian's write lock, so they never interleave.
     */
    private volatile long nextPinCheck = Long.MAX_VALUE;
    /** Guards pin registration against deletion. */
    private final Object pinLock = new Object();
    /** Segments before this one are committed to the store; those no pin holds are deleted. */
    private volatile int releasedBefore = Integer.MIN_VALUE;
    private final java.util.List<Path> setAside;
    private final java.util.List<String> truncated;
    private final java.nio.file.FileStore fileStore;
    private final long diskReserveBytes;
    /** {@link #appendedBytes} at which free space is asked again; appending thread only. */
    private long diskCheckAt;
    /** Free space at the last look, or -1 before the first. */
    private volatile long diskFree = -1;
    /** Why appends are refused now, or null while they are accepted. */
    private volatile String refusal;
    /** The size of the entry last refused for want of space. */
    private volatile long refusedNeed;
    /** Set when an append failed inside Chronicle; the next append starts a fresh segment. */
    private volatile boolean appenderBroken;
    private ExcerptAppender appender;

    /**
     * Opens or creates the journal in {@code directory}.
     */
    public ChronicleJournal(Path directory, DataSize segmentSize, DataSize budget, OverflowPolicy overflowPolicy,
            Duration blockTimeout, DataSize maxEntry, DataSize diskReserve) {
        this(directory, segmentSize, budget, overflowPolicy, blockTimeout, maxEntry, diskReserve, -1, false);
    }

    /**
     * Opens or creates the journal in {@code directory}, knowing the store's checkpoint: a
     * segment found cut short is harmless when the store has committed all of it, and set aside;
     * otherwise the open is refused with a {@link HistorianException} naming the file, unless
     * {@code salvage} sets it aside too (its uncommitted entries are then lost, and reported).
     *
     * @param checkpointIndex the index of the store's checkpoint entry, or -1 if the store has none
     * @param salvage set aside a cut segment the store still needs instead of refusing to open
     */
    public ChronicleJournal(Path directory, DataSize segmentSize, DataSize budget, OverflowPolicy overflowPolicy,
            Duration blockTimeout, DataSize maxEntry, DataSize diskReserve, long checkpointIndex, boolean salvage) {
        this.directory = directory;
        this.diskReserveBytes = diskReserve.bytes();
        this.segmentBytes = segmentSize.bytes();
        this.budgetBytes = budget.bytes();
        this.overflowPolicy = overflowPolicy;
        this.blockTimeout = blockTimeout;
        this.maxEntryBytes = blockSizeFor(segmentBytes, maxEntry.bytes()) / 4 - ENTRY_OVERHEAD;
        try {
            Files.createDirectories(directory);
            this.fileStore = Files.getFileStore(directory);
        } catch (IOException e) {
            throw new HistorianException("cannot create the journal directory [dir=" + directory + "]", e);
        }
        this.setAside = setAsideIncompleteSegments();
        int lastExisting = Integer.MIN_VALUE;
        long atOpen = 0;
        for (Map.Entry<Integer, Path> file : segmentFiles().entrySet()) {
            long length = file.getValue().toFile().length();
            long counted = Math.min(length, segmentBytes + ENTRY_OVERHEAD * 1024L);
            bytesPerSegment.put(file.getKey(), counted);
            atOpen += counted;
            lastExisting = Math.max(lastExisting, file.getKey());
        }
        this.bytesAtOpen = atOpen;
        this.segment = lastExisting == Integer.MIN_VALUE ? 0 : lastExisting + 1;
        this.unsyncedFromSegment = segment;
        TimeProvider segmentClock = new TimeProvider() {
            @Override
            public long currentTimeMillis() {
                return segment * CYCLE_MILLIS;
            }

            @Override
            public long currentTimeMicros() {
                return currentTimeMillis() * 1000;
            }

            @Override
            public long currentTimeNanos() {
                return currentTimeMillis() * 1_000_000;
            }
        };
        long blockSize = blockSizeFor(segmentBytes, maxEntry.bytes());
        Map<Integer, Long> lengthsAtOpen = new java.util.TreeMap<>();
        segmentFiles().forEach((cycle, file) -> lengthsAtOpen.put(cycle, file.toFile().length()));
        SingleChronicleQueue opened = openQueue(segmentClock, blockSize);
        java.util.List<String> cut = setAsideCutSegments(opened, lengthsAtOpen, checkpointIndex, salvage);
        if (!cut.isEmpty()) {
            // Chronicle has the set-aside files mapped and listed: open again without them.
            opened.close();
            opened = openQueue(segmentClock, blockSize);
        }
        this.truncated = java.util.List.copyOf(cut);
        this.queue = opened;
        this.appender = queue.createAppender();
        // Writes come from many threads, serialized by the historian's write lock.
        appender.singleThreadedCheckDisabled(true);
    }

    /**
     * Renames every segment file whose first header never completed: a process killed while
     * Chronicle created the file leaves its header word unwritten or marked not complete, and
     * Chronicle then waits on that header, about a minute per open and per close, as if another
     * process were still writing it. Entries follow the header, so such a file holds none; it is
     * kept, renamed with {@link #SET_ASIDE_SUFFIX}, for whoever investigates.
     */
    private java.util.List<Path> setAsideIncompleteSegments() {
        java.util.List<Path> moved = new java.util.ArrayList<>();
        for (Path file : segmentFiles().values()) {
            String problem = incompleteHeader(file);
            if (problem == null) {
                continue;
            }
            Path target = file.resolveSibling(file.getFileName() + SET_ASIDE_SUFFIX);
            try {
                Files.move(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new HistorianException("cannot set aside the journal segment " + file + " (" + problem + ")", e);
            }
            LOG.warn("journal segment {} {}: it holds no entry; set aside as {}", file, problem, target.getFileName());
            moved.add(target);
        }
        return java.util.List.copyOf(moved);
    }

    /** Why the segment's header is incomplete (it then holds no entry), or null when it is whole. */
    public static String incompleteHeader(Path file) {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            long length = channel.size();
            if (length < 4) {
                return "is " + length + " bytes long, shorter than a header";
            }
            java.nio.ByteBuffer word = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            while (word.hasRemaining() && channel.read(word, word.position()) >= 0) {
                // read fully
            }
            int header = word.getInt(0);
            if (header == 0) {
                return "has no header (zero-filled)";
            }
            if ((header & HEADER_NOT_COMPLETE) != 0 || (header & HEADER_META_DATA) == 0) {
                return String.format("has an incomplete header (word 0x%08x)", header);
            }
            long headerEnd = 4L + (header & HEADER_LENGTH_MASK);
            if (headerEnd > length) {
                return "is cut inside its header (" + length + " of " + headerEnd + " bytes)";
            }
            return null;
        } catch (IOException e) {
            throw new HistorianException("cannot read the journal segment " + file, e);
        }
    }

    private SingleChronicleQueue openQueue(TimeProvider segmentClock, long blockSize) {
        return SingleChronicleQueueBuilder.binary(directory)
                .rollCycle(RollCycles.FAST_DAILY)
                .timeProvider(segmentClock)
                .blockSize(blockSize)
                .build();
    }

    /**
     * Finds the segments that a copy, a restore or a file system cut short: Chronicle records
     * where its last entry starts ({@code writePosition}) in the file's header, and a file that
     * ends before that entry does has lost entries. Mapping the file extends it with zeros, which
     * read as "nothing written yet", so the length is taken before Chronicle opens the file. A
     * cut segment makes Chronicle's readers fail or stop early, so it cannot stay in the journal.
     *
     * @return what was found in each segment set aside
     */
    private java.util.List<String> setAsideCutSegments(SingleChronicleQueue opened, Map<Integer, Long> lengthsAtOpen,
            long checkpointIndex, boolean salvage) {
        int checkpointCycle = checkpointIndex < 0 ? Integer.MIN_VALUE : opened.rollCycle().toCycle(checkpointIndex);
        java.util.List<String> found = new java.util.ArrayList<>();
        java.util.List<Path> toMove = new java.util.ArrayList<>();
        for (Map.Entry<Integer, Long> segmentAtOpen : lengthsAtOpen.entrySet()) {
            int cycle = segmentAtOpen.getKey();
            long length = segmentAtOpen.getValue();
            Path file = segmentFiles().get(cycle);
            long needed = bytesWritten(opened, cycle, file);
            if (needed <= length) {
                continue;
            }
            String what = "journal segment " + file + " is cut short: " + length + " bytes on disk, but its entries run to"
                    + " byte " + needed;
            if (cycle >= checkpointCycle && !salvage) {
                opened.close();
                throw new io.historian.DamagedDataException(what + "; the store may not have committed them (its"
                        + " checkpoint lies in " + (checkpointIndex < 0 ? "no segment" : "segment " + checkpointCycle)
                        + "), so acknowledged samples would be lost. Restore the file, or open with Recovery.SALVAGE to"
                        + " go on without them [dir=" + directory + "]", file, null);
            }
            String outcome = cycle < checkpointCycle ? "the store has committed all of it" : "its uncommitted entries are lost";
            LOG.warn("{}; {}; set aside as {}{}", what, outcome, file.getFileName(), CUT_SUFFIX);
            found.add(what + "; " + outcome);
            toMove.add(file);
        }
        for (Path file : toMove) {
            try {
                Files.move(file, file.resolveSibling(file.getFileName() + CUT_SUFFIX),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                opened.close();
                throw new HistorianException("cannot set aside the cut journal segment " + file, e);
            }
        }
        return found;
    }

    /**
     * Where the entries of a segment end, by its header's record of its last entry and that
     * entry's length as far as the file holds it; 0 if Chronicle cannot read the segment's header.
     */
    private static long bytesWritten(SingleChronicleQueue opened, int cycle, Path file) {
        var store = opened.storeForCycle(cycle, opened.epoch(), false, null);
        if (store == null) {
            return 0;
        }
        try {
            long lastEntry = store.writePosition();
            if (lastEntry <= 0) {
                return 0;
            }
            long end = lastEntry + 4;
            try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
                java.nio.ByteBuffer word = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                if (channel.read(word, lastEntry) == 4) {
                    int header = word.getInt(0);
                    if ((header & HEADER_NOT_COMPLETE) == 0) {
                        end += header & HEADER_LENGTH_MASK;
                    }
                }
            }
            return end;
        } catch (IOException e) {
            throw new HistorianException("cannot read the journal segment " + file, e);
        } finally {
            opened.closeStore(store);
        }
    }

    /** What was found in each segment set aside at open because it was cut short; empty if none. */
    public java.util.List<String> truncated() {
        return truncated;
    }

    /** The segment files set aside at open, renamed; empty when every segment was whole. */
    public java.util.List<Path> setAside() {
        return setAside;
    }

    /**
     * Chronicle caps one entry at a quarter of the block size, and an entry holds a whole write
     * call. Blocks are mapped, not allocated: a large one costs address space, not disk or heap.
     */
    private static long blockSizeFor(long segmentBytes, long maxEntryBytes) {
        long block = Math.max(16L << 20, Long.highestOneBit(Math.max(1, segmentBytes / 4)) * 2);
        long forEntries = Long.highestOneBit(Math.max(1, (maxEntryBytes + ENTRY_OVERHEAD) * 4 - 1)) * 2;
        return Math.min(Math.max(block, forEntries), MAX_BLOCK_BYTES);
    }

    /** The largest entry {@link #append} takes, in bytes. */
    public long maxEntryBytes() {
        return maxEntryBytes;
    }

    /**
     * Appends one entry. The caller serializes calls. Applies the overflow policy when the budget
     * is reached; the exception leaves the journal untouched.
     *
     * @return the entry's index
     */
    public long append(byte[] entry, int length) {
        long need = length + ENTRY_OVERHEAD;
        if (need > budgetBytes) {
            fullEvents.incrementAndGet();
            throw new JournalFullException("entry of " + DataSize.ofBytes(need) + " is larger than the whole journal budget"
                    + " [dir=" + directory + ", budget=" + DataSize.ofBytes(budgetBytes) + "]; write smaller batches");
        }
        if (length > maxEntryBytes) {
            throw new IllegalArgumentException("entry of " + length + " bytes exceeds the journal's limit of "
                    + maxEntryBytes + " [dir=" + directory + "]");
        }
        if (usedBytes() + need > budgetBytes) {
            awaitSpace(need);
        }
        if (appendedBytes.get() + need >= diskCheckAt && !diskHas(need)) {
            awaitDisk(need);
        }
        if (appenderBroken) {
            replaceAppender();
        }
        if (segmentFill > 0 && segmentFill + need > segmentBytes) {
            closeSegment(1);
        }
        try {
            writeEntry(entry, length);
        } catch (InternalError e) {
            // A memory-mapped write that met a full disk (SIGBUS). The entry was rolled back and
            // not acknowledged; the next append starts a new segment after whatever is left.
            appenderBroken = true;
            diskCheckAt = 0;
            throw new HistorianException("the journal's disk ran out of space during an append; nothing of this call"
                    + " was acknowledged [dir=" + directory + ", reserve=" + DataSize.ofBytes(diskReserveBytes) + "]", e,
                    true);
        } catch (RuntimeException e) {
            appenderBroken = true;
            throw e;
        }
        long index = appender.lastIndexAppended();
        // The current segment's fill is a plain field: a map update per append would box.
        segmentFill += need;
        // Ordered stores suffice: pins only estimate their lag from these.
        long appended = appendedBytes.get() + need;
        appendedBytes.lazySet(appended);
        appendedEntries.lazySet(appendedEntries.get() + 1);
        lastAppendedIndex = index;
        if (appended > nextPinCheck) {
            // Per append, not per segment: a reader lagging past its limit is overrun within one entry.
            checkPins(appended);
        }
        return index;
    }

    private void awaitSpace(long need) {
        awaitRoom(() -> usedBytes() + need <= budgetBytes, this::full, "journal space");
    }

    /**
     * Writes one entry; an entry whose bytes could not all be written is rolled back, because
     * Chronicle otherwise completes the document on close with whatever part was written.
     */
    private void writeEntry(byte[] entry, int length) {
        DocumentContext dc = appender.writingDocument();
        try {
            dc.wire().bytes().write(entry, 0, length);
        } catch (RuntimeException | Error e) {
            dc.rollbackOnClose();
            throw e;
        } finally {
            dc.close();
        }
    }

    /**
     * Asks the file system for its free space; true if the entry fits above the reserve. The
     * next look comes after a quarter of the spare room is appended (64 MiB at most), because other
     * files share the disk: a statfs call per append would cost more than the append.
     */
    private boolean diskHas(long need) {
        long free;
        try {
            free = fileStore.getUsableSpace();
        } catch (IOException e) {
            // Cannot tell: let the append try, and look again at the next one.
            diskCheckAt = 0;
            return true;
        }
        diskFree = free;
        long spare = free - diskReserveBytes - need;
        if (spare < 0) {
            refusedNeed = need;
            refusal = "disk full: " + DataSize.ofBytes(free) + " free on the journal's file system, below the reserve of "
                    + DataSize.ofBytes(diskReserveBytes) + " [dir=" + directory + "]";
            return false;
        }
        refusal = null;
        diskCheckAt = appendedBytes.get() + need + Math.min(spare / 4, 64L << 20);
        return true;
    }

    private void awaitDisk(long need) {
        awaitRoom(() -> diskHas(need), policy -> new DiskFullException(refusal + "; policy=" + policy), "disk space");
    }

    /**
     * The overflow policy, for the budget and the disk alike: REJECT throws at once; BLOCK waits
     * until {@code hasRoom}, woken by {@link #release} or every 50 ms, until the block timeout.
     * The wait counts in the blocked time either way.
     */
    private void awaitRoom(java.util.function.BooleanSupplier hasRoom,
            java.util.function.Function<String, ? extends RuntimeException> refused, String what) {
        fullEvents.incrementAndGet();
        if (overflowPolicy == OverflowPolicy.REJECT) {
            throw refused.apply("REJECT");
        }
        long blockedFrom = System.nanoTime();
        long deadline = blockedFrom + blockTimeout.toNanos();
        budgetLock.lock();
        try {
            writersWaiting = true;
            while (!hasRoom.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw refused.apply("BLOCK, waited " + blockTimeout.toMillis() + " ms");
                }
                spaceFreed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HistorianException("interrupted while waiting for " + what + " [dir=" + directory + "]", e);
        } finally {
            writersWaiting = false;
            budgetLock.unlock();
            blockedNanos.addAndGet(System.nanoTime() - blockedFrom);
        }
    }

    /** After a failed append: a new appender on the next segment, past whatever the failure left. */
    private void replaceAppender() {
        try {
            appender.close();
        } catch (RuntimeException | InternalError e) {
            LOG.debug("closing the failed journal appender [dir={}]", directory, e);
        }
        closeSegment(1);
        appender = queue.createAppender();
        appender.singleThreadedCheckDisabled(true);
        appenderBroken = false;
        LOG.warn("journal appends go on in segment {} after a failed append [dir={}]", segment, directory);
    }

    /** Free space on the journal's file system at the last look, in bytes; -1 before the first. */
    public long diskFreeBytes() {
        return diskFree;
    }

    /** Why writes are refused now (the disk is below the reserve), or null while they are accepted. */
    public String refusal() {
        String reason = refusal;
        if (reason != null) {
            // Written by appends only: after space came back, the next append would clear it.
            try {
                long free = fileStore.getUsableSpace();
                diskFree = free;
                if (free - diskReserveBytes - refusedNeed >= 0) {
                    return null;
                }
            } catch (IOException e) {
                return reason;
            }
        }
        return reason;
    }

    private JournalFullException full(String policy) {
        return new JournalFullException("journal full [dir=" + directory + ", used=" + DataSize.ofBytes(usedBytes())
                + ", budget=" + DataSize.ofBytes(budgetBytes) + ", policy=" + policy + "]");
    }

    /** Nanoseconds writers spent waiting for journal space under {@code BLOCK}, timed-out waits included. */
    public long blockedNanos() {
        return blockedNanos.get();
    }

    /** True when writers wait for space or the journal is three quarters full: the store should commit now. */
    public boolean underPressure() {
        return writersWaiting || usedBytes() > budgetBytes / 4 * 3;
    }

    /** The index of the last entry appended by this session, or -1. */
    public long lastAppendedIndex() {
        return lastAppendedIndex;
    }

    /** The current segment number (a Chronicle cycle). */
    public int segment() {
        return segment;
    }

    /** Moves appends to a new segment, {@code skip} numbers ahead; for tests of missing cycles. */
    public void skipSegments(int skip) {
        closeSegment(skip);
    }

    private void closeSegment(int advance) {
        if (segmentFill > 0) {
            bytesPerSegment.merge(segment, segmentFill, Long::sum);
        }
        segmentFill = 0;
        segment += advance;
    }

    /**
     * Overruns the pins whose readers lag beyond their limit and sets the next check at the
     * earliest point another may; on the appending thread, after an append that passed
     * {@link #nextPinCheck}.
     */
    private void checkPins(long appended) {
        long next = Long.MAX_VALUE;
        for (Pin pin : pins) {
            long read = pin.readBytes;
            long lag = appended - read;
            if (lag <= pin.limitBytes) {
                next = Math.min(next, limitAt(read, pin.limitBytes));
            } else if (!pin.overrun) {
                pin.overrun = true;
                pins.remove(pin);
                try {
                    pin.onOverrun.accept(lag);
                } catch (RuntimeException e) {
                    // The callback only records the failure; whatever it throws must not fail a write.
                }
            }
        }
        nextPinCheck = next;
    }

    /** Where a reader at {@code read} passes {@code limit}; saturated, as a limit may be near Long.MAX_VALUE. */
    private static long limitAt(long read, long limit) {
        long at = read + limit;
        return at < read ? Long.MAX_VALUE : at;
    }

    /** A new tailer, for the store writer's thread. */
    public ExcerptTailer createTailer() {
        ExcerptTailer tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
        return tailer;
    }

    /** The cycle (segment) of an index. */
    public int cycleOf(long index) {
        return queue.rollCycle().toCycle(index);
    }

    /** The index the first entry of a cycle (segment) gets. */
    public long firstIndexOf(int cycle) {
        return queue.rollCycle().toIndex(cycle, 0);
    }

    /**
     * Deletes every segment wholly before {@code checkpointIndex}'s segment and wakes blocked
     * writers. The caller must have made the store's commit of that checkpoint durable first.
     *
     * @return the number of segment files deleted
     */
    public int release(long checkpointIndex) {
        int keepFrom = Math.min(cycleOf(checkpointIndex), segment);
        // Off the budget at once, pinned or not: a subscriber that still reads them must not block writers.
        boolean freed = false;
        for (Integer released : bytesPerSegment.headMap(keepFrom).keySet()) {
            Long bytes = bytesPerSegment.remove(released);
            if (bytes != null) {
                freedBytes.addAndGet(bytes);
                freed = true;
            }
        }
        if (keepFrom > releasedBefore) {
            releasedBefore = keepFrom;
        }
        int deleted = deleteReleased();
        if (freed || deleted > 0) {
            budgetLock.lock();
            try {
                spaceFreed.signalAll();
            } finally {
                budgetLock.unlock();
            }
        }
        return deleted;
    }

    /** Deletes the released segments that no pin holds; returns how many. */
    private int deleteReleased() {
        synchronized (pinLock) {
            int before = releasedBefore;
            for (Pin pin : pins) {
                before = Math.min(before, pin.cycle);
            }
            int deleted = 0;
            for (Map.Entry<Integer, Path> file : segmentFiles().entrySet()) {
                if (file.getKey() >= before) {
                    break;
                }
                try {
                    Files.deleteIfExists(file.getValue());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete journal segment " + file.getValue(), e);
                }
                deleted++;
            }
            if (deleted > 0) {
                queue.refreshDirectoryListing();
            }
            return deleted;
        }
    }

    /**
     * Pins the journal from the segment of {@code fromIndex} (or, with -1, from the segment being
     * appended to) for a reader that starts after everything appended so far. The caller holds
     * the historian's write lock, so nothing is appended meanwhile and no segment from there on
     * has been released.
     *
     * @param limitBytes how far the reader may lag behind appends before the pin is overrun
     * @param onOverrun called with the lag in bytes, once, on the appending thread; must be quick
     */
    public Pin pin(long fromIndex, long limitBytes, java.util.function.LongConsumer onOverrun) {
        synchronized (pinLock) {
            int cycle = fromIndex < 0 ? segment : cycleOf(fromIndex);
            if (cycle < releasedBefore) {
                throw new IllegalStateException("journal segment " + cycle + " is already released [dir=" + directory
                        + "]");
            }
            long read = appendedBytes.get();
            Pin pin = new Pin(cycle, read, appendedEntries.get(), limitBytes, onOverrun);
            pins.add(pin);
            nextPinCheck = Math.min(nextPinCheck, limitAt(read, limitBytes));
            return pin;
        }
    }

    /** The pins that hold segments now (overrun and closed ones do not). */
    public int pinCount() {
        return pins.size();
    }

    /**
     * A reader's hold on the journal: segments from {@link #cycle} on stay on disk. Moved by its
     * reader's thread as it reads; read by the appending thread to check the lag.
     */
    public final class Pin implements AutoCloseable {
        private volatile int cycle;
        private volatile long readBytes;
        private volatile long readEntries;
        private final long limitBytes;
        private final java.util.function.LongConsumer onOverrun;
        private volatile boolean overrun;
        private boolean closed;

        private Pin(int cycle, long readBytes, long readEntries, long limitBytes,
                java.util.function.LongConsumer onOverrun) {
            this.cycle = cycle;
            this.readBytes = readBytes;
            this.readEntries = readEntries;
            this.limitBytes = limitBytes;
            this.onOverrun = onOverrun;
        }

        /**
         * Records that the reader has read the entry at {@code index} of {@code length} bytes;
         * deletes segments this pin alone held once it moves to a later segment.
         */
        public void read(long index, int length) {
            readBytes += length + ENTRY_OVERHEAD;
            readEntries++;
            int c = cycleOf(index);
            if (c > cycle) {
                cycle = c;
                if (!overrun) {
                    deleteReleased();
                }
            }
        }

        /** True once the reader lagged beyond its limit; segments it had not read may be gone. */
        public boolean overrun() {
            return overrun;
        }

        /** Bytes appended that the reader has not read. */
        public long lagBytes() {
            return Math.max(0, appendedBytes.get() - readBytes);
        }

        /** Entries appended that the reader has not read. */
        public long lagEntries() {
            return Math.max(0, appendedEntries.get() - readEntries);
        }

        /** Stops holding segments and deletes those only this pin held. Idempotent. */
        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                pins.remove(this);
                deleteReleased();
            }
        }
    }

    /** Forces every segment written since the last sync to disk. */
    public void sync() {
        int from = unsyncedFromSegment;
        int to = segment;
        for (Map.Entry<Integer, Path> file : segmentFiles().entrySet()) {
            if (file.getKey() < from || file.getKey() > to) {
                continue;
            }
            try (var channel = java.nio.channels.FileChannel.open(file.getValue(), java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(false);
            } catch (IOException e) {
                throw new HistorianException("cannot sync the journal [file=" + file.getValue() + "]", e, true);
            }
        }
        unsyncedFromSegment = to;
        syncDirectory();
    }

    private void syncDirectory() {
        try (var channel = java.nio.channels.FileChannel.open(directory, java.nio.file.StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open a directory for syncing; the file syncs above still hold.
        }
    }

    /** Bytes counted against the budget. */
    public long usedBytes() {
        return bytesAtOpen + appendedBytes.get() - freedBytes.get();
    }

    /** The budget in bytes. */
    public long budgetBytes() {
        return budgetBytes;
    }

    /** Writes that found the journal full. */
    public long fullEvents() {
        return fullEvents.get();
    }

    /** The journal directory. */
    public Path directory() {
        return directory;
    }

    /** The segment files on disk, by segment number. */
    public Map<Integer, Path> segmentFiles() {
        return segmentFiles(directory);
    }

    /** The file name of segment {@code cycle}. */
    public static String segmentFileName(int cycle) {
        return LocalDate.ofEpochDay(cycle).format(CYCLE_FORMAT) + "F" + SingleChronicleQueue.SUFFIX;
    }

    /** The segment files in a journal directory, by segment number; empty if the directory does not exist. */
    public static java.util.TreeMap<Integer, Path> segmentFiles(Path directory) {
        java.util.TreeMap<Integer, Path> files = new java.util.TreeMap<>();
        if (!Files.isDirectory(directory)) {
            return files;
        }
        try (Stream<Path> list = Files.list(directory)) {
            list.forEach(p -> {
                String name = p.getFileName().toString();
                if (name.endsWith("F" + SingleChronicleQueue.SUFFIX)) {
                    try {
                        long day = LocalDate.parse(name.substring(0, 8), CYCLE_FORMAT).toEpochDay();
                        files.put((int) day, p);
                    } catch (DateTimeParseException | StringIndexOutOfBoundsException e) {
                        // Not one of ours.
                    }
                }
            });
        } catch (IOException e) {
            throw new HistorianException("cannot list the journal directory [dir=" + directory + "]", e);
        }
        return files;
    }

    /** A read of one entry's bytes into a scratch array, growing it as needed. */
    public static final class EntryReader {
        private byte[] scratch = new byte[64 * 1024];
        private int length;
        private long index;

        /** Reads the next entry; false if there is none yet. */
        public boolean read(ExcerptTailer tailer) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return false;
                }
                Bytes<?> bytes = dc.wire().bytes();
                long remaining = bytes.readRemaining();
                if (remaining > Integer.MAX_VALUE - 16) {
                    throw new HistorianException("journal entry too large: " + remaining + " bytes");
                }
                length = (int) remaining;
                if (scratch.length < length) {
                    scratch = new byte[Math.max(length, scratch.length * 2)];
                }
                bytes.read(scratch, 0, length);
                index = dc.index();
                return true;
            }
        }

        /** The last entry's bytes. */
        public byte[] bytes() {
            return scratch;
        }

        /** The last entry's length. */
        public int length() {
            return length;
        }

        /** The last entry's index. */
        public long index() {
            return index;
        }
    }

    @Override
    public void close() {
        appender.close();
        queue.close();
    }

    /** The directory holding segments, as a file. */
    File file() {
        return directory.toFile();
    }
}
