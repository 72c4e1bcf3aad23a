package io.historian.internal.engine;

import io.historian.DataSize;
import io.historian.DuplicatePolicy;
import io.historian.Durability;
import io.historian.Historian;
import io.historian.OverflowPolicy;
import io.historian.Recovery;
import io.historian.VerifyReport;
import io.historian.TagDefinition;
import io.historian.TieringPolicy;
import io.historian.spi.ColdTier;
import io.historian.spi.SampleSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The engine's {@link Historian.Builder}, found by {@link Historian#builder()} through
 * {@link java.util.ServiceLoader}: it holds the options with their defaults, checks each as it is
 * set and the whole at {@link #build()}, and opens the {@link Engine}. The options' meanings are on
 * the interface.
 */
public final class EngineBuilder implements Historian.Builder {
    private static final int MAX_BATCH_SIZE = 4_000_000;
    private Path dataDirectory = Path.of("historian-data");
    private DataSize journalBudget = DataSize.ofGigabytes(2);
    private OverflowPolicy overflowPolicy = OverflowPolicy.BLOCK;
    private Duration blockTimeout = Duration.ofSeconds(30);
    private DataSize diskReserve = DataSize.ofMegabytes(64);
    private Durability durability = Durability.PROCESS_CRASH;
    private boolean strictTags;
    private final Map<String, TagDefinition> tags = new LinkedHashMap<>();
    private DuplicatePolicy duplicatePolicy = DuplicatePolicy.LAST_WRITE_WINS;
    private Instant earliestTimestamp = Instant.EPOCH;
    private Duration futureTolerance = Duration.ofDays(1);
    private int maxBatchSize = 1_000_000;
    private int chunkMaxSamples = 4096;
    private Duration chunkMaxAge = Duration.ofMinutes(10);
    private DataSize openChunkMemory = defaultOpenChunkMemory();
    private Duration retention;
    private Duration retentionCheckInterval = Duration.ofHours(1);
    private Duration commitInterval = Duration.ofMillis(200);
    private Duration readWaitTimeout = Duration.ofSeconds(60);
    private Clock clock = Clock.systemUTC();
    private boolean jmx = true;
    private io.historian.HealthThresholds health = io.historian.HealthThresholds.defaults();
    private final List<SampleSource> sources = new ArrayList<>();
    private DataSize subscriberLagLimit = DataSize.ofGigabytes(1);
    private ColdTier coldTier;
    private TieringPolicy tiering;
    private DataSize coldCacheSize = DataSize.ofGigabytes(1);
    private final Map<String, String> formulas = new LinkedHashMap<>();
    private Duration formulaStaleness = Duration.ofHours(1);
    private Recovery recovery = Recovery.STRICT;
    private final Map<String, io.historian.spi.Forwarder> forwarders = new LinkedHashMap<>();

    /** For {@link java.util.ServiceLoader}; applications call {@link Historian#builder()}. */
    public EngineBuilder() {
    }

    @Override
    public Historian.Builder dataDirectory(Path dataDirectory) {
        this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
        return this;
    }

    @Override
    public Historian.Builder journalBudget(DataSize budget) {
        Objects.requireNonNull(budget, "budget");
        if (budget.bytes() < 16L << 20) {
            throw new IllegalArgumentException("journalBudget must be at least 16 MiB: " + budget);
        }
        this.journalBudget = budget;
        return this;
    }

    @Override
    public Historian.Builder diskReserve(DataSize reserve) {
        Objects.requireNonNull(reserve, "reserve");
        this.diskReserve = reserve;
        return this;
    }

    @Override
    public Historian.Builder journalOverflow(OverflowPolicy policy) {
        this.overflowPolicy = Objects.requireNonNull(policy, "policy");
        return this;
    }

    @Override
    public Historian.Builder journalBlockTimeout(Duration timeout) {
        this.blockTimeout = positive(timeout, "journalBlockTimeout");
        return this;
    }

    @Override
    public Historian.Builder durability(Durability durability) {
        this.durability = Objects.requireNonNull(durability, "durability");
        return this;
    }

    @Override
    public Historian.Builder strictTags(boolean strict) {
        this.strictTags = strict;
        return this;
    }

    @Override
    public Historian.Builder tag(TagDefinition definition) {
        Objects.requireNonNull(definition, "definition");
        tags.put(definition.name(), definition);
        return this;
    }

    @Override
    public Historian.Builder duplicates(DuplicatePolicy policy) {
        this.duplicatePolicy = Objects.requireNonNull(policy, "policy");
        return this;
    }

    @Override
    public Historian.Builder earliestTimestamp(Instant earliest) {
        this.earliestTimestamp = Objects.requireNonNull(earliest, "earliest");
        return this;
    }

    @Override
    public Historian.Builder futureTolerance(Duration tolerance) {
        Objects.requireNonNull(tolerance, "tolerance");
        if (tolerance.isNegative()) {
            throw new IllegalArgumentException("futureTolerance cannot be negative: " + tolerance);
        }
        this.futureTolerance = tolerance;
        return this;
    }

    @Override
    public Historian.Builder maxBatchSize(int max) {
        if (max < 1 || max > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("maxBatchSize must lie in [1, " + MAX_BATCH_SIZE + "]: " + max);
        }
        this.maxBatchSize = max;
        return this;
    }

    @Override
    public Historian.Builder chunkMaxSamples(int max) {
        if (max < 16 || max > 100_000) {
            throw new IllegalArgumentException("chunkMaxSamples must lie in [16, 100000]: " + max);
        }
        this.chunkMaxSamples = max;
        return this;
    }

    @Override
    public Historian.Builder chunkMaxAge(Duration age) {
        this.chunkMaxAge = positive(age, "chunkMaxAge");
        return this;
    }

    @Override
    public Historian.Builder openChunkMemory(DataSize memory) {
        Objects.requireNonNull(memory, "memory");
        if (memory.bytes() < (16L << 20)) {
            throw new IllegalArgumentException("openChunkMemory must be at least 16 MiB: " + memory);
        }
        this.openChunkMemory = memory;
        return this;
    }

    /** An eighth of the heap the JVM may grow to, between 64 MiB and 1 GiB. */
    static DataSize defaultOpenChunkMemory() {
        return DataSize.ofBytes(Math.max(64L << 20, Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 8)));
    }

    @Override
    public Historian.Builder retention(Duration retention) {
        this.retention = positive(retention, "retention");
        return this;
    }

    @Override
    public Historian.Builder retentionCheckInterval(Duration interval) {
        this.retentionCheckInterval = positive(interval, "retentionCheckInterval");
        return this;
    }

    @Override
    public Historian.Builder commitInterval(Duration interval) {
        this.commitInterval = positive(interval, "commitInterval");
        return this;
    }

    @Override
    public Historian.Builder readWaitTimeout(Duration timeout) {
        this.readWaitTimeout = positive(timeout, "readWaitTimeout");
        return this;
    }

    @Override
    public Historian.Builder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    @Override
    public Historian.Builder jmx(boolean enabled) {
        this.jmx = enabled;
        return this;
    }

    @Override
    public Historian.Builder source(SampleSource source) {
        Objects.requireNonNull(source, "source");
        for (SampleSource s : sources) {
            if (s.name().equals(source.name())) {
                throw new IllegalArgumentException("two sources named " + source.name());
            }
        }
        sources.add(source);
        return this;
    }

    @Override
    public Historian.Builder subscriberLagLimit(DataSize limit) {
        Objects.requireNonNull(limit, "limit");
        if (limit.bytes() < 1L << 20) {
            throw new IllegalArgumentException("subscriberLagLimit must be at least 1 MiB: " + limit);
        }
        this.subscriberLagLimit = limit;
        return this;
    }

    @Override
    public Historian.Builder coldTier(ColdTier tier) {
        this.coldTier = Objects.requireNonNull(tier, "tier");
        return this;
    }

    @Override
    public Historian.Builder tiering(TieringPolicy policy) {
        this.tiering = Objects.requireNonNull(policy, "policy");
        return this;
    }

    @Override
    public Historian.Builder coldCacheSize(DataSize size) {
        Objects.requireNonNull(size, "size");
        if (size.bytes() < 64L << 10) {
            throw new IllegalArgumentException("coldCacheSize must be at least 64 KiB: " + size);
        }
        this.coldCacheSize = size;
        return this;
    }

    @Override
    public Historian.Builder formula(String outputTag, String expression) {
        Objects.requireNonNull(outputTag, "outputTag");
        Objects.requireNonNull(expression, "expression");
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

    @Override
    public Historian.Builder formulaStaleness(Duration staleness) {
        this.formulaStaleness = positive(staleness, "formulaStaleness");
        return this;
    }

    @Override
    public Historian.Builder recovery(Recovery recovery) {
        this.recovery = Objects.requireNonNull(recovery, "recovery");
        return this;
    }

    @Override
    public Historian.Builder forwarder(io.historian.spi.Forwarder forwarder) {
        Objects.requireNonNull(forwarder, "forwarder");
        String name = Objects.requireNonNull(forwarder.name(), "forwarder.name()");
        // The name becomes a directory under forwarders/.
        if (name.isEmpty() || name.length() > 100 || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("invalid forwarder name '" + name
                    + "': use 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (forwarders.containsKey(name)) {
            throw new IllegalArgumentException("two forwarders named " + name);
        }
        if (forwarder.maxBatchSamples() < 1) {
            throw new IllegalArgumentException("maxBatchSamples must be at least 1 [forwarder=" + name + "]: "
                    + forwarder.maxBatchSamples());
        }
        if (forwarder.deadLetterCapacity() < 1) {
            throw new IllegalArgumentException("deadLetterCapacity must be at least 1 [forwarder=" + name + "]: "
                    + forwarder.deadLetterCapacity());
        }
        forwarders.put(name, forwarder);
        return this;
    }

    @Override
    public Historian.Builder health(io.historian.HealthThresholds thresholds) {
        this.health = Objects.requireNonNull(thresholds, "thresholds");
        return this;
    }

    @Override
    public VerifyReport verify() {
        return Verifier.verify(dataDirectory, coldTier);
    }

    @Override
    public Historian build() {
        if (tiering != null && coldTier == null) {
            throw new IllegalStateException("a tiering policy needs a cold tier: set coldTier(...) [tiering=" + tiering + "]");
        }
        if (chunkMaxAge.compareTo(blockTimeout) > 0 && overflowPolicy == OverflowPolicy.BLOCK
                && journalBudget.bytes() < (64L << 20)) {
            // A tiny journal must not wait on chunks that take longer to close than writers wait.
            chunkMaxAge = blockTimeout;
        }
        return Engine.open(new Settings(
                dataDirectory, journalBudget, overflowPolicy, blockTimeout, durability, strictTags,
                List.copyOf(tags.values()), duplicatePolicy, earliestTimestamp, futureTolerance,
                maxBatchSize, chunkMaxSamples, chunkMaxAge, openChunkMemory, retention, retentionCheckInterval, commitInterval,
                readWaitTimeout, clock, jmx, List.copyOf(sources),
                subscriberLagLimit, coldTier,
                coldTier != null && tiering == null ? TieringPolicy.olderThan(Duration.ofDays(30)) : tiering,
                coldCacheSize, Collections.unmodifiableMap(new LinkedHashMap<>(formulas)),
                formulaStaleness, diskReserve, recovery, health, List.copyOf(forwarders.values())));
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return d;
    }
}
