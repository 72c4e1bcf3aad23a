package io.historian.internal.engine;

import io.historian.DamagedDataException;
import io.historian.FilterStats;
import io.historian.Forwarding;
import io.historian.Historian;
import io.historian.HistorianException;
import io.historian.HistorianStats;
import io.historian.Quality;
import io.historian.Sample;
import io.historian.SampleBatch;
import io.historian.SampleListener;
import io.historian.Subscription;
import io.historian.TagDefinition;
import io.historian.TagStats;
import io.historian.TieringReport;
import io.historian.ValueAt;
import io.historian.internal.forward.Forwarders;
import io.historian.internal.journal.ChronicleJournal;
import io.historian.internal.journal.ChronicleProperties;
import io.historian.internal.query.Query;
import io.historian.internal.store.RocksChunkStore;
import io.historian.internal.tier.Manifest;
import io.historian.internal.tier.SegmentCache;
import io.historian.query.RawQuery;
import io.historian.spi.SampleSink;
import io.historian.spi.SampleSource;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The historian behind {@link Historian}: opens the parts, wires them, and hands each call to the
 * one that owns it. Each part has one concern:
 *
 * <ul>
 *   <li>{@link WritePath}: validation, formulas ({@link Derivation}), one journal entry per call;
 *   <li>{@link StoreWriter}: the journal's tailer that builds chunks and commits them;
 *   <li>{@link Reads}: every query mode, over consistent {@link TagView}s;
 *   <li>{@link Subscriptions}: live and replaying subscriptions on their own tailers;
 *   <li>{@link Lifecycle}: the tiering cutoff and retention, with the drain protocol.
 * </ul>
 *
 * <p>See {@code CONCURRENCY.md} for the threads and locks, {@code docs/lifecycle.md} for a
 * sample's life from write to expiry.
 */
public final class Engine implements Historian {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final Settings settings;
    private final Path dataDirectory;
    private final DirectoryLock lock;
    private final RocksChunkStore store;
    private final ChronicleJournal journal;
    private final TagRegistry registry;
    private final OpenRecovery recovery;
    private final JournalLedger ledger;
    private final StoreWriter storeWriter;
    private final Thread storeWriterThread;
    private final Status status;
    private final Reads reads;
    private final WritePath writes;
    private final Subscriptions subscriptions;
    private final Lifecycle lifecycle;
    private final Telemetry telemetry;
    private final List<ObjectName> mbeanNames;
    private final Forwarders forwarders;
    private final List<SampleSource> started = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();

    private Engine(Settings settings) {
        this.settings = settings;
        this.dataDirectory = settings.dataDirectory().toAbsolutePath().normalize();
        this.lock = DirectoryLock.acquire(dataDirectory);
        RocksChunkStore openedStore = null;
        ChronicleJournal openedJournal = null;
        try {
            // Before the store and journal: when it refuses its directory, only the lock is held.
            SegmentCache coldCache = settings.coldTier() == null ? null
                    : new SegmentCache(settings.coldTier(), dataDirectory.resolve("cold-cache"),
                            settings.coldCacheSize().bytes());
            this.recovery = new OpenRecovery(dataDirectory, settings.recovery());
            openedStore = recovery.openStore();
            // Before the journal opens: a damaged segment must be set aside before Chronicle maps it.
            recovery.checkJournal(openedStore);
            openedJournal = new ChronicleJournal(dataDirectory.resolve("journal"), settings.journalSegmentSize(),
                    settings.journalBudget(), settings.overflowPolicy(), settings.blockTimeout(),
                    settings.journalMaxEntry(), settings.diskReserve(), checkpointIndex(openedStore),
                    settings.recovery() == io.historian.Recovery.SALVAGE);
            this.store = openedStore;
            this.journal = openedJournal;
            this.registry = new TagRegistry(store);
            recovery.registerJournalTags(registry, journal);
            if (!settings.tags().isEmpty()) {
                registry.register(settings.tags(), settings.durability() == io.historian.Durability.POWER_LOSS);
            }
            JournalLedger.coverFrom(store, journal.segment());
            this.ledger = new JournalLedger(store, journal);
            Manifest manifest = new Manifest(store);
            Horizons horizons = new Horizons(manifest.cutoff(), settings.retention(), settings.clock());
            this.storeWriter = openStoreWriter(settings, horizons);
            this.storeWriterThread = new Thread(storeWriter, "historian-store-writer");
            storeWriterThread.setDaemon(true);
            this.status = new Status(dataDirectory, storeWriter::failure);
            this.reads = new Reads(settings, registry, store, journal, storeWriter, storeWriterThread, manifest,
                    coldCache, status);
            this.writes = new WritePath(settings, registry, journal, ledger, horizons, reads, status);
            this.subscriptions = new Subscriptions(status, reads, registry, journal, storeWriter, writes.lock(),
                    settings.subscriberLagLimit().bytes());
            this.lifecycle = new Lifecycle(settings, store, registry, storeWriter, journal, writes, reads, manifest,
                    horizons, status);
            this.telemetry = new Telemetry(settings, status, journal, storeWriter, writes, subscriptions, lifecycle,
                    coldCache, horizons, reads.queries);
            // Before the store writer starts: each forwarder pins the journal at its position first.
            this.forwarders = openForwarders(settings, writes);
        } catch (RuntimeException e) {
            closeQuietly(openedJournal);
            closeQuietly(openedStore);
            lock.close();
            throw e;
        }
        storeWriterThread.start();
        this.mbeanNames = settings.jmx() ? registerMBeans() : List.of();
    }

