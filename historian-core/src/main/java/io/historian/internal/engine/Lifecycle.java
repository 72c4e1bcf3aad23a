package io.historian.internal.engine;

import io.historian.TieringReport;
import io.historian.internal.journal.ChronicleJournal;
import io.historian.internal.store.RocksChunkStore;
import io.historian.internal.tier.Manifest;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner of the data's lifecycle after the write path: a chunk lives open, sealed, committed,
 * tiered and expired, and two horizons move over it, the tiering cutoff and the retention
 * horizon (see {@link Horizons} and {@code docs/lifecycle.md}).
 *
 * <p><b>Moving the tiering cutoff</b> follows one drain protocol: (1) under the write lock, raise
 * the cutoff, so every later write behind it is refused, and note the last journal entry; (2) the
 * store writer applies everything up to that entry, seals the open chunks that start behind the
 * cutoff and commits them with the new cutoff in one synced batch; (3) only then does the tiering
 * job export. A sample acknowledged before the cutoff rose is therefore exported or still local,
 * never dropped, and a replay finds no sample behind the cutoff that the store does not hold.
 *
 * <p><b>Retention</b> refuses writes behind {@code now - retention} (the write path, per call),
 * deletes the committed chunks wholly behind it on the store writer, then the cold segments wholly
 * behind it (manifest first, objects after), and gives the disk space back.
 *
 * <p><b>Threads:</b> {@code tierNow()} and {@code applyRetention()} run on their caller;
 * scheduled runs on {@code historian-lifecycle}. Tiering runs and cold deletions are serialized by
 * the tiering job's monitor; the store writer's part always runs on the store writer thread.
 */
final class Lifecycle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private final Settings settings;
    private final RocksChunkStore store;
    private final TagRegistry registry;
    private final StoreWriter storeWriter;
    private final ChronicleJournal journal;
    private final WritePath writes;
    private final Manifest manifest;
    private final Horizons horizons;
    private final Status status;
    /** Null without a cold tier. */
    private final TieringJob tiering;
    private ScheduledExecutorService scheduler;
    private int tieringFailures;
    /** Tiering runs and what they moved, since open; the counters behind the tiering MBean and meters. */
    final TieringCounters counters = new TieringCounters();

    Lifecycle(Settings settings, RocksChunkStore store, TagRegistry registry, StoreWriter storeWriter,
            ChronicleJournal journal, WritePath writes, Reads reads, Manifest manifest, Horizons horizons, Status status) {
        this.settings = settings;
        this.store = store;
        this.registry = registry;
        this.storeWriter = storeWriter;
        this.journal = journal;
        this.writes = writes;
        this.manifest = manifest;
        this.horizons = horizons;
        this.status = status;
        this.tiering = settings.coldTier() == null ? null
                : new TieringJob(settings, store, registry, storeWriter, manifest, reads, horizons,
                        this::raiseTieringCutoff);
    }

    /** Raises the tiering cutoff with the drain protocol (see the class comment); a lower one is ignored. */
    void raiseTieringCutoff(long cutoff) {
        if (cutoff <= horizons.tieringCutoff()) {
            return;
        }
        long through;
        var lock = writes.lock();
        lock.lock();
        try {
            horizons.raiseTieringCutoff(cutoff);
            through = journal.lastAppendedIndex();
        } finally {
            lock.unlock();
        }
        storeWriter.call(() -> {
            storeWriter.drain(through, cutoff, batch -> manifest.stageCutoff(batch, cutoff));
            return null;
        }, settings.readWaitTimeout().toMillis());
    }

    TieringReport tierNow() {
        status.check();
        if (tiering == null) {
            throw new IllegalStateException("no cold tier configured [dir=" + settings.dataDirectory() + "]");
        }
        TieringReport report;
        try {
            report = tiering.run();
        } catch (RuntimeException e) {
            counters.failed();
            throw e;
        }
        counters.succeeded(report);
        return report;
    }

    /**
     * Deletes the chunks and cold segments that lie wholly before {@code now - retention}, then
     * gives their disk space back; returns how many chunks and segments went.
     */
    long applyRetention() {
        status.check();
        if (settings.retention() == null) {
            return 0;
        }
        long horizon = horizons.retentionHorizon(horizons.now());
        long chunks = storeWriter.call(() -> storeWriter.applyRetention(horizon), settings.readWaitTimeout().toMillis());
        long segments = tiering == null ? 0 : tiering.expire(horizon);
        counters.expiredSegments.addAndGet(segments);
        if (chunks > 0) {
            store.reclaim(0, registry.size() - 1, horizon);
        }
        if (chunks + segments > 0) {
            LOG.info("retention removed {} chunks and {} cold segments before {} [dir={}]", chunks, segments,
                    Timestamps.describe(horizon), settings.dataDirectory());
        }
        return chunks + segments;
    }

    /** Starts the scheduled tiering and retention runs the settings ask for. */
    void start() {
        boolean tieringScheduled = tiering != null && !settings.tiering().checkEvery().isZero();
        boolean retentionScheduled = settings.retention() != null;
        if (!tieringScheduled && !retentionScheduled) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "historian-lifecycle");
            t.setDaemon(true);
            return t;
        });
        if (tieringScheduled) {
            schedule(this::scheduledTiering, settings.tiering().checkEvery().toMillis());
        }
        if (retentionScheduled) {
            schedule(this::scheduledRetention, settings.retentionCheckInterval().toMillis());
        }
    }

    private void schedule(Runnable run, long delayMillis) {
        if (status.closed()) {
            return;
        }
        try {
            scheduler.schedule(run, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void scheduledTiering() {
        long every = settings.tiering().checkEvery().toMillis();
        long next = every;
        try {
            tierNow();
            if (tieringFailures > 0) {
                LOG.info("tiering recovered after {} failed runs [tier={}]", tieringFailures,
                        settings.coldTier().describe());
            }
            tieringFailures = 0;
        } catch (RuntimeException e) {
            if (status.closed()) {
                return;
            }
            tieringFailures++;
            // Back off from one second, doubling, never past the regular interval.
            next = Math.min(every, 1000L << Math.min(tieringFailures - 1, 20));
            LOG.warn("tiering run failed, retrying in {} ms [tier={}, failures={}]: {}", next,
                    settings.coldTier().describe(), tieringFailures, e.getMessage());
        }
        schedule(this::scheduledTiering, next);
    }

    private void scheduledRetention() {
        try {
            applyRetention();
        } catch (RuntimeException e) {
            if (status.closed()) {
                return;
            }
            LOG.warn("retention run failed; the next check retries [dir={}]: {}", settings.dataDirectory(),
                    e.getMessage());
        }
        schedule(this::scheduledRetention, settings.retentionCheckInterval().toMillis());
    }

    /** Stops the scheduled runs and waits for one in progress. */
    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(settings.readWaitTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
