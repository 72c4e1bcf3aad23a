package io.historian.internal.engine;

import io.historian.Health;
import io.historian.HealthThresholds;
import io.historian.Subscription;
import io.historian.internal.journal.ChronicleJournal;
import io.historian.internal.query.Downsampling;
import io.historian.internal.query.QueryReader;
import io.historian.internal.tier.SegmentCache;
import io.historian.query.Aggregate;
import io.historian.query.AggregateCursor;
import io.historian.query.PointCursor;
import io.historian.query.RawQuery;
import io.historian.query.SampleCursor;
import io.historian.spi.SampleSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * The figures of one engine beyond {@code stats()}, for the meter binder and the MBeans, and the
 * health judgement. Reads only: every figure is a counter or state the owning part keeps anyway;
 * nothing here runs on the write path except the query timing, which is per query, not per sample.
 *
 * <p><b>Threads:</b> any.
 */
public final class Telemetry {

    /** Told when a subscription opens and when it ends; must be quick and must not throw. */
    public interface SubscriptionListener {
        /**
         * A subscription opened (or was open when the listener was added).
         *
         * @param name its name, unique in this JVM
         * @param subscription the subscription
         */
        void opened(String name, Subscription subscription);

        /**
         * A subscription ended (closed, failed or lagged out).
         *
         * @param name its name
         * @param subscription the subscription
         */
        void closed(String name, Subscription subscription);
    }

    /** Told of each query as its terminal call returns; must be quick and must not throw. */
    public interface QueryRecorder {
        /**
         * One query ran.
         *
         * @param mode its mode
         * @param nanos how long the terminal call took
         */
        void record(QueryMode mode, long nanos);
    }

    /** The query modes, each a meter tag value. */
    public enum QueryMode {
        /** {@code raw()} */
        RAW,
        /** {@code aggregate(...)} */
        AGGREGATE,
        /** {@code interpolated(...)} */
        INTERPOLATED,
        /** {@code lttb(...)}, {@code minMaxLttb(...)} and {@code plot(...)} */
        DOWNSAMPLE,
        /** {@code latest(...)} */
        LATEST,
        /** {@code valueAt(...)} */
        VALUE_AT;

        /** {@return the tag value: the name in lower case} */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Settings settings;
    private final Status status;
    private final ChronicleJournal journal;
    private final StoreWriter storeWriter;
    private final WritePath writes;
    private final Subscriptions subscriptions;
    private final Lifecycle lifecycle;
    private final SegmentCache coldCache;
    private final Horizons horizons;
    private final LongAdder[] queries = adders();
    private final LongAdder[] queryNanos = adders();
    private final List<QueryRecorder> recorders = new CopyOnWriteArrayList<>();
    final QueryReader timedReader;

    Telemetry(Settings settings, Status status, ChronicleJournal journal, StoreWriter storeWriter, WritePath writes,
            Subscriptions subscriptions, Lifecycle lifecycle, SegmentCache coldCache, Horizons horizons,
            QueryReader reader) {
        this.settings = settings;
        this.status = status;
        this.journal = journal;
        this.storeWriter = storeWriter;
        this.writes = writes;
        this.subscriptions = subscriptions;
        this.lifecycle = lifecycle;
        this.coldCache = coldCache;
        this.horizons = horizons;
        this.timedReader = new TimedReader(reader);
    }

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[QueryMode.values().length];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    // ---------------------------------------------------------------- queries

    void recordQuery(QueryMode mode, long startNanos) {
        long nanos = System.nanoTime() - startNanos;
        queries[mode.ordinal()].increment();
        queryNanos[mode.ordinal()].add(nanos);
        for (QueryRecorder r : recorders) {
            r.record(mode, nanos);
        }
    }

    /**
     * Queries of one mode since open.
     *
     * @param mode the mode
     * @return terminal calls that returned or threw
     */
    public long queries(QueryMode mode) {
        return queries[mode.ordinal()].sum();
    }

    /**
     * Time spent in the terminal calls of one mode since open: to the first result for a cursor
     * (a cursor's later iteration is the caller's time), the whole call for latest and valueAt.
     *
     * @param mode the mode
     * @return nanoseconds
     */
    public long queryNanos(QueryMode mode) {
        return queryNanos[mode.ordinal()].sum();
    }