    private StoreWriter openStoreWriter(Settings settings, Horizons horizons) {
        StoreWriter writer;
        try {
            writer = new StoreWriter(settings, registry, store, journal, () -> settings.clock().millis(),
                    Derivation.outputIds(settings, registry));
        } catch (HistorianException e) {
            throw e;
        } catch (RuntimeException e) {
            // The damage check reads what the store needs; Chronicle may still refuse a segment it did not index.
            throw new DamagedDataException("the journal cannot be read at the store's checkpoint: " + e.getMessage()
                    + " [dir=" + journal.directory() + ", segments=" + journal.segmentFiles().values() + "]",
                    journal.directory(), e);
        }
        // Before replay: samples behind the cutoff in the journal are committed (and maybe tiered) already.
        writer.tieringCutoff = horizons.tieringCutoff();
        return writer;
    }

    private Forwarders openForwarders(Settings settings, WritePath writes) {
        return new Forwarders(settings.forwarders(), new EngineForwarding(settings, registry, journal, writes,
                new StoreSeam(status, reads, registry, journal, storeWriter, writes.lock())),
                dataDirectory.resolve("forwarders"));
    }

    /** Opens a historian; waits until the journal's backlog has been replayed. */
    public static Engine open(Settings settings) {
        JvmFlags.check();
        ChronicleProperties.apply();
        Engine engine = new Engine(settings);
        try {
            engine.awaitReplay();
            engine.recovery.report();
            engine.writes.compileFormulas(engine.storeWriter);
            engine.forwarders.start(settings.jmx(), engine.dataDirectory);
            engine.startSources();
            engine.lifecycle.start();
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

    private void startSources() {
        SampleSink sink = new SampleSink() {
            @Override
            public void write(SampleBatch batch) {
                Engine.this.write(batch);
            }

            @Override
            public void write(String tag, long epochMillis, double value, Quality quality) {
                Engine.this.write(tag, epochMillis, value, quality);
            }
        };
        for (SampleSource source : settings.sources()) {
            started.add(source);
            try {
                source.start(sink);
            } catch (RuntimeException e) {
                throw new HistorianException("source failed to start [source=" + source.name() + "]: " + e.getMessage(), e);
            }
            LOG.info("source started [source={}]", source.name());
        }
    }

    private List<ObjectName> registerMBeans() {
        List<ObjectName> names = new java.util.ArrayList<>();
        registerMBean(names, "Historian", new StatsMXBean(this::stats, this::health));
        if (telemetry.hasColdTier()) {
            registerMBean(names, "Tiering", new TieringBean(telemetry));
        }
        return names;
    }

    private void registerMBean(List<ObjectName> names, String type, Object bean) {
        try {
            ObjectName name = new ObjectName("io.historian:type=" + type + ",directory="
                    + ObjectName.quote(dataDirectory.toString()));
            ManagementFactory.getPlatformMBeanServer().registerMBean(bean, name);
            names.add(name);
        } catch (Exception e) {
            LOG.warn("cannot register the JMX bean [type={}, dir={}]: {}", type, dataDirectory, e.toString());
        }
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void write(String tag, Instant timestamp, double value) {
        write(tag, Timestamps.toMillis(Objects.requireNonNull(timestamp, "timestamp")), value, Quality.GOOD);
    }

    @Override
    public void write(String tag, Instant timestamp, double value, Quality quality) {
        write(tag, Timestamps.toMillis(Objects.requireNonNull(timestamp, "timestamp")), value, quality);
    }

    @Override
    public void write(Sample sample) {
        Objects.requireNonNull(sample, "sample");
        write(sample.tag(), Timestamps.toMillis(sample.timestamp()), sample.value(), sample.quality());
    }

    @Override
    public void write(String tag, long epochMillis, double value, Quality quality) {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(quality, "quality");
        writes.write(tag, epochMillis, value, quality);
    }

    @Override
    public void write(SampleBatch batch) {
        Objects.requireNonNull(batch, "batch");
        writes.write(batch);
    }

    @Override
    public void flush() {
        status.check();
        journal.sync();
        store.syncWal();
    }

    @Override
    public TagDefinition register(TagDefinition definition) {
        Objects.requireNonNull(definition, "definition");
        return writes.register(definition);
    }

    // ---------------------------------------------------------------- reads

    @Override
    public RawQuery query(String tag) {
        Objects.requireNonNull(tag, "tag");
        return new Query(telemetry.timedReader, tag);
    }

    @Override
    public Optional<Sample> latest(String tag) {
        Objects.requireNonNull(tag, "tag");
        long t0 = System.nanoTime();
        try {
            return reads.latest(tag);
        } finally {
            telemetry.recordQuery(Telemetry.QueryMode.LATEST, t0);
        }
    }

    @Override
    public Optional<Sample> valueAt(String tag, Instant time, ValueAt mode) {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(mode, "mode");
        long t0 = System.nanoTime();
        try {
            return reads.valueAt(tag, time, mode);
        } finally {
            telemetry.recordQuery(Telemetry.QueryMode.VALUE_AT, t0);
        }
    }

    @Override
    public Optional<TagDefinition> tag(String name) {
        Objects.requireNonNull(name, "name");
        status.checkNotClosed();
        int id = registry.idOf(name);
        return id < 0 ? Optional.empty() : Optional.of(registry.definition(id));
    }

    @Override
    public List<TagDefinition> tags() {
        status.checkNotClosed();
        return registry.all();
    }

    @Override
    public Optional<FilterStats> compression(String tag) {
        Objects.requireNonNull(tag, "tag");
        status.check();
        int id = reads.idOrThrow(tag);
        reads.awaitApplied();
        return Optional.ofNullable(storeWriter.filterStats(id));
    }

    // ---------------------------------------------------------------- counters

    @Override
    public HistorianStats stats() {
        // Not check(): a failed historian still reports its counters and the failure.
        status.checkNotClosed();
        Throwable failure = status.failure();
        // Store writer counters before the writer's, so that the lag never comes out negative.
        long lagSamples = telemetry.storeLagSamples();
        return new HistorianStats(writes.received(), writes.journaled(), writes.rejected(), writes.rejectedByReason(),
                storeWriter.stored.get(), storeWriter.duplicates.get(), storeWriter.pending.get(),
                storeWriter.replayed.get(), storeWriter.committedChunks.get(), journal.usedBytes(),
                journal.budgetBytes(), journal.fullEvents(), registry.size(), reads.corruptChunks.get(),
                status.closed() ? 0 : store.fileBytes(), failure == null ? null : failure.toString(),
                journal.diskFreeBytes(), journal.refusal(),
                recovery.lostEntries(), recovery.lostSamples(), recovery.summary(),
                storeWriter.appliedSamples.get(), lagSamples, telemetry.storeLagMillis(),
                storeWriter.corruptEntries.get(), storeWriter.retentionDeleted.get(), telemetry.expiredSegments(),
                forwarders.statuses());
    }

    @Override
    public io.historian.Health health() {
        return telemetry.health();
    }

    /**
     * The figures beyond {@link #stats()}, for the meter binder.
     *
     * @return this engine's telemetry
     */
    public Telemetry telemetry() {
        return telemetry;
    }

    @Override
    public TagStats stats(String tag) {
        Objects.requireNonNull(tag, "tag");
        status.checkNotClosed();
        return writes.stats(tag, reads.idOrThrow(tag));
    }

    // ---------------------------------------------------------------- subscriptions

    @Override
    public Subscription subscribe(String tagPattern, SampleListener listener) {
        return subscriptions.subscribe(tagPattern, listener);
    }

    @Override
    public Subscription subscribeFrom(Instant from, String tagPattern, SampleListener listener) {
        Objects.requireNonNull(from, "from");
        return subscriptions.subscribeFrom(Timestamps.toMillis(from), tagPattern, listener);
    }

    // ---------------------------------------------------------------- forwarders

    @Override
    public Forwarding forwarder(String name) {
        Objects.requireNonNull(name, "name");
        status.checkNotClosed();
        Forwarding f = forwarders.get(name);
        if (f == null) {
            throw new IllegalArgumentException("no forwarder named " + name);
        }
        return f;
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public TieringReport tierNow() {
        return lifecycle.tierNow();
    }

    @Override
    public long applyRetention() {
        return lifecycle.applyRetention();
    }

    @Override
    public void compact() {
        status.check();
        // Everything journaled so far must be applied first, or the compaction misses the backlog.
        reads.awaitApplied();
        int next = storeWriter.call(() -> {
            storeWriter.sealAll();
            return storeWriter.mergeShortChunks(0);
        }, settings.readWaitTimeout().toMillis());
        // In slices, so that writes are applied and reads answered between them.
        while (next >= 0) {
            int from = next;
            next = storeWriter.call(() -> storeWriter.mergeShortChunks(from), settings.readWaitTimeout().toMillis());
        }
        store.compact();
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        for (SampleSource source : started) {
            // Sources stop first, while writes are still accepted, so their last samples are kept.
            closeQuietly(source);
        }
        var writeLock = writes.lock();
        writeLock.lock();
        try {
            status.markClosed();
        } finally {
            writeLock.unlock();
        }
        lifecycle.close();
        // Before the journal and the store close under their tailers and views.
        subscriptions.closeAll();
        forwarders.stop();
        storeWriter.stop();
        try {
            storeWriterThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            ledger.close();
        } catch (RuntimeException e) {
            LOG.warn("cannot record the journal's last segment [dir={}]", dataDirectory, e);
        }
        for (ObjectName name : mbeanNames) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (Exception e) {
                LOG.debug("cannot unregister {}", name, e);
            }
        }
        // After the store writer's last commit, which would otherwise release what forwarders still need.
        forwarders.close();
        // Cursors left open would otherwise hold store snapshots past the store's close.
        reads.closeViews();
        closeQuietly(journal);
        closeQuietly(store);
        closeQuietly(settings.coldTier());
        lock.close();
        if (storeWriter.failure() != null) {
            LOG.warn("historian closed after a store writer failure; the journal keeps the data [dir={}]", dataDirectory);
        }
    }

    /** The store's checkpoint entry, or -1 when it has none: the journal keeps what the store still needs. */
    private static long checkpointIndex(RocksChunkStore store) {
        long[] checkpoint = store.readCheckpoint();
        return checkpoint == null ? -1 : checkpoint[0];
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

    // ---------------------------------------------------------------- for tests in this package

    StoreWriter storeWriter() {
        return storeWriter;
    }

    ChronicleJournal journal() {
        return journal;
    }

    RocksChunkStore store() {
        return store;
    }

    Reads reads() {
        return reads;
    }
}
