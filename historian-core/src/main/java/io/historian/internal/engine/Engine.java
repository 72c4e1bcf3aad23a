package io.historian.internal.engine;

import io.historian.DuplicatePolicy;
import io.historian.Durability;
import io.historian.Historian;
import io.historian.HistorianException;
import io.historian.HistorianStats;
import io.historian.Interpolation;
import io.historian.Quality;
import io.historian.RejectReason;
import io.historian.Sample;
import io.historian.SampleBatch;
import io.historian.SampleRejectedException;
import io.historian.TagDefinition;
import io.historian.TagNotFoundException;
import io.historian.TagStats;
import io.historian.ValueAt;
import io.historian.internal.codec.CorruptChunkException;
import io.historian.internal.formula.DerivedSink;
import io.historian.internal.formula.FormulaGraph;
import io.historian.internal.formula.History;
import io.historian.internal.journal.ChronicleJournal;
import io.historian.internal.journal.JournalEntryCodec;
import io.historian.internal.store.RocksChunkStore;
import io.historian.internal.query.AggregatingCursor;
import io.historian.internal.query.Downsamplers;
import io.historian.internal.query.InterpolatingCursor;
import io.historian.internal.query.SeriesView;
import io.historian.internal.query.TagPattern;
import io.historian.internal.query.TagSequence;
import io.historian.query.Aggregate;
import io.historian.query.AggregateCursor;
import io.historian.query.Downsampling;
import io.historian.query.PointCursor;
import io.historian.query.RawQuery;
import io.historian.query.SampleCursor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The historian engine behind {@link Historian}.
 *
 * <p><b>Write path</b> (caller threads, one at a time under {@link #writeLock}): validate every
 * sample of the call, register new tags, append the call as journal entries, count. Nothing is
 * journaled before the whole call has been validated, so a refused sample leaves no trace.
 *
 * <p><b>Store path</b> ({@code historian-store-writer} thread, see {@link StoreWriter}): tails
 * the journal into chunks and commits them with the checkpoint.
 *
 * <p><b>Read path</b> (caller threads): wait until the store writer has applied every entry
 * appended before the read began, so a write is readable as soon as it returns; then take a
 * store snapshot and copy the tag's in-memory chunks under the state read lock, and stream.
 */
public final class Engine implements Historian {
    private final LongAdder chunkDecodes = new LongAdder();
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final Settings settings;
    private final Path dataDirectory;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final RocksChunkStore store;
    private final ChronicleJournal journal;
    private final TagRegistry registry;
    private final StoreWriter storeWriter;
    private final Thread storeWriterThread;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final JournalEntryCodec entryCodec = new JournalEntryCodec();
    private final ObjectName mbeanName;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();

    // Write-side scratch and counters, guarded by writeLock.
    private int[] scratchIds = new int[1024];
    private long[] scratchTs = new long[1024];
    private double[] scratchValues = new double[1024];
    private int[] scratchQualities = new int[1024];
    // Written under writeLock, read without it by stats(): a blocked writer must not block monitoring.
    private volatile long received;
    private volatile long journaled;
    private volatile long rejected;
    private final java.util.concurrent.atomic.AtomicLongArray rejectedByReason =
            new java.util.concurrent.atomic.AtomicLongArray(RejectReason.values().length);
    private long[] tagReceived = new long[64];
    private long[] tagRejected = new long[64];
    private long[] tagJournaled = new long[64];
    /** Newest timestamp journaled per tag, for the REJECT duplicate check; Long.MIN_VALUE when unknown. */
    private long[] newestTs = new long[64];
    private boolean[] newestKnown = new boolean[64];

    private Engine(Settings settings) {
        this.settings = settings;
        this.dataDirectory = settings.dataDirectory().toAbsolutePath().normalize();
        prepareDirectory(dataDirectory);
        Path lockFile = dataDirectory.resolve("historian.lock");
        FileChannel channel = null;
        FileLock fileLock = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                fileLock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                fileLock = null;
            }
            if (fileLock == null) {
                channel.close();
                throw new HistorianException("data directory is in use by another open historian [dir=" + dataDirectory
                        + ", lock=" + lockFile + "]");
            }
        } catch (IOException e) {
            closeQuietly(channel);
            throw new HistorianException("cannot lock the data directory [dir=" + dataDirectory + "]: " + e, e);
        }
        this.lockChannel = channel;
        this.lock = fileLock;
        RocksChunkStore openedStore = null;
        ChronicleJournal openedJournal = null;
        try {
            openedStore = new RocksChunkStore(dataDirectory.resolve("store"));
            openedJournal = new ChronicleJournal(dataDirectory.resolve("journal"), settings.journalSegmentSize(),
                    settings.journalBudget(), settings.overflowPolicy(), settings.blockTimeout());
        } catch (RuntimeException e) {
            closeQuietly(openedJournal);
            closeQuietly(openedStore);
            releaseLock(fileLock, channel);
            throw e;
        }
        this.store = openedStore;
        this.journal = openedJournal;
        this.registry = new TagRegistry(store);
        if (!settings.tags().isEmpty()) {
            registry.register(settings.tags(), settings.durability() == Durability.POWER_LOSS);
        }
        this.storeWriter = new StoreWriter(settings, registry, store, journal, () -> settings.clock().millis());
        this.manifest = new io.historian.internal.tier.Manifest(store);
        this.tieringCutoff = manifest.cutoff();
        // Before replay: samples behind the cutoff in the journal are already in the cold tier.
        storeWriter.tieringCutoff = tieringCutoff;
        if (settings.coldTier() != null) {
            this.coldCache = new io.historian.internal.tier.SegmentCache(settings.coldTier(),
                    dataDirectory.resolve("cold-cache"), settings.coldCacheSize().bytes());
            this.tiering = new TieringJob(this, settings, store, registry, storeWriter, manifest);
        } else {
            this.coldCache = null;
            this.tiering = null;
        }
        this.storeWriterThread = new Thread(storeWriter, "historian-store-writer");
        storeWriterThread.setDaemon(true);
        storeWriterThread.start();
        this.subscriptions = new Subscriptions(this, registry, journal, storeWriter, writeLock,
                settings.subscriberLagLimit().bytes());
        this.mbeanName = settings.jmx() ? registerMBean() : null;
    }

    /** Opens a historian; waits until the journal's backlog has been replayed. */
    public static Engine open(Settings settings) {
        Engine engine = new Engine(settings);
        try {
            engine.awaitReplay();
            engine.compileFormulas();
            engine.startSources();
            engine.startTiering();
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        return engine;
    }

    private void awaitReplay() {
        int idle = 0;
        while (!storeWriter.replayDone()) {
            if (storeWriter.failure() != null) {
                throw new HistorianException("journal replay failed [dir=" + dataDirectory + "]", storeWriter.failure());
            }
            LockSupport.parkNanos(idle++ < 100 ? 100_000 : 5_000_000);
        }
        if (storeWriter.replayed.get() > 0) {
            LOG.info("replayed {} samples from the journal [dir={}]", storeWriter.replayed.get(), dataDirectory);
        }
    }

    private final List<io.historian.spi.SampleSource> started = new java.util.concurrent.CopyOnWriteArrayList<>();

    private void startSources() {
        io.historian.spi.SampleSink sink = new io.historian.spi.SampleSink() {
            @Override
            public void write(SampleBatch batch) {
                Engine.this.write(batch);
            }

            @Override
            public void write(String tag, long epochMillis, double value, Quality quality) {
                Engine.this.write(tag, epochMillis, value, quality);
            }
        };
        for (io.historian.spi.SampleSource source : settings.sources()) {
            started.add(source);
            try {
                source.start(sink);
            } catch (RuntimeException e) {
                throw new HistorianException("source failed to start [source=" + source.name() + "]: " + e.getMessage(), e);
            }
            LOG.info("source started [source={}]", source.name());
        }
    }

    private static void prepareDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw new HistorianException("cannot create the data directory [dir=" + dir + "]: " + e, e);
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new HistorianException("data directory is not writable [dir=" + dir + "]");
        }
    }

    private ObjectName registerMBean() {
        try {
            ObjectName name = new ObjectName("io.historian:type=Historian,directory="
                    + ObjectName.quote(dataDirectory.toString()));
            ManagementFactory.getPlatformMBeanServer().registerMBean(new StatsMXBean(this), name);
            return name;
        } catch (Exception e) {
            LOG.warn("cannot register the JMX bean [dir={}]: {}", dataDirectory, e.toString());
            return null;
        }
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void write(String tag, Instant timestamp, double value) {
        write(tag, Objects.requireNonNull(timestamp, "timestamp").toEpochMilli(), value, Quality.GOOD);
    }

    @Override
    public void write(String tag, Instant timestamp, double value, Quality quality) {
        write(tag, Objects.requireNonNull(timestamp, "timestamp").toEpochMilli(), value, quality);
    }

    @Override
    public void write(Sample sample) {
        Objects.requireNonNull(sample, "sample");
        write(sample.tag(), sample.timestamp().toEpochMilli(), sample.value(), sample.quality());
    }

    @Override
    public void write(String tag, long epochMillis, double value, Quality quality) {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(quality, "quality");
        writeLock.lock();
        try {
            checkOpen();
            String[] one = singleTag;
            one[0] = tag;
            scratchTs[0] = epochMillis;
            scratchValues[0] = value;
            scratchQualities[0] = quality.code();
            accept(one, 1);
            one[0] = null;
        } finally {
            writeLock.unlock();
        }
    }

    private final String[] singleTag = new String[1];
    private String[] batchTags = new String[1024];

    @Override
    public void write(SampleBatch batch) {
        Objects.requireNonNull(batch, "batch");
        int n = batch.size();
        if (n == 0) {
            return;
        }
        writeLock.lock();
        try {
            checkOpen();
            if (n > settings.maxBatchSize()) {
                received += n;
                reject(RejectReason.BATCH_TOO_LARGE, n);
                throw new SampleRejectedException(batch.tag(0), RejectReason.BATCH_TOO_LARGE, settings.maxBatchSize(),
                        "batch of " + n + " samples exceeds the maximum of " + settings.maxBatchSize());
            }
            ensureScratch(n);
            String[] tags = batchTags;
            for (int i = 0; i < n; i++) {
                tags[i] = batch.tag(i);
                scratchTs[i] = batch.epochMillis(i);
                scratchValues[i] = batch.value(i);
                scratchQualities[i] = batch.qualityCode(i);
            }
            try {
                accept(tags, n);
            } finally {
                Arrays.fill(tags, 0, n, null);
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void ensureScratch(int n) {
        if (scratchIds.length < n) {
            int c = Math.max(n, scratchIds.length * 2);
            scratchIds = new int[c];
            scratchTs = Arrays.copyOf(scratchTs, c);
            scratchValues = Arrays.copyOf(scratchValues, c);
            scratchQualities = Arrays.copyOf(scratchQualities, c);
        }
        if (batchTags.length < n) {
            batchTags = new String[Math.max(n, batchTags.length * 2)];
        }
    }

    /** Validates, registers, journals and counts {@code n} samples held in the scratch arrays. */
    private void accept(String[] tags, int n) {
        received += n;
        long now = settings.clock().millis();
        long earliest = settings.earliestTimestamp().toEpochMilli();
        long latest = saturatedAdd(now, settings.futureTolerance().toMillis());
        List<TagDefinition> newTags = null;
        Map<String, Integer> newIds = null;
        int known = registry.size();
        for (int i = 0; i < n; i++) {
            String tag = tags[i];
            if (tag == null) {
                rejectBatch(RejectReason.INVALID_TAG_NAME, n, i, "null", "tag name is null");
            }
            int id = registry.idOf(tag);
            TagDefinition def;
            if (id < 0) {
                if (newIds != null && newIds.containsKey(tag)) {
                    id = newIds.get(tag);
                    def = newTags.get(id - known);
                } else {
                    String problem = TagDefinition.nameProblem(tag);
                    if (problem != null) {
                        rejectBatch(RejectReason.INVALID_TAG_NAME, n, i, tag, "invalid tag name: " + problem);
                    }
                    if (settings.strictTags()) {
                        rejectBatch(RejectReason.UNKNOWN_TAG, n, i, tag, "unknown tag in strict mode");
                    }
                    if (newTags == null) {
                        newTags = new ArrayList<>();
                        newIds = new HashMap<>();
                    }
                    def = TagDefinition.of(tag);
                    id = known + newTags.size();
                    newTags.add(def);
                    newIds.put(tag, id);
                }
            } else {
                def = registry.definition(id);
                if (id < computed.length && computed[id]) {
                    rejectBatch(RejectReason.COMPUTED_TAG, n, i, tag, "tag is computed by the formula "
                            + settings.formulas().get(tag) + "; write its inputs instead");
                }
            }
            long ts = scratchTs[i];
            if (ts < tieringCutoff) {
                rejectBatch(RejectReason.BEHIND_TIERING_CUTOFF, n, i, tag, "timestamp " + describe(ts)
                        + " lies before the tiering cutoff " + describe(tieringCutoff)
                        + ", where data is immutable");
            }
            if (ts < earliest || ts > latest) {
                rejectBatch(RejectReason.TIMESTAMP_OUT_OF_RANGE, n, i, tag, "timestamp " + describe(ts)
                        + " outside the accepted window [" + describe(earliest) + ", " + describe(latest) + "]");
            }
            double v = scratchValues[i];
            if (def.rejectNonFinite() && !Double.isFinite(v)) {
                rejectBatch(RejectReason.NON_FINITE_VALUE, n, i, tag, "value " + v + " is not finite and the tag rejects it");
            }
            scratchIds[i] = id;
        }
        if (settings.duplicatePolicy() == DuplicatePolicy.REJECT) {
            checkDuplicates(tags, n, known);
        }
        if (newTags != null) {
            registry.register(newTags, settings.durability() == Durability.POWER_LOSS);
        }
        growTagCounters(registry.size());
        int inputs = n;
        if (formulas != null) {
            n = derive(n);
            received += n - inputs;
        }
        for (int off = 0; off < n; off += JournalEntryCodec.MAX_SAMPLES) {
            int count = Math.min(JournalEntryCodec.MAX_SAMPLES, n - off);
            int length = entryCodec.encode(scratchIds, scratchTs, scratchValues, scratchQualities, off, count);
            try {
                lastEntry = journal.append(entryCodec.buffer(), length);
            } catch (HistorianException e) {
                // The samples of this entry and the ones after it were not journaled.
                for (int i = off; i < n; i++) {
                    tagReceived[scratchIds[i]]++;
                    tagRejected[scratchIds[i]]++;
                }
                reject(RejectReason.JOURNAL_FULL, n - off);
                for (int i = 0; i < off; i++) {
                    countJournaled(scratchIds[i], scratchTs[i]);
                }
                journaled += off;
                throw e;
            }
        }
        for (int i = 0; i < n; i++) {
            countJournaled(scratchIds[i], scratchTs[i]);
        }
        journaled += n;
        if (formulas != null) {
            rememberFormulaEntries(n, lastEntry);
        }
        if (settings.durability() == Durability.POWER_LOSS) {
            journal.sync();
        }
    }

    // ---------------------------------------------------------------- formulas

    /** The compiled formulas, or null; set under the write lock before the first write. */
    private FormulaGraph formulas;
    /** Per tag id: whether a formula computes the tag. */
    private boolean[] computed = new boolean[0];
    /** Per tag id: the formula graph's slot + 2; 0 = not looked up yet, 1 = no formula reads the tag. */
    private int[] formulaSlots = new int[0];
    /** Per formula index: the output's tag id. */
    private int[] outputIds;
    private int derivedEnd;
    private final DerivedSink derivedSink = (formula, tag, epochMillis, value, qualityCode) -> {
        int i = derivedEnd++;
        if (i == scratchIds.length) {
            growScratchKeepingContents(i + 1);
        }
        scratchIds[i] = outputIds[formula];
        scratchTs[i] = epochMillis;
        scratchValues[i] = value;
        scratchQualities[i] = qualityCode;
    };

    /**
     * Parses, checks and compiles the formulas, registers their outputs and primes them with the
     * stored latest values. Called once by {@link #open}, after the replay and before any write;
     * a bad formula fails the build.
     */
    private void compileFormulas() {
        if (settings.formulas().isEmpty()) {
            return;
        }
        writeLock.lock();
        try {
            java.util.Set<String> declared = new java.util.HashSet<>();
            for (TagDefinition d : settings.tags()) {
                declared.add(d.name());
            }
            FormulaGraph graph = new FormulaGraph(settings.formulas(),
                    tag -> declared.contains(tag) || registry.idOf(tag) >= 0, settings.strictTags(),
                    settings.formulaStaleness(), this::sampleAtOrBefore);
            List<TagDefinition> outputs = new ArrayList<>();
            for (int f = 0; f < graph.formulaCount(); f++) {
                if (registry.idOf(graph.outputTag(f)) < 0) {
                    outputs.add(TagDefinition.of(graph.outputTag(f)));
                }
            }
            if (!outputs.isEmpty()) {
                registry.register(outputs, true);
            }
            int[] ids = new int[graph.formulaCount()];
            boolean[] isComputed = new boolean[registry.size()];
            for (int f = 0; f < ids.length; f++) {
                ids[f] = registry.idOf(graph.outputTag(f));
                isComputed[ids[f]] = true;
            }
            // Formulas carry on from the last stored values (the journal has been replayed by now).
            awaitApplied();
            for (int slot = 0; slot < graph.slotCount(); slot++) {
                int id = registry.idOf(graph.slotTag(slot));
                if (id >= 0) {
                    Optional<Sample> last = readPrevious(id, Long.MAX_VALUE);
                    if (last.isPresent()) {
                        Sample x = last.get();
                        graph.prime(slot, x.timestamp().toEpochMilli(), x.value(), x.quality().code());
                    }
                }
            }
            this.outputIds = ids;
            this.computed = isComputed;
            this.formulas = graph;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Feeds the {@code n} accepted samples in the scratch arrays to the formulas that read their
     * tags and appends the derived samples after them, so that both go into the same journal
     * entries. Returns the new sample count.
     */
    private int derive(int n) {
        if (formulaSlots.length < registry.size()) {
            formulaSlots = Arrays.copyOf(formulaSlots, Math.max(registry.size(), formulaSlots.length * 2));
        }
        derivedEnd = n;
        for (int i = 0; i < n; i++) {
            int id = scratchIds[i];
            int slot = formulaSlots[id];
            if (slot == 0) {
                slot = formulas.slotOf(registry.definition(id).name()) + 2;
                formulaSlots[id] = slot;
            }
            if (slot >= 2) {
                formulas.onSample(slot - 2, scratchTs[i], scratchValues[i], scratchQualities[i], derivedSink);
            }
        }
        return derivedEnd;
    }

    /** The last journal entry of this call; with formulas, per tag they read or write (see {@link #sampleAtOrBefore}). */
    private long lastEntry = -1;
    private long[] formulaTagEntries = new long[0];

    private void rememberFormulaEntries(int n, long entry) {
        if (formulaTagEntries.length < registry.size()) {
            formulaTagEntries = Arrays.copyOf(formulaTagEntries, Math.max(registry.size(), formulaTagEntries.length * 2));
        }
        for (int i = 0; i < n; i++) {
            int id = scratchIds[i];
            if (id < formulaSlots.length && formulaSlots[id] >= 2 || id < computed.length && computed[id]) {
                formulaTagEntries[id] = entry;
            }
        }
    }

    private void growScratchKeepingContents(int n) {
        int c = Math.max(n, scratchIds.length * 2);
        scratchIds = Arrays.copyOf(scratchIds, c);
        scratchTs = Arrays.copyOf(scratchTs, c);
        scratchValues = Arrays.copyOf(scratchValues, c);
        scratchQualities = Arrays.copyOf(scratchQualities, c);
    }

    /**
     * The formulas' view of the past when a late input makes them recompute at an older time: the
     * stored sample at or before that time. Runs under the write lock, on the writing thread.
     */
    private boolean sampleAtOrBefore(String tag, int slot, long epochMillis, History.SampleHolder into) {
        int id = registry.idOf(tag);
        if (id < 0) {
            return false;
        }
        // Only this tag's last entry has to be in the store, not everything journaled: a backfill
        // behind live data would otherwise wait for the store writer at every sample.
        awaitApplied(id < formulaTagEntries.length ? formulaTagEntries[id] : journal.lastAppendedIndex());
        Optional<Sample> s = readPrevious(id, epochMillis);
        if (s.isEmpty()) {
            return false;
        }
        into.set(s.get().timestamp().toEpochMilli(), s.get().value(), s.get().quality().code());
        return true;
    }

    private void countJournaled(int id, long ts) {
        tagReceived[id]++;
        tagJournaled[id]++;
        if (newestKnown[id] && ts > newestTs[id]) {
            newestTs[id] = ts;
        }
    }

    private void checkDuplicates(String[] tags, int n, int known) {
        awaitApplied();
        Map<Integer, Set<Long>> seen = new HashMap<>();
        for (int i = 0; i < n; i++) {
            int id = scratchIds[i];
            long ts = scratchTs[i];
            if (!seen.computeIfAbsent(id, k -> new HashSet<>()).add(ts)) {
                rejectBatch(RejectReason.DUPLICATE, n, i, tags[i], "timestamp " + describe(ts) + " appears twice in the batch");
            }
            if (id >= known) {
                continue;
            }
            growTagCounters(id + 1);
            if (!newestKnown[id]) {
                newestTs[id] = readNewest(id);
                newestKnown[id] = true;
            }
            if (ts <= newestTs[id] && readAt(id, ts).isPresent()) {
                rejectBatch(RejectReason.DUPLICATE, n, i, tags[i], "a sample at " + describe(ts) + " exists");
            }
        }
    }

    private long readNewest(int id) {
        Optional<Sample> s = readPrevious(id, Long.MAX_VALUE);
        return s.map(x -> x.timestamp().toEpochMilli()).orElse(Long.MIN_VALUE);
    }

    private Optional<Sample> readAt(int id, long ts) {
        Optional<Sample> s = readPrevious(id, ts);
        return s.filter(x -> x.timestamp().toEpochMilli() == ts);
    }

    private void rejectBatch(RejectReason reason, int n, int index, String tag, String detail) {
        rejectedByReason.incrementAndGet(reason.ordinal());
        rejectedByReason.addAndGet(RejectReason.BATCH_REJECTED.ordinal(), n - 1);
        rejected += n;
        int id = tag == null ? -1 : registry.idOf(tag);
        if (id >= 0) {
            growTagCounters(id + 1);
            tagReceived[id]++;
            tagRejected[id]++;
        }
        throw new SampleRejectedException(tag, reason, index, detail);
    }

    private void reject(RejectReason reason, int n) {
        rejectedByReason.addAndGet(reason.ordinal(), n);
        rejected += n;
    }

    private void growTagCounters(int size) {
        if (tagReceived.length < size) {
            int c = Math.max(size, tagReceived.length * 2);
            tagReceived = Arrays.copyOf(tagReceived, c);
            tagRejected = Arrays.copyOf(tagRejected, c);
            tagJournaled = Arrays.copyOf(tagJournaled, c);
            newestTs = Arrays.copyOf(newestTs, c);
            newestKnown = Arrays.copyOf(newestKnown, c);
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private static String describe(long epochMillis) {
        try {
            return Instant.ofEpochMilli(epochMillis).toString();
        } catch (RuntimeException e) {
            return epochMillis + " ms";
        }
    }

    @Override
    public void flush() {
        checkOpen();
        journal.sync();
        store.syncWal();
    }

    // ---------------------------------------------------------------- reads

    @Override
    public RawQuery query(String tag) {
        Objects.requireNonNull(tag, "tag");
        return new RawQuery(queries, tag);
    }

    /** Opens the cursors of every query mode; a pattern runs over the matching tags in turn. */
    private final RawQuery.Reader queries = new RawQuery.Reader() {
        @Override
        public SampleCursor open(RawQuery q) {
            if (q.isPattern()) {
                rejectPartial(q, "a tag pattern");
            }
            return q.isPattern() ? TagSequence.samples(tagsMatching(q.tag()), t -> openCursor(q, t))
                    : openCursor(q, q.tag());
        }

        @Override
        public AggregateCursor aggregate(RawQuery q, Duration interval, List<Aggregate> aggregates) {
            long from = toMillis(q.from());
            long to = toMillis(q.to());
            AggregatingCursor.validate(q.tag(), from, to, interval, q.zone(), q.maxBuckets());
            rejectPartial(q, "aggregate");
            java.util.function.Function<String, AggregateCursor> open = t -> AggregatingCursor.open(
                    series(t), from, to, interval, aggregates, q.fill(), q.zone(), q.maxBuckets());
            return q.isPattern() ? TagSequence.aggregates(tagsMatching(q.tag()), aggregates, open) : open.apply(q.tag());
        }

        @Override
        public PointCursor interpolated(RawQuery q, Duration step) {
            long from = toMillis(q.from());
            long to = toMillis(q.to());
            InterpolatingCursor.validate(q.tag(), from, to, step, q.maxBuckets());
            rejectPartial(q, "interpolated");
            java.util.function.Function<String, PointCursor> open = t -> InterpolatingCursor.open(
                    series(t), from, to, step, q.maxBuckets());
            return q.isPattern() ? TagSequence.points(tagsMatching(q.tag()), open) : open.apply(q.tag());
        }

        @Override
        public PointCursor downsample(RawQuery q, Downsampling mode, int points) {
            rejectPartial(q, mode.toString());
            long from = toMillis(q.from());
            long to = toMillis(q.to());
            java.util.function.Function<String, PointCursor> open = t -> Downsamplers.open(series(t), from, to, mode,
                    points);
            return q.isPattern() ? TagSequence.points(tagsMatching(q.tag()), open) : open.apply(q.tag());
        }
    };

    private static void rejectPartial(RawQuery q, String mode) {
        if (q.allowsPartial()) {
            throw new IllegalArgumentException("allowPartial() applies to raw queries only, not " + mode
                    + " [tag=" + q.tag() + "]");
        }
    }

    /** The registered tags matching a pattern, in registration order; possibly none. */
    private List<String> tagsMatching(String pattern) {
        checkOpen();
        return TagPattern.select(pattern, tags().stream().map(TagDefinition::name).toList());
    }

    /** A read view of a tag for the query modes, once the store writer has caught up. */
    private SeriesView series(String tag) {
        checkOpen();
        int id = idOrThrow(tag);
        awaitApplied();
        return view(id, tag);
    }

    /** Counts a chunk decoded for a read (tests check that aggregates use headers instead). */
    void countDecode() {
        chunkDecodes.increment();
    }

    /** How many stored chunks reads have decoded since open (test-visible). */
    public long chunkDecodes() {
        return chunkDecodes.sum();
    }

    private SampleCursor openCursor(RawQuery q, String tag) {
        checkOpen();
        int id = idOrThrow(tag);
        long from = toMillis(q.from());
        long to = toMillis(q.to());
        awaitApplied();
        TagView view = view(id, tag);
        if (q.allowsPartial()) {
            view.allowPartial();
        }
        try {
            Sample before = null;
            Sample after = null;
            if (q.includesBounds()) {
                if (from != Long.MIN_VALUE) {
                    before = view.previous(from - 1);
                }
                after = view.next(to);
            }
            return new RawCursor(view, from, to, before, after);
        } catch (RuntimeException e) {
            view.close();
            throw e;
        }
    }

    private static long toMillis(Instant t) {
        if (t.isBefore(Instant.ofEpochMilli(Long.MIN_VALUE))) {
            return Long.MIN_VALUE;
        }
        if (t.isAfter(Instant.ofEpochMilli(Long.MAX_VALUE))) {
            return Long.MAX_VALUE;
        }
        return t.toEpochMilli();
    }

    @Override
    public Optional<Sample> latest(String tag) {
        Objects.requireNonNull(tag, "tag");
        checkOpen();
        int id = idOrThrow(tag);
        awaitApplied();
        return readPrevious(id, Long.MAX_VALUE);
    }

    @Override
    public Optional<Sample> valueAt(String tag, Instant time, ValueAt mode) {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(mode, "mode");
        checkOpen();
        int id = idOrThrow(tag);
        long t = toMillis(time);
        awaitApplied();
        try (TagView view = view(id, tag)) {
            Sample prev = view.previous(t);
            if (mode == ValueAt.PREVIOUS) {
                return Optional.ofNullable(prev);
            }
            if (mode == ValueAt.NEXT || prev == null) {
                return mode == ValueAt.NEXT ? Optional.ofNullable(view.next(t)) : Optional.empty();
            }
            long prevTs = prev.timestamp().toEpochMilli();
            if (prevTs == t) {
                return Optional.of(prev);
            }
            Interpolation interpolation = registry.definition(id).interpolation();
            Sample next = t == Long.MAX_VALUE ? null : view.next(t + 1);
            Instant at = Instant.ofEpochMilli(t);
            if (next == null) {
                Quality q = interpolation == Interpolation.STEPPED ? prev.quality()
                        : Quality.worst(prev.quality(), Quality.UNCERTAIN_LAST_USABLE_VALUE);
                return Optional.of(new Sample(tag, at, prev.value(), q));
            }
            Quality q = Quality.worst(prev.quality(), next.quality());
            if (interpolation == Interpolation.STEPPED) {
                return Optional.of(new Sample(tag, at, prev.value(), prev.quality()));
            }
            long nextTs = next.timestamp().toEpochMilli();
            double fraction = (double) (t - prevTs) / (double) (nextTs - prevTs);
            double value = prev.value() + (next.value() - prev.value()) * fraction;
            return Optional.of(new Sample(tag, at, value, q));
        }
    }

    private Optional<Sample> readPrevious(int id, long ts) {
        try (TagView view = view(id, registry.definition(id).name())) {
            return Optional.ofNullable(view.previous(ts));
        }
    }

    private int idOrThrow(String tag) {
        int id = registry.idOf(tag);
        if (id < 0) {
            throw new TagNotFoundException(tag);
        }
        return id;
    }

    /** Waits until every entry appended before now has been applied by the store writer. */
    void awaitApplied() {
        awaitApplied(journal.lastAppendedIndex());
    }

    /** Waits until the store writer has applied the journal entry {@code target} (a no-op if negative). */
    private void awaitApplied(long target) {
        if (target < 0 || storeWriter.appliedIndex() >= target) {
            return;
        }
        // The store writer parks for up to half a millisecond when idle; a reader should not wait that out.
        LockSupport.unpark(storeWriterThread);
        long deadline = System.nanoTime() + settings.readWaitTimeout().toNanos();
        int spins = 0;
        while (storeWriter.appliedIndex() < target) {
            if (storeWriter.failure() != null) {
                throw new HistorianException("the store writer failed [dir=" + dataDirectory + "]", storeWriter.failure());
            }
            if (System.nanoTime() > deadline) {
                throw new HistorianException("the store writer is behind the journal; reads wait for it [dir="
                        + dataDirectory + ", waited=" + settings.readWaitTimeout().toMillis() + " ms]", null, true);
            }
            if (spins++ < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(50_000);
            }
        }
    }

    TagView view(int id, String tag) {
        var lockRead = storeWriter.stateLock.readLock();
        lockRead.lock();
        try {
            return new TagView(store, registry, this, id, tag, storeWriter.peek(id));
        } finally {
            lockRead.unlock();
        }
    }

    // ---------------------------------------------------------------- tags, stats, lifecycle

    @Override
    public TagDefinition register(TagDefinition definition) {
        Objects.requireNonNull(definition, "definition");
        writeLock.lock();
        try {
            checkOpen();
            registry.register(List.of(definition), settings.durability() == Durability.POWER_LOSS);
            growTagCounters(registry.size());
            return registry.definition(registry.idOf(definition.name()));
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public Optional<TagDefinition> tag(String name) {
        Objects.requireNonNull(name, "name");
        int id = registry.idOf(name);
        return id < 0 ? Optional.empty() : Optional.of(registry.definition(id));
    }

    @Override
    public List<TagDefinition> tags() {
        return registry.all();
    }

    @Override
    public HistorianStats stats() {
        Map<RejectReason, Long> byReason = new EnumMap<>(RejectReason.class);
        for (RejectReason r : RejectReason.values()) {
            long count = rejectedByReason.get(r.ordinal());
            if (count > 0) {
                byReason.put(r, count);
            }
        }
        return new HistorianStats(received, journaled, rejected, byReason, storeWriter.stored.get(),
                storeWriter.duplicates.get(), storeWriter.pending.get(), storeWriter.replayed.get(),
                storeWriter.committedChunks.get(), journal.usedBytes(), journal.budgetBytes(),
                journal.fullEvents(), registry.size(), corruptChunks.get());
    }

    @Override
    public TagStats stats(String tag) {
        Objects.requireNonNull(tag, "tag");
        int id = idOrThrow(tag);
        // Read without the write lock (see the counters above); values may lag by one call.
        long[] rec = tagReceived;
        long[] rej = tagRejected;
        long[] jour = tagJournaled;
        return new TagStats(tag, id < rec.length ? rec[id] : 0, id < rej.length ? rej[id] : 0,
                id < jour.length ? jour[id] : 0);
    }

    @Override
    public Optional<io.historian.FilterStats> compression(String tag) {
        Objects.requireNonNull(tag, "tag");
        checkOpen();
        int id = idOrThrow(tag);
        awaitApplied();
        return Optional.ofNullable(storeWriter.filterStats(id));
    }

    // ---------------------------------------------------------------- subscriptions

    private final Subscriptions subscriptions;

    @Override
    public io.historian.Subscription subscribe(String tagPattern, io.historian.SampleListener listener) {
        return subscriptions.subscribe(tagPattern, listener);
    }

    @Override
    public io.historian.Subscription subscribeFrom(Instant from, String tagPattern,
            io.historian.SampleListener listener) {
        Objects.requireNonNull(from, "from");
        return subscriptions.subscribeFrom(toMillis(from), tagPattern, listener);
    }

    // ---------------------------------------------------------------- cold tier

    private final io.historian.internal.tier.Manifest manifest;
    private final io.historian.internal.tier.SegmentCache coldCache;
    private final TieringJob tiering;
    /** Samples before it are refused; raised under the write lock, read by the write path. */
    private volatile long tieringCutoff = Long.MIN_VALUE;
    private java.util.concurrent.ScheduledExecutorService tieringScheduler;
    private int tieringFailures;

    /** The tag's cold segments as {@code snapshot} sees the manifest, or null without a cold tier. */
    ColdView coldView(int tagId, String tag, org.rocksdb.Snapshot snapshot) {
        return coldCache == null ? null : new ColdView(tag, manifest.entries(tagId, snapshot), coldCache);
    }

    long tieringCutoff() {
        return tieringCutoff;
    }

    /** Persists (synced) and publishes a higher cutoff; writes after this return see it. */
    void raiseTieringCutoff(long cutoff) {
        if (cutoff <= tieringCutoff) {
            return;
        }
        manifest.writeCutoff(cutoff);
        writeLock.lock();
        try {
            tieringCutoff = cutoff;
            storeWriter.tieringCutoff = cutoff;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public io.historian.TieringReport tierNow() {
        checkOpen();
        if (tiering == null) {
            throw new IllegalStateException("no cold tier configured [dir=" + dataDirectory + "]");
        }
        return tiering.run();
    }

    /** The segment cache, for tests; null without a cold tier. */
    public io.historian.internal.tier.SegmentCache coldCache() {
        return coldCache;
    }

    private void startTiering() {
        if (tiering == null || settings.tiering().checkEvery().isZero()) {
            return;
        }
        tieringScheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "historian-tiering");
            t.setDaemon(true);
            return t;
        });
        tieringScheduler.schedule(this::scheduledTiering, settings.tiering().checkEvery().toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void scheduledTiering() {
        long every = settings.tiering().checkEvery().toMillis();
        long next = every;
        try {
            tiering.run();
            if (tieringFailures > 0) {
                LOG.info("tiering recovered after {} failed runs [tier={}]", tieringFailures,
                        settings.coldTier().describe());
            }
            tieringFailures = 0;
        } catch (RuntimeException e) {
            if (closed) {
                return;
            }
            tieringFailures++;
            // Back off from one second, doubling, never past the regular interval.
            next = Math.min(every, 1000L << Math.min(tieringFailures - 1, 20));
            LOG.warn("tiering run failed, retrying in {} ms [tier={}, failures={}]: {}", next,
                    settings.coldTier().describe(), tieringFailures, e.getMessage());
        }
        if (!closed) {
            try {
                tieringScheduler.schedule(this::scheduledTiering, next, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    private void stopTiering() {
        if (tieringScheduler != null) {
            tieringScheduler.shutdownNow();
            try {
                tieringScheduler.awaitTermination(settings.readWaitTimeout().toMillis(),
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public long applyRetention() {
        checkOpen();
        return storeWriter.call(() -> storeWriter.applyRetention(settings.clock().millis()),
                settings.readWaitTimeout().toMillis());
    }

    private final Set<TagView> openViews = java.util.concurrent.ConcurrentHashMap.newKeySet();

    void remember(TagView view) {
        openViews.add(view);
    }

    void forget(TagView view) {
        openViews.remove(view);
    }

    final java.util.concurrent.atomic.AtomicLong corruptChunks = new java.util.concurrent.atomic.AtomicLong();

    static HistorianException corrupt(int tagId, TagRegistry registry, long chunkStart, CorruptChunkException e) {
        String tag = tagId < registry.size() ? registry.definition(tagId).name() : ("#" + tagId);
        return new HistorianException("corrupt chunk [tag=" + tag + ", chunkStart=" + describe(chunkStart) + "]: "
                + e.getMessage(), e);
    }

    HistorianException corruptOnRead(int tagId, long chunkStart, CorruptChunkException e) {
        corruptChunks.incrementAndGet();
        return corrupt(tagId, registry, chunkStart, e);
    }

    /** Test seam: pauses or resumes the store writer. */
    public void storeWriterPaused(boolean paused) {
        storeWriter.paused(paused);
    }

    /** Test and benchmark seam: commits everything in memory and compacts the store. */
    public void compactStore() {
        // Everything journaled so far must be applied first, or the figures miss the backlog.
        awaitApplied();
        storeWriter.call(() -> {
            storeWriter.sealAll();
            storeWriter.commit();
            return null;
        }, 600_000);
        store.compact();
    }

    /** The store, for benchmarks that measure disk use. */
    public RocksChunkStore store() {
        return store;
    }

    /** The journal, for tests. */
    public ChronicleJournal journal() {
        return journal;
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("historian is closed [dir=" + dataDirectory + "]");
        }
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        for (io.historian.spi.SampleSource source : started) {
            // Sources stop first, while writes are still accepted, so their last samples are kept.
            closeQuietly(source);
        }
        writeLock.lock();
        try {
            closed = true;
        } finally {
            writeLock.unlock();
        }
        stopTiering();
        // Before the journal and the store close under their tailers and views.
        subscriptions.closeAll();
        storeWriter.stop();
        try {
            storeWriterThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (mbeanName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbeanName);
            } catch (Exception e) {
                LOG.debug("cannot unregister {}", mbeanName, e);
            }
        }
        for (TagView view : new ArrayList<>(openViews)) {
            // Cursors left open would otherwise hold store snapshots past the store's close.
            view.close();
        }
        closeQuietly(journal);
        closeQuietly(store);
        closeQuietly(settings.coldTier());
        releaseLock(lock, lockChannel);
        if (storeWriter.failure() != null) {
            LOG.warn("historian closed after a store writer failure; the journal keeps the data [dir={}]", dataDirectory);
        }
    }

    private static void releaseLock(FileLock lock, FileChannel channel) {
        try {
            if (lock != null) {
                lock.release();
            }
        } catch (IOException e) {
            LOG.debug("cannot release the lock", e);
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("error while closing {}", c, e);
        }
    }

    Path dataDirectory() {
        return dataDirectory;
    }
}