    /**
     * Adds a recorder told of every query (for timers with percentiles).
     *
     * @param recorder the recorder
     */
    public void addQueryRecorder(QueryRecorder recorder) {
        recorders.add(recorder);
    }

    // ---------------------------------------------------------------- ingest, store, journal

    /** {@return formula results computed since open} */
    public long formulaEvaluations() {
        return writes.derivation().evaluations();
    }

    /** {@return formula results that came out Bad_CalculationFailed since open} */
    public long formulaFailures() {
        return writes.derivation().failures();
    }

    /** {@return store commits since open (each writes pending chunks and the checkpoint in one batch)} */
    public long storeCommits() {
        return storeWriter.commits.get();
    }

    /** {@return nanoseconds the store commits took since open: staging and writing the batch} */
    public long storeCommitNanos() {
        return storeWriter.commitNanos.get();
    }

    /** {@return nanoseconds writers waited for journal space since open} */
    public long journalBlockedNanos() {
        return journal.blockedNanos();
    }

    /** {@return samples journaled since open that the store writer has not read} */
    long storeLagSamples() {
        // The store writer's count first: everything it counted was journaled before.
        long live = storeWriter.readSamples.get() - storeWriter.replayed.get();
        return Math.max(0, writes.journaled() - live);
    }

    /** {@return how long the oldest unapplied journal entry has waited, at most; 0 when caught up} */
    long storeLagMillis() {
        long applied = storeWriter.appliedIndex();
        long caughtUp = storeWriter.caughtUpNanos;
        if (applied >= journal.lastAppendedIndex()) {
            return 0;
        }
        return Math.max(0, (System.nanoTime() - caughtUp) / 1_000_000);
    }

    // ---------------------------------------------------------------- subscriptions

    /** {@return subscriptions open now} */
    public int openSubscriptions() {
        return subscriptions.openCount();
    }

    /** {@return subscriptions ended because they lagged beyond the limit, since open} */
    public long laggedOutSubscriptions() {
        return subscriptions.laggedOutCount();
    }

    /**
     * Tells {@code listener} of every subscription open now and of every one opened or ended later.
     *
     * @param listener the listener; quick, never throwing
     */
    public void listen(SubscriptionListener listener) {
        subscriptions.listen(listener);
    }

    // ---------------------------------------------------------------- tiering and the cold cache

    /** {@return true when the historian has a cold tier} */
    public boolean hasColdTier() {
        return coldCache != null;
    }

    /** {@return tiering runs that ended since open, failed ones included} */
    public long tieringRuns() {
        return lifecycle.counters.runs.get();
    }

    /** {@return tiering runs that failed since open} */
    public long tieringFailedRuns() {
        return lifecycle.counters.failedRuns.get();
    }

    /** {@return tiering runs that failed since the last success} */
    public int tieringFailedRunsInARow() {
        return lifecycle.counters.failuresInARow();
    }

    /** {@return segments recorded by successful tiering runs since open} */
    public long tieringSegments() {
        return lifecycle.counters.segments.get();
    }

    /** {@return bytes of those segments} */
    public long tieringBytes() {
        return lifecycle.counters.bytes.get();
    }

    /** {@return samples moved to the cold tier since open} */
    public long tieringSamples() {
        return lifecycle.counters.samples.get();
    }

    /** {@return the tiering cutoff in epoch milliseconds, Long.MIN_VALUE before any} */
    public long tieringCutoffMillis() {
        return horizons.tieringCutoff();
    }

    /** {@return cold-tier segments deleted by retention since open} */
    public long expiredSegments() {
        return lifecycle.counters.expiredSegments.get();
    }

    /** {@return segments served from the local cache since open; 0 without a cold tier} */
    public long coldCacheHits() {
        return coldCache == null ? 0 : coldCache.hits();
    }

    /** {@return segments fetched from the cold tier since open; 0 without a cold tier} */
    public long coldCacheMisses() {
        return coldCache == null ? 0 : coldCache.fetches();
    }

    /** {@return bytes held in the local segment cache; 0 without a cold tier} */
    public long coldCacheBytes() {
        return coldCache == null ? 0 : coldCache.usedBytes();
    }

