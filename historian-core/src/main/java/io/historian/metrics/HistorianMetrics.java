package io.historian.metrics;

import io.historian.ForwarderStatus;
import io.historian.Health;
import io.historian.Historian;
import io.historian.HistorianStats;
import io.historian.RejectReason;
import io.historian.Subscription;
import io.historian.internal.engine.Engine;
import io.historian.internal.engine.Telemetry;
import io.historian.internal.engine.Telemetry.QueryMode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Registers a historian's meters with a Micrometer {@link MeterRegistry}.
 *
 * <pre>{@code
 * Historian historian = Historian.builder()...build();
 * new HistorianMetrics(historian).bindTo(registry);          // Spring Boot: expose it as a @Bean
 * }</pre>
 *
 * <p>The meters read the historian's own counters when the registry asks (a scrape); nothing is
 * recorded on the write path. One {@link Historian#stats()} snapshot serves every meter read
 * within 200 ms, so the figures of one scrape are taken together. Names follow Micrometer's
 * conventions (dots, base units: bytes and seconds); a Prometheus registry renders
 * {@code historian.ingest.samples} as {@code historian_ingest_samples_total}. Every meter is
 * listed in the README ("Metrics and health"); cardinality is bounded by the number of
 * subscriptions and forwarders, never by tags.
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>meter</th><th>type</th><th>tags</th><th>moves when</th></tr>
 * <tr><td>historian.ingest.samples</td><td>counter</td><td>stage=received|journaled</td><td>a write call hands samples in / they reach the journal</td></tr>
 * <tr><td>historian.ingest.rejected</td><td>counter</td><td>reason</td><td>a sample is refused, per {@link RejectReason}</td></tr>
 * <tr><td>historian.ingest.duplicates</td><td>counter</td><td></td><td>a sample meets a stored timestamp</td></tr>
 * <tr><td>historian.formula.evaluations</td><td>counter</td><td></td><td>a formula computes a result</td></tr>
 * <tr><td>historian.formula.failures</td><td>counter</td><td></td><td>a result comes out Bad_CalculationFailed</td></tr>
 * <tr><td>historian.store.samples</td><td>counter</td><td>state=applied|committed</td><td>the store writer applies a sample to memory / commits it</td></tr>
 * <tr><td>historian.store.pending</td><td>gauge</td><td></td><td>samples in chunks not yet committed</td></tr>
 * <tr><td>historian.store.lag.samples</td><td>gauge</td><td></td><td>journaled samples the store writer has not read</td></tr>
 * <tr><td>historian.store.lag</td><td>time gauge</td><td></td><td>age of the oldest unapplied journal entry</td></tr>
 * <tr><td>historian.store.commits</td><td>function timer</td><td></td><td>a commit batch is written</td></tr>
 * <tr><td>historian.store.chunks.committed</td><td>counter</td><td></td><td>a chunk is written</td></tr>
 * <tr><td>historian.store.corrupt</td><td>counter</td><td>kind=chunk|journal_entry</td><td>a chunk read or an entry replayed is corrupt</td></tr>
 * <tr><td>historian.retention.expired</td><td>counter</td><td>kind=chunk|segment</td><td>retention deletes one</td></tr>
 * <tr><td>historian.journal.used / .budget</td><td>gauge, bytes</td><td></td><td>the journal grows or is released</td></tr>
 * <tr><td>historian.journal.full</td><td>counter</td><td></td><td>a write finds the journal full</td></tr>
 * <tr><td>historian.journal.blocked</td><td>counter, seconds</td><td></td><td>writers wait for space</td></tr>
 * <tr><td>historian.queries</td><td>function timer (a timer with percentiles when asked)</td><td>mode</td><td>a query's terminal call returns</td></tr>
 * <tr><td>historian.disk.used</td><td>gauge, bytes</td><td>area=journal|store|cold_cache</td><td>files grow or go</td></tr>
 * <tr><td>historian.subscriptions.open</td><td>gauge</td><td></td><td>a subscription opens or ends</td></tr>
 * <tr><td>historian.subscriptions.lag</td><td>gauge, bytes</td><td>subscription</td><td>a subscription falls behind</td></tr>
 * <tr><td>historian.subscriptions.lagged.out</td><td>counter</td><td></td><td>a subscription is ended for lag</td></tr>
 * <tr><td>historian.tiering.runs / .failures</td><td>counter</td><td></td><td>a tiering run ends / fails (cold tier only)</td></tr>
 * <tr><td>historian.tiering.segments / .bytes</td><td>counter</td><td></td><td>a run records segments</td></tr>
 * <tr><td>historian.tiering.cutoff</td><td>time gauge</td><td></td><td>the cutoff rises (seconds since the epoch)</td></tr>
 * <tr><td>historian.cold.cache.requests</td><td>counter</td><td>result=hit|miss</td><td>a query needs a cold segment</td></tr>
 * <tr><td>historian.forwarder.samples</td><td>counter</td><td>forwarder, outcome=sent|retried|dead_lettered</td><td>a target acknowledges, a batch is sent again, a sample is refused for good</td></tr>
 * <tr><td>historian.forwarder.bytes</td><td>counter, bytes</td><td>forwarder</td><td>a target acknowledges (as it counts bytes)</td></tr>
 * <tr><td>historian.forwarder.lag.samples / .lag</td><td>gauge / gauge, seconds</td><td>forwarder</td><td>samples wait for the target / the oldest of them ages</td></tr>
 * <tr><td>historian.forwarder.dead.letters / .dropped</td><td>gauge / counter</td><td>forwarder</td><td>dead letters are kept, retried or purged / the oldest is dropped</td></tr>
 * <tr><td>historian.forwarder.restarts</td><td>counter</td><td>forwarder</td><td>a failed or hung target is closed and opened again</td></tr>
 * <tr><td>historian.forwarder.state</td><td>gauge</td><td>forwarder</td><td>0 starting, 1 forwarding, 2 replaying, 3 backing off, 4 closed</td></tr>
 * <tr><td>historian.health</td><td>gauge</td><td></td><td>0 UP, 1 DEGRADED, 2 DOWN</td></tr>
 * <tr><td>historian.health.reason</td><td>gauge</td><td>cause</td><td>1 while that {@link Health.Cause} is a reason, else 0</td></tr>
 * </table>
 *
 * <p><b>Thread safety:</b> bind from any thread; the meters may be read concurrently.
 * <p><b>Lifecycle:</b> the meters keep the historian reachable; after it closes they read NaN.
 * Remove them from the registry if the registry outlives the historian.
 */
public final class HistorianMetrics implements MeterBinder {
    private static final long SNAPSHOT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Historian historian;
    private final Telemetry telemetry;
    private final Tags tags;
    private final double[] percentiles;
    private final Memo<HistorianStats> stats;
    private final Memo<Health> health;

    /**
     * Meters for one historian, without extra tags.
     *
     * @param historian the historian; the meters hold it weakly
     */
    public HistorianMetrics(Historian historian) {
        this(historian, Tags.empty());
    }

    /**
     * Meters for one historian, each with the given tags (to tell several historians apart).
     *
     * @param historian the historian
     * @param tags tags added to every meter, such as {@code historian=line1}
     */
    public HistorianMetrics(Historian historian, Iterable<Tag> tags) {
        this(historian, tags, new double[0]);
    }

    private HistorianMetrics(Historian historian, Iterable<Tag> tags, double[] percentiles) {
        this.historian = Objects.requireNonNull(historian, "historian");
        this.telemetry = historian instanceof Engine engine ? engine.telemetry() : null;
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
        this.percentiles = percentiles;
        this.stats = new Memo<>(historian::stats);
        this.health = new Memo<>(historian::health);
    }

    /**
     * The same meters, with {@code historian.queries} a timer that publishes these percentiles
     * (each query is then recorded as it runs, instead of read from counters at scrape time).
     *
     * @param percentiles percentiles in (0, 1), such as 0.5, 0.99
     * @return a new binder
     * @throws IllegalArgumentException if a percentile is outside (0, 1)
     */
    public HistorianMetrics withQueryPercentiles(double... percentiles) {
        for (double p : percentiles) {
            if (!(p > 0 && p < 1)) {
                throw new IllegalArgumentException("percentiles must lie in (0, 1): " + p);
            }
        }
        return new HistorianMetrics(historian, tags, percentiles.clone());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        bindIngest(registry);
        bindStore(registry);
        bindJournal(registry);
        bindHealth(registry);
        bindForwarders(registry);
        if (telemetry != null) {
            bindQueries(registry);
            bindSubscriptions(registry);
            if (telemetry.hasColdTier()) {
                bindTiering(registry);
            }
        }
    }

    private void bindIngest(MeterRegistry r) {
        counter(r, "historian.ingest.samples", "samples handed to write", HistorianStats::receivedSamples,
                "stage", "received");
        counter(r, "historian.ingest.samples", "samples appended to the journal", HistorianStats::journaledSamples,
                "stage", "journaled");
        for (RejectReason reason : RejectReason.values()) {
            counter(r, "historian.ingest.rejected", "samples refused", s -> s.rejected(reason), "reason",
                    reason.name().toLowerCase(java.util.Locale.ROOT));
        }
        counter(r, "historian.ingest.duplicates", "samples that met a stored timestamp",
                HistorianStats::duplicateSamples);
        if (telemetry != null) {
            telemetryCounter(r, "historian.formula.evaluations", "formula results computed", null,
                    Telemetry::formulaEvaluations);
            telemetryCounter(r, "historian.formula.failures", "formula results that came out Bad_CalculationFailed",
                    null, Telemetry::formulaFailures);
        }
    }

    private void bindStore(MeterRegistry r) {
        counter(r, "historian.store.samples", "samples the store writer put into chunks in memory",
                HistorianStats::appliedSamples, "state", "applied");
        counter(r, "historian.store.samples", "new samples committed to the store", HistorianStats::storedSamples,
                "state", "committed");
        gauge(r, "historian.store.pending", "samples in chunks not yet committed", null,
                HistorianStats::pendingSamples);
        gauge(r, "historian.store.lag.samples", "journaled samples the store writer has not read", null,
                HistorianStats::storeLagSamples);
        TimeGauge.builder("historian.store.lag", historian, TimeUnit.MILLISECONDS,
                        h -> stat(HistorianStats::storeLagMillis))
                .description("how long the oldest journal entry the store writer has not applied has waited")
                .tags(tags).register(r);
        counter(r, "historian.store.chunks.committed", "chunks written to the store", HistorianStats::committedChunks);
        counter(r, "historian.store.corrupt", "chunks found corrupt on read", HistorianStats::corruptChunks, "kind",
                "chunk");
        counter(r, "historian.store.corrupt", "journal entries found corrupt and skipped",
                HistorianStats::corruptJournalEntries, "kind", "journal_entry");
        counter(r, "historian.retention.expired", "local chunks deleted by retention", HistorianStats::expiredChunks,
                "kind", "chunk");
        counter(r, "historian.retention.expired", "cold segments deleted by retention",
                HistorianStats::expiredSegments, "kind", "segment");
        gauge(r, "historian.disk.used", "bytes on disk", BaseUnits.BYTES, HistorianStats::storeBytes, "area", "store");
        gauge(r, "historian.disk.used", "bytes on disk", BaseUnits.BYTES, HistorianStats::journalBytes, "area",
                "journal");
        if (telemetry != null) {
            FunctionTimer.builder("historian.store.commits", telemetry, Telemetry::storeCommits,
                            Telemetry::storeCommitNanos, TimeUnit.NANOSECONDS)
                    .description("store commits: pending chunks and the checkpoint in one batch")
                    .tags(tags).register(r);
        }
    }

    private void bindJournal(MeterRegistry r) {
        gauge(r, "historian.journal.used", "bytes the journal holds against its budget", BaseUnits.BYTES,
                HistorianStats::journalBytes);
        gauge(r, "historian.journal.budget", "the journal's budget", BaseUnits.BYTES,
                HistorianStats::journalBudgetBytes);
        counter(r, "historian.journal.full", "writes that found the journal full", HistorianStats::journalFullEvents);
        if (telemetry != null) {
            telemetryCounter(r, "historian.journal.blocked", "time writers waited for journal space",
                    "seconds", t -> t.journalBlockedNanos() / 1e9);
        }
    }

    private void bindHealth(MeterRegistry r) {
        Gauge.builder("historian.health", historian, x -> {
            Health h = health();
            return h == null ? Double.NaN : h.state().ordinal();
        }).description("0 UP, 1 DEGRADED, 2 DOWN").tags(tags).register(r);
        for (Health.Cause cause : Health.Cause.values()) {
            Gauge.builder("historian.health.reason", historian, x -> {
                Health h = health();
                return h == null ? Double.NaN : h.has(cause) ? 1 : 0;
            }).description("1 while the cause is a reason of the health state").tags(tags)
                    .tag("cause", cause.name().toLowerCase(java.util.Locale.ROOT)).register(r);
        }
    }

    private void bindQueries(MeterRegistry r) {
        if (percentiles.length > 0) {
            Map<QueryMode, Timer> timers = new java.util.EnumMap<>(QueryMode.class);
            for (QueryMode mode : QueryMode.values()) {
                timers.put(mode, Timer.builder("historian.queries").description("queries, per mode").tags(tags)
                        .tag("mode", mode.tag()).publishPercentiles(percentiles).register(r));
            }
            telemetry.addQueryRecorder((mode, nanos) -> timers.get(mode).record(nanos, TimeUnit.NANOSECONDS));
            return;
        }
        for (QueryMode mode : QueryMode.values()) {
            FunctionTimer.builder("historian.queries", telemetry, t -> t.queries(mode), t -> t.queryNanos(mode),
                    TimeUnit.NANOSECONDS).description("queries, per mode: time of the call that returns the cursor")
                    .tags(tags).tag("mode", mode.tag()).register(r);
        }
    }

    private void bindForwarders(MeterRegistry r) {
        HistorianStats now = stats.get();
        if (now == null) {
            return;
        }
        // Forwarders are fixed when the historian is built, so their meters can be made once here.
        for (ForwarderStatus f : now.forwarders()) {
            String name = f.name();
            forwarderCounter(r, name, "historian.forwarder.samples", "samples the target acknowledged", null,
                    ForwarderStatus::sentSamples, "outcome", "sent");
            forwarderCounter(r, name, "historian.forwarder.samples", "samples sent again after a failed send", null,
                    ForwarderStatus::retriedSamples, "outcome", "retried");
            forwarderCounter(r, name, "historian.forwarder.samples", "samples the target refused for good", null,
                    ForwarderStatus::deadLetteredSamples, "outcome", "dead_lettered");
            forwarderCounter(r, name, "historian.forwarder.bytes", "bytes the target acknowledged", BaseUnits.BYTES,
                    ForwarderStatus::sentBytes);
            forwarderCounter(r, name, "historian.forwarder.restarts", "target closed and opened again after a failure",
                    null, ForwarderStatus::restarts);
            forwarderGauge(r, name, "historian.forwarder.lag.samples", "samples not acknowledged yet", null,
                    ForwarderStatus::lagSamples);
            TimeGauge.builder("historian.forwarder.lag", historian, TimeUnit.MILLISECONDS,
                    h -> forwarderStat(name, f2 -> f2.lagTime().toMillis()))
                    .description("age of the oldest sample not acknowledged").tags(tags).tag("forwarder", name)
                    .register(r);
            forwarderGauge(r, name, "historian.forwarder.dead.letters", "dead letters kept", null,
                    ForwarderStatus::deadLetters);
            forwarderCounter(r, name, "historian.forwarder.dead.letters.dropped", "dead letters dropped, oldest first",
                    null, ForwarderStatus::deadLettersDropped);
            forwarderGauge(r, name, "historian.forwarder.state",
                    "0 starting, 1 forwarding, 2 replaying, 3 backing off, 4 closed", null, f2 -> f2.state().ordinal());
        }
    }

    private void forwarderCounter(MeterRegistry r, String name, String meter, String description, String unit,
            ToDoubleFunction<ForwarderStatus> f, String... tagPairs) {
        FunctionCounter.builder(meter, historian, h -> forwarderStat(name, f)).description(description)
                .baseUnit(unit).tags(tags).tag("forwarder", name).tags(tagPairs).register(r);
    }

    private void forwarderGauge(MeterRegistry r, String name, String meter, String description, String unit,
            ToDoubleFunction<ForwarderStatus> f) {
        Gauge.builder(meter, historian, h -> forwarderStat(name, f)).description(description).baseUnit(unit)
                .tags(tags).tag("forwarder", name).register(r);
    }

    /** One forwarder's figure from the shared snapshot; NaN once the historian is closed. */
    private double forwarderStat(String name, ToDoubleFunction<ForwarderStatus> f) {
        HistorianStats s = stats.get();
        if (s == null) {
            return Double.NaN;
        }
        for (ForwarderStatus status : s.forwarders()) {
            if (status.name().equals(name)) {
                return f.applyAsDouble(status);
            }
        }
        return Double.NaN;
    }

    private void bindSubscriptions(MeterRegistry r) {
        Gauge.builder("historian.subscriptions.open", telemetry, Telemetry::openSubscriptions)
                .description("subscriptions open").tags(tags).register(r);
        telemetryCounter(r, "historian.subscriptions.lagged.out", "subscriptions ended for lag", null,
                Telemetry::laggedOutSubscriptions);
        Map<String, Meter> lagGauges = new ConcurrentHashMap<>();
        telemetry.listen(new Telemetry.SubscriptionListener() {
            @Override
            public void opened(String name, Subscription s) {
                lagGauges.computeIfAbsent(name, n -> Gauge.builder("historian.subscriptions.lag", s,
                                sub -> sub.lagSize().bytes())
                        .description("journal bytes the subscription has not read").baseUnit(BaseUnits.BYTES)
                        .tags(tags).tag("subscription", n).register(r));
            }

            @Override
            public void closed(String name, Subscription s) {
                Meter m = lagGauges.remove(name);
                if (m != null) {
                    r.remove(m);
                }
            }
        });
    }

    private void bindTiering(MeterRegistry r) {
        telemetryCounter(r, "historian.tiering.runs", "tiering runs that ended, failed ones included", null,
                Telemetry::tieringRuns);
        telemetryCounter(r, "historian.tiering.failures", "tiering runs that failed", null,
                Telemetry::tieringFailedRuns);
        telemetryCounter(r, "historian.tiering.segments", "segments recorded in the manifest", null,
                Telemetry::tieringSegments);
        telemetryCounter(r, "historian.tiering.bytes", "bytes of the segments recorded", BaseUnits.BYTES,
                Telemetry::tieringBytes);
        TimeGauge.builder("historian.tiering.cutoff", telemetry, TimeUnit.MILLISECONDS, t -> {
            long cutoff = t.tieringCutoffMillis();
            return cutoff == Long.MIN_VALUE ? Double.NaN : cutoff;
        }).description("the tiering cutoff, since the epoch: samples before it are tiered or immutable")
                .tags(tags).register(r);
        telemetryCounter(r, "historian.cold.cache.requests", "cold segments a query needed", null,
                Telemetry::coldCacheHits, "result", "hit");
        telemetryCounter(r, "historian.cold.cache.requests", "cold segments a query needed", null,
                Telemetry::coldCacheMisses, "result", "miss");
        Gauge.builder("historian.disk.used", telemetry, Telemetry::coldCacheBytes).description("bytes on disk")
                .baseUnit(BaseUnits.BYTES).tags(tags).tag("area", "cold_cache").register(r);
    }

    // ---------------------------------------------------------------- helpers

    private void counter(MeterRegistry r, String name, String description, ToDoubleFunction<HistorianStats> f,
            String... tagPairs) {
        FunctionCounter.builder(name, historian, h -> stat(f)).description(description).tags(tags).tags(tagPairs)
                .register(r);
    }

    private void gauge(MeterRegistry r, String name, String description, String unit,
            ToDoubleFunction<HistorianStats> f, String... tagPairs) {
        Gauge.builder(name, historian, h -> stat(f)).description(description).baseUnit(unit).tags(tags).tags(tagPairs)
                .register(r);
    }

    private void telemetryCounter(MeterRegistry r, String name, String description, String unit,
            ToDoubleFunction<Telemetry> f, String... tagPairs) {
        FunctionCounter.builder(name, telemetry, f).description(description).baseUnit(unit).tags(tags).tags(tagPairs)
                .register(r);
    }

    /** One figure of a snapshot at most 200 ms old; NaN once the historian is closed. */
    private double stat(ToDoubleFunction<HistorianStats> f) {
        HistorianStats s = stats.get();
        return s == null ? Double.NaN : f.applyAsDouble(s);
    }

    /** The health at most 200 ms old; null once the historian is closed. */
    private Health health() {
        return health.get();
    }

    /** A value read at most once per 200 ms, so that the meters of one scrape share it; null once closed. */
    private static final class Memo<T> {
        private final java.util.function.Supplier<T> read;
        private volatile T value;
        private volatile long at;

        Memo(java.util.function.Supplier<T> read) {
            this.read = read;
        }

        T get() {
            T v = value;
            long now = System.nanoTime();
            if (v == null || now - at > SNAPSHOT_NANOS) {
                try {
                    v = read.get();
                } catch (IllegalStateException closed) {
                    return null;
                }
                value = v;
                at = now;
            }
            return v;
        }
    }
}
