package io.historian;

import io.historian.query.RawQuery;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An embedded industrial historian: durable, quality-aware storage of tag samples with fast reads.
 *
 * <pre>{@code
 * try (Historian historian = Historian.builder().dataDirectory(Path.of("plant-data")).build()) {
 *     historian.write("boiler.temp", Instant.parse("2026-01-01T00:00:00Z"), 81.4);
 *     historian.write(batch);                 // many samples, one journal entry
 *     historian.flush();                      // durable against power loss
 *     try (SampleCursor c = historian.query("boiler.temp").between(from, to).raw()) {
 *         while (c.next()) { ... }
 *     }
 *     try (AggregateCursor c = historian.query("boiler.temp").between(from, to)
 *             .aggregate(Duration.ofHours(1), Aggregate.TIME_WEIGHTED_MEAN, Aggregate.MAX)) { ... }
 *     try (PointCursor c = historian.query("boiler.temp").between(from, to).lttb(2000)) { ... }
 *     historian.latest("boiler.temp");
 *     historian.valueAt("boiler.temp", t, ValueAt.INTERPOLATED);
 *     try (Subscription s = historian.subscribeFrom(from, "boiler.*", (tag, t, v, q) -> trend.add(tag, t, v))) {
 *         ...                                 // stored samples from `from` on, then live ones
 *     }
 * }
 * }</pre>
 *
 * <p><b>Durability:</b> {@code write} returns once the samples are in the journal, so they survive a
 * crash of the JVM ({@code kill -9}); {@link #flush()} makes everything written before it survive
 * power loss. A write is visible to reads as soon as it returns.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread at any time.
 *
 * <p><b>Lifecycle:</b> {@link #close()} commits open chunks and releases the data directory; it is
 * idempotent. Any other call after {@code close()} throws {@link IllegalStateException}.
 *
 * <p><b>Errors:</b> bad input throws {@link SampleRejectedException} (nothing of the call is
 * journaled), an unknown tag on read {@link TagNotFoundException}, a full journal
 * {@link JournalFullException}; nulls throw {@link NullPointerException} naming the parameter.
 */
public interface Historian extends AutoCloseable {

    /** A builder with every option at its default. */
    static Builder builder() {
        return new Builder();
    }

    /** Writes one sample of Good quality. */
    void write(String tag, Instant timestamp, double value);

    /** Writes one sample. */
    void write(String tag, Instant timestamp, double value, Quality quality);

    /** Writes one sample with its timestamp in milliseconds since the epoch; allocates nothing. */
    void write(String tag, long epochMillis, double value, Quality quality);

    /** Writes one sample. */
    void write(Sample sample);

    /**
     * Writes a batch as one journal entry: all of it is accepted, or none of it (the exception names
     * the first refused sample). The batch may be reused once this returns.
     */
    void write(SampleBatch batch);

    /** Blocks until everything written before this call is on disk (fsync). */
    void flush();

    /**
     * Starts a query of one tag, or of every registered tag matching a pattern with {@code *} and
     * {@code ?}: raw samples, aggregates, interpolated values or a chart; see {@link RawQuery}.
     * Nothing is read until a terminal method ({@code raw()}, {@code aggregate(...)}, ...) runs; an
     * unknown exact name then throws {@link TagNotFoundException}, a pattern matching nothing
     * gives an empty result.
     */
    RawQuery query(String tag);

    /**
     * The tag's newest sample (greatest timestamp), or empty for a known tag without data.
     *
     * @throws TagNotFoundException if the tag is not registered
     */
    Optional<Sample> latest(String tag);

    /**
     * The tag's value at a time; see {@link ValueAt} for what each mode returns.
     *
     * @throws TagNotFoundException if the tag is not registered
     */
    Optional<Sample> valueAt(String tag, Instant time, ValueAt mode);

    /** Registers a tag, or updates its metadata if it exists. Returns the stored definition. */
    TagDefinition register(TagDefinition definition);

    /** The definition of a tag, or empty if it is not registered. */
    Optional<TagDefinition> tag(String name);

    /** Every registered tag, in registration order. */
    List<TagDefinition> tags();

    /** A snapshot of the end-to-end counters. */
    HistorianStats stats();

    /**
     * The counters of one tag.
     *
     * @throws TagNotFoundException if the tag is not registered
     */
    TagStats stats(String tag);

    /**
     * What the tag's exception and compression filters ({@link TagDefinition#deadband},
     * {@link TagDefinition#swingingDoor}) did since the historian opened, with the reconstruction
     * error they cost: the numbers to tune them with. Counts every sample written before this call.
     *
     * @return empty when the tag has no filter or has received no sample since the historian opened
     * @throws TagNotFoundException if the tag is not registered
     */
    Optional<FilterStats> compression(String tag);

    /**
     * Deletes the data that lies wholly before {@code now - retention} (see
     * {@link Builder#retention}): local chunks, and with a cold tier its segments, their objects and
     * manifest entries; then gives the disk space back. Also runs on its own every
     * {@link Builder#retentionCheckInterval}. Returns the number of chunks and segments deleted.
     * Samples older than the horizon may stay readable until the chunk or segment holding them is
     * wholly expired; writes behind it are refused ({@link RejectReason#BEHIND_RETENTION}).
     */
    long applyRetention();

    /**
     * Commits every sample written so far to the store and compacts it: for a maintenance window,
     * or to measure disk use (see {@link HistorianStats#storeBytes()}). Tiering and retention give
     * back the space of what they delete on their own; nothing else needs this.
     */
    void compact();

    /**
     * Runs the tiering job now (see {@link Builder#tiering}) and waits for it: the tiering cutoff
     * rises (later writes behind it are refused with {@link RejectReason#BEHIND_TIERING_CUTOFF};
     * every sample accepted before is committed first), then every partition the policy selects is
     * uploaded to the cold tier, verified, recorded in the manifest and only then deleted locally,
     * and the disk space is given back. The cutoff never passes the start of the clock's current
     * partition. Queries keep answering from both tiers throughout.
     *
     * @throws IllegalStateException if the historian has no cold tier
     * @throws ColdTierUnavailableException if the tier could not be reached after retries; what
     *     was recorded stays recorded and the next run resumes
     */
    default TieringReport tierNow() {
        throw new IllegalStateException("no cold tier configured");
    }

    /**
     * Delivers every sample of the tags matching {@code tagPattern} (an exact name, or a pattern
     * with {@code *} and {@code ?}) journaled after this call returns, in journal (arrival) order,
     * to {@code listener} on the subscription's own thread. Tags registered later that match are
     * delivered too; a pattern matching nothing yet is fine. See {@link Subscription} for how a
     * slow or throwing listener is handled.
     *
     * @throws IllegalStateException if the historian is closed
     */
    Subscription subscribe(String tagPattern, SampleListener listener);

    /**
     * Replays, then continues live: first every stored sample of the matching tags with a
     * timestamp at or after {@code from}, merged across tags in timestamp order (ties in tag
     * registration order), as the historian held them at a point S during this call; then every
     * matching sample journaled after S with a timestamp at or after {@code from}, in journal
     * order. Nothing written is missed or delivered twice at S. The replay streams from the
     * store; heap use does not grow with the range. A sample written before S that replaced an
     * earlier value is replayed with its latest value only.
     *
     * @throws IllegalStateException if the historian is closed
     */
    Subscription subscribeFrom(Instant from, String tagPattern, SampleListener listener);

    /**
     * Closes every subscription, commits open chunks, stops the store writer and releases the data
     * directory. Idempotent.
     */
    @Override
    void close();

    /**
     * Configures and opens a {@link Historian}. Every option has a default (see the README's
     * configuration table); {@link #build()} checks the whole configuration and opens.
     *
     * <p><b>Errors:</b> a null argument throws {@link NullPointerException} naming it, an
     * out-of-range value {@link IllegalArgumentException} showing it, a contradiction
     * {@link IllegalStateException} at {@code build()}.
     * <p><b>Thread safety:</b> not thread-safe; the built historian is.
     */
    final class Builder {
        private static final int MAX_BATCH_SIZE = 4_000_000;
        private java.nio.file.Path dataDirectory = java.nio.file.Path.of("historian-data");
        private DataSize journalBudget = DataSize.ofGigabytes(2);
        private OverflowPolicy overflowPolicy = OverflowPolicy.BLOCK;
        private java.time.Duration blockTimeout = java.time.Duration.ofSeconds(30);
        private Durability durability = Durability.PROCESS_CRASH;
        private boolean strictTags;
        private final java.util.Map<String, TagDefinition> tags = new java.util.LinkedHashMap<>();
        private DuplicatePolicy duplicatePolicy = DuplicatePolicy.LAST_WRITE_WINS;
        private Instant earliestTimestamp = Instant.EPOCH;
        private java.time.Duration futureTolerance = java.time.Duration.ofDays(1);
        private int maxBatchSize = 1_000_000;
        private int chunkMaxSamples = 4096;
        private java.time.Duration chunkMaxAge = java.time.Duration.ofMinutes(10);
        private java.time.Duration retention;
        private java.time.Duration retentionCheckInterval = java.time.Duration.ofHours(1);
        private java.time.Duration commitInterval = java.time.Duration.ofMillis(200);
        private java.time.Duration readWaitTimeout = java.time.Duration.ofSeconds(60);
        private java.time.Clock clock = java.time.Clock.systemUTC();
        private boolean jmx = true;
        private final java.util.List<io.historian.spi.SampleSource> sources = new java.util.ArrayList<>();
        private DataSize subscriberLagLimit = DataSize.ofGigabytes(1);
        private io.historian.spi.ColdTier coldTier;
        private TieringPolicy tiering;
        private DataSize coldCacheSize = DataSize.ofGigabytes(1);
        private final java.util.Map<String, String> formulas = new java.util.LinkedHashMap<>();
        private java.time.Duration formulaStaleness = java.time.Duration.ofHours(1);

        Builder() {
        }

        /** Where the journal and the store live (default {@code historian-data} in the working directory). */
        public Builder dataDirectory(java.nio.file.Path dataDirectory) {
            this.dataDirectory = java.util.Objects.requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /** The most disk the journal may use for samples not yet committed to the store (default 2 GiB, at least 16 MiB). */
        public Builder journalBudget(DataSize budget) {
            java.util.Objects.requireNonNull(budget, "budget");
            if (budget.bytes() < 16L << 20) {
                throw new IllegalArgumentException("journalBudget must be at least 16 MiB: " + budget);
            }
            this.journalBudget = budget;
            return this;
        }

        /** What a write does when the journal is full (default {@link OverflowPolicy#BLOCK}). */
        public Builder journalOverflow(OverflowPolicy policy) {
            this.overflowPolicy = java.util.Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** How long a blocked write waits for journal space before it throws (default 30 s). */
        public Builder journalBlockTimeout(java.time.Duration timeout) {
            this.blockTimeout = positive(timeout, "journalBlockTimeout");
            return this;
        }

        /** What a returned write survives (default {@link Durability#PROCESS_CRASH}). */
        public Builder durability(Durability durability) {
            this.durability = java.util.Objects.requireNonNull(durability, "durability");
            return this;
        }

        /** Refuse writes to tags that are not registered (default false: unknown tags are registered on first write). */
        public Builder strictTags(boolean strict) {
            this.strictTags = strict;
            return this;
        }

        /** Registers a tag at open, or updates its metadata. */
        public Builder tag(TagDefinition definition) {
            java.util.Objects.requireNonNull(definition, "definition");
            tags.put(definition.name(), definition);
            return this;
        }

        /** What a write to an existing (tag, timestamp) does (default {@link DuplicatePolicy#LAST_WRITE_WINS}). */
        public Builder duplicates(DuplicatePolicy policy) {
            this.duplicatePolicy = java.util.Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Samples before this instant are refused (default 1970-01-01T00:00:00Z). */
        public Builder earliestTimestamp(Instant earliest) {
            this.earliestTimestamp = java.util.Objects.requireNonNull(earliest, "earliest");
            return this;
        }

        /** Samples further than this ahead of the clock are refused (default 1 day). */
        public Builder futureTolerance(java.time.Duration tolerance) {
            java.util.Objects.requireNonNull(tolerance, "tolerance");
            if (tolerance.isNegative()) {
                throw new IllegalArgumentException("futureTolerance cannot be negative: " + tolerance);
            }
            this.futureTolerance = tolerance;
            return this;
        }

        /**
         * The most samples one {@code write(SampleBatch)} may carry (default 1,000,000; 1 to
         * 4,000,000). A batch of any accepted size is journaled as one entry: all or nothing, also
         * across a crash and a full journal.
         */
        public Builder maxBatchSize(int max) {
            if (max < 1 || max > MAX_BATCH_SIZE) {
                throw new IllegalArgumentException("maxBatchSize must lie in [1, " + MAX_BATCH_SIZE + "]: " + max);
            }
            this.maxBatchSize = max;
            return this;
        }

        /** A chunk closes at this many samples (default 4,096; 16 to 100,000). */
        public Builder chunkMaxSamples(int max) {
            if (max < 16 || max > 100_000) {
                throw new IllegalArgumentException("chunkMaxSamples must lie in [16, 100000]: " + max);
            }
            this.chunkMaxSamples = max;
            return this;
        }

        /**
         * A chunk closes this long after it opened, whatever its size (default 10 minutes). It bounds
         * how much journal a restart replays.
         */
        public Builder chunkMaxAge(java.time.Duration age) {
            this.chunkMaxAge = positive(age, "chunkMaxAge");
            return this;
        }

        /** Delete chunks wholly older than this (default: keep everything). */
        public Builder retention(java.time.Duration retention) {
            this.retention = positive(retention, "retention");
            return this;
        }

        /** How often retention runs on its own (default 1 hour). */
        public Builder retentionCheckInterval(java.time.Duration interval) {
            this.retentionCheckInterval = positive(interval, "retentionCheckInterval");
            return this;
        }

        /** How often the store commits sealed chunks (default 200 ms). */
        public Builder commitInterval(java.time.Duration interval) {
            this.commitInterval = positive(interval, "commitInterval");
            return this;
        }

        /** How long a read waits for the store writer to catch up with the journal (default 60 s). */
        public Builder readWaitTimeout(java.time.Duration timeout) {
            this.readWaitTimeout = positive(timeout, "readWaitTimeout");
            return this;
        }

        /** The clock for the timestamp window, chunk ages and retention (default the system UTC clock). */
        public Builder clock(java.time.Clock clock) {
            this.clock = java.util.Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Register the statistics as a JMX bean (default true). */
        public Builder jmx(boolean enabled) {
            this.jmx = enabled;
            return this;
        }

        /**
         * Adds a source (a Modbus device, say) that the historian starts once open and closes when
         * it closes. Sources must have distinct names.
         */
        public Builder source(io.historian.spi.SampleSource source) {
            java.util.Objects.requireNonNull(source, "source");
            for (io.historian.spi.SampleSource s : sources) {
                if (s.name().equals(source.name())) {
                    throw new IllegalArgumentException("two sources named " + source.name());
                }
            }
            sources.add(source);
            return this;
        }

        /**
         * How far a subscription may fall behind ingest, in journal bytes, before it is ended with a
         * {@link SubscriptionLaggedException} (default 1 GiB, at least 1 MiB). The journal keeps the
         * segments a subscription still has to read, outside the {@link #journalBudget}, so a slow
         * subscriber never slows ingest; this limit bounds that extra disk. It is checked each time
         * the journal starts a new segment, so a subscription may pass it by up to one segment
         * (a quarter of the budget, at most 64 MiB) before it ends.
         */
        public Builder subscriberLagLimit(DataSize limit) {
            java.util.Objects.requireNonNull(limit, "limit");
            if (limit.bytes() < 1L << 20) {
                throw new IllegalArgumentException("subscriberLagLimit must be at least 1 MiB: " + limit);
            }
            this.subscriberLagLimit = limit;
            return this;
        }

        /**
         * Where data older than the {@link #tiering} policy goes (default none). The historian
         * closes the tier when it closes. Without a policy, data moves after 30 days.
         */
        public Builder coldTier(io.historian.spi.ColdTier tier) {
            this.coldTier = java.util.Objects.requireNonNull(tier, "tier");
            return this;
        }

        /** When data moves to the {@link #coldTier}; a policy without a cold tier is an error at {@code build()}. */
        public Builder tiering(TieringPolicy policy) {
            this.tiering = java.util.Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The bound of the local disk cache of segments fetched from the cold tier (default 1 GiB,
         * at least 64 KiB). A segment larger than the whole cache is fetched for each query that needs it.
         */
        public Builder coldCacheSize(DataSize size) {
            java.util.Objects.requireNonNull(size, "size");
            if (size.bytes() < 64L << 10) {
                throw new IllegalArgumentException("coldCacheSize must be at least 64 KiB: " + size);
            }
            this.coldCacheSize = size;
            return this;
        }

        /**
         * A calculated tag: {@code outputTag} is computed from {@code expression} each time one of
         * the tags it reads receives a sample, at that sample's timestamp, and written like any other
         * sample (journaled with its trigger, stored, delivered to subscriptions). The language,
         * its functions and its quality rules are in the README ("Calculated tags").
         *
         * <pre>{@code
         * .formula("tank.total", "tank1.level + tank2.level")
         * .formula("boiler.efficiency", "if(fuel.flow > 0.1, steam.flow * 2.26 / (fuel.flow * 50.0), 0)")
         * }</pre>
         *
         * <p>The formulas are parsed, compiled and checked at {@link #build()}: a syntax error, an
         * unknown function, a cycle or (with {@link #strictTags}) an unknown tag throws a
         * {@link FormulaException} that names the formula and the position.
         *
         * @throws IllegalArgumentException if {@code outputTag} is not a valid tag name or already has a formula
         */
        public Builder formula(String outputTag, String expression) {
            java.util.Objects.requireNonNull(outputTag, "outputTag");
            java.util.Objects.requireNonNull(expression, "expression");
            String problem = TagDefinition.nameProblem(outputTag);
            if (problem != null) {
                throw new IllegalArgumentException("invalid formula output tag '" + outputTag + "': " + problem);
            }
            if (formulas.containsKey(outputTag)) {
                throw new IllegalArgumentException("tag " + outputTag + " already has a formula: " + formulas.get(outputTag));
            }
            formulas.put(outputTag, expression);
            return this;
        }

        /**
         * A formula input whose latest sample is older than this when the formula runs makes the
         * result Uncertain_LastUsableValue (default 1 hour).
         */
        public Builder formulaStaleness(java.time.Duration staleness) {
            this.formulaStaleness = positive(staleness, "formulaStaleness");
            return this;
        }

        /**
         * Opens the historian, replaying any journal backlog first.
         *
         * @throws HistorianException if the JVM lacks the flags the journal needs (the message lists
         *     them), the data directory cannot be written, or another historian holds it
         */
        public Historian build() {
            if (tiering != null && coldTier == null) {
                throw new IllegalStateException("a tiering policy needs a cold tier: set coldTier(...) [tiering=" + tiering + "]");
            }
            if (chunkMaxAge.compareTo(blockTimeout) > 0 && overflowPolicy == OverflowPolicy.BLOCK
                    && journalBudget.bytes() < (64L << 20)) {
                // A tiny journal must not wait on chunks that take longer to close than writers wait.
                chunkMaxAge = blockTimeout;
            }
            return io.historian.internal.engine.Engine.open(new io.historian.internal.engine.Settings(
                    dataDirectory, journalBudget, overflowPolicy, blockTimeout, durability, strictTags,
                    java.util.List.copyOf(tags.values()), duplicatePolicy, earliestTimestamp, futureTolerance,
                    maxBatchSize, chunkMaxSamples, chunkMaxAge, retention, retentionCheckInterval, commitInterval,
                    readWaitTimeout, clock, jmx, java.util.List.copyOf(sources),
                    subscriberLagLimit, coldTier,
                    coldTier != null && tiering == null ? TieringPolicy.olderThan(java.time.Duration.ofDays(30)) : tiering,
                    coldCacheSize, java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(formulas)),
                    formulaStaleness));
        }

        private static java.time.Duration positive(java.time.Duration d, String name) {
            java.util.Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