    // ---------------------------------------------------------------- health

    /** The health now, judged against the settings' thresholds (see {@link io.historian.Historian#health()}). */
    Health health() {
        status.checkNotClosed();
        HealthThresholds t = settings.health();
        List<Health.Reason> reasons = new ArrayList<>();
        Throwable failure = status.failure();
        if (failure != null) {
            reasons.add(new Health.Reason(Health.Cause.STORE_WRITER_FAILED, Health.State.DOWN, failure.toString()));
        }
        long used = journal.usedBytes();
        long budget = journal.budgetBytes();
        if (used > t.journalUsage() * budget) {
            reasons.add(new Health.Reason(Health.Cause.JOURNAL_FULL, Health.State.DEGRADED, String.format(
                    java.util.Locale.ROOT, "journal at %.0f%% of its budget [used=%d, budget=%d, threshold=%.0f%%]",
                    100.0 * used / budget, used, budget, 100 * t.journalUsage())));
        }
        long lagMillis = storeLagMillis();
        if (failure == null && lagMillis > t.storeLag().toMillis()) {
            reasons.add(new Health.Reason(Health.Cause.STORE_LAG, Health.State.DEGRADED, "the store writer lags by "
                    + Duration.ofMillis(lagMillis) + " [samples=" + storeLagSamples() + ", threshold=" + t.storeLag()
                    + "]"));
        }
        Instant now = Instant.now();
        for (SampleSource source : settings.sources()) {
            Instant since = source.unreachableSince();
            if (since != null && Duration.between(since, now).compareTo(t.deviceUnreachable()) > 0) {
                reasons.add(new Health.Reason(Health.Cause.DEVICE_UNREACHABLE, Health.State.DEGRADED, "source "
                        + source.name() + " unreachable since " + since + " [threshold=" + t.deviceUnreachable() + "]"));
            }
        }
        int inARow = tieringFailedRunsInARow();
        if (inARow >= t.tieringFailures()) {
            reasons.add(new Health.Reason(Health.Cause.TIERING_FAILING, Health.State.DEGRADED, inARow
                    + " tiering runs failed in a row [threshold=" + t.tieringFailures() + "]"));
        }
        long lagged = subscriptions.laggedOutCount();
        if (lagged > 0) {
            long ago = System.nanoTime() - subscriptions.laggedOutAtNanos();
            if (ago < t.laggedSubscription().toNanos()) {
                reasons.add(new Health.Reason(Health.Cause.SUBSCRIPTION_LAGGED, Health.State.DEGRADED,
                        "a subscription was ended for lag " + Duration.ofNanos(ago).toSeconds() + " s ago [lagged out "
                                + "since open=" + lagged + ", threshold=" + t.laggedSubscription() + "]"));
            }
        }
        return Health.of(reasons);
    }

    /** Counts and times each query mode; one per engine, so a query allocates nothing more. */
    private final class TimedReader implements QueryReader {
        private final QueryReader reader;

        TimedReader(QueryReader reader) {
            this.reader = reader;
        }

        @Override
        public SampleCursor open(RawQuery query) {
            long t0 = System.nanoTime();
            try {
                return reader.open(query);
            } finally {
                recordQuery(QueryMode.RAW, t0);
            }
        }

        @Override
        public AggregateCursor aggregate(RawQuery query, Duration interval, List<Aggregate> aggregates) {
            long t0 = System.nanoTime();
            try {
                return reader.aggregate(query, interval, aggregates);
            } finally {
                recordQuery(QueryMode.AGGREGATE, t0);
            }
        }

        @Override
        public PointCursor interpolated(RawQuery query, Duration step) {
            long t0 = System.nanoTime();
            try {
                return reader.interpolated(query, step);
            } finally {
                recordQuery(QueryMode.INTERPOLATED, t0);
            }
        }

        @Override
        public PointCursor downsample(RawQuery query, Downsampling mode, int points) {
            long t0 = System.nanoTime();
            try {
                return reader.downsample(query, mode, points);
            } finally {
                recordQuery(QueryMode.DOWNSAMPLE, t0);
            }
        }
    }
}
