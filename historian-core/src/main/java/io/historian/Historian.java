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

    /**
     * A builder with every option at its default.
     *
     * @return a new builder; configure it, then call {@link Builder#build()}
     */
    static Builder builder() {
        // The engine provides the builder, so that this API package names no internal type.
        return java.util.ServiceLoader.load(Builder.class, Historian.class.getClassLoader()).findFirst()
                .orElseThrow(() -> new HistorianException("no historian engine on the class path: historian-core's"
                        + " META-INF/services/io.historian.Historian$Builder is missing (a repackaged jar must keep it)"));
    }

    /**
     * Writes one sample of Good quality.
     *
     * @param tag the tag name; an unknown tag is registered on first write unless
     *     {@link Builder#strictTags} is set
     * @param timestamp when the value was measured, kept to the millisecond; it must lie in
     *     [{@link Builder#earliestTimestamp}, clock + {@link Builder#futureTolerance}] and not behind
     *     the tiering cutoff or the retention horizon
     * @param value the value in the tag's unit; NaN and infinities are stored unless the tag
     *     {@linkplain TagDefinition#rejectNonFinite() rejects them}
     * @throws SampleRejectedException if the sample is refused; its reason says why
     * @throws JournalFullException if the journal stays full (see {@link Builder#journalOverflow})
     */
    void write(String tag, Instant timestamp, double value);

    /**
     * Writes one sample.
     *
     * @param tag the tag name; an unknown tag is registered on first write unless
     *     {@link Builder#strictTags} is set
     * @param timestamp when the value was measured, kept to the millisecond; the accepted window
     *     is as for {@link #write(String, Instant, double)}
     * @param value the value in the tag's unit; NaN and infinities are stored unless the tag
     *     {@linkplain TagDefinition#rejectNonFinite() rejects them}
     * @param quality the sample's OPC UA quality
     * @throws SampleRejectedException if the sample is refused; its reason says why
     * @throws JournalFullException if the journal stays full (see {@link Builder#journalOverflow})
     */
    void write(String tag, Instant timestamp, double value, Quality quality);

    /**
     * Writes one sample with its timestamp in milliseconds since the epoch; allocates nothing.
     *
     * @param tag the tag name; an unknown tag is registered on first write unless
     *     {@link Builder#strictTags} is set
     * @param epochMillis when the value was measured, in milliseconds since
     *     1970-01-01T00:00:00Z; the accepted window is as for {@link #write(String, Instant, double)}
     * @param value the value in the tag's unit; NaN and infinities are stored unless the tag
     *     {@linkplain TagDefinition#rejectNonFinite() rejects them}
     * @param quality the sample's OPC UA quality
     * @throws SampleRejectedException if the sample is refused; its reason says why
     * @throws JournalFullException if the journal stays full (see {@link Builder#journalOverflow})
     */
    void write(String tag, long epochMillis, double value, Quality quality);

    /**
     * Writes one sample.
     *
     * @param sample the sample; its timestamp must lie in the window described at
     *     {@link #write(String, Instant, double)}
     * @throws SampleRejectedException if the sample is refused; its reason says why
     * @throws JournalFullException if the journal stays full (see {@link Builder#journalOverflow})
     */
    void write(Sample sample);

    /**
     * Writes a batch as one journal entry: all of it is accepted, or none of it (the exception names
     * the first refused sample). The batch may be reused once this returns.
     *
     * @param batch the samples, at most {@link Builder#maxBatchSize} of them; not changed by the call
     * @throws SampleRejectedException if any sample is refused (its {@code index()} says which), or
     *     the batch is larger than {@link Builder#maxBatchSize}
     * @throws JournalFullException if the journal stays full (see {@link Builder#journalOverflow})
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
     *
     * @param tag an exact tag name, or a pattern with {@code *} (any run of characters) and
     *     {@code ?} (one character)
     * @return a query to narrow with its builder methods and run with a terminal method
     */
    RawQuery query(String tag);

    /**
     * The tag's newest sample (greatest timestamp), or empty for a known tag without data.
     *
     * @param tag the exact tag name
     * @return the sample with the greatest timestamp, or empty if the tag holds no data
     * @throws TagNotFoundException if the tag is not registered
     */
    Optional<Sample> latest(String tag);

    /**
     * The tag's value at a time; see {@link ValueAt} for what each mode returns.
     *
     * @param tag the exact tag name
     * @param time the time to read at, to the millisecond
     * @param mode which sample to return when none lies exactly at {@code time}
     * @return a stored sample ({@code PREVIOUS}, {@code NEXT}, or an exact hit), a sample at
     *     {@code time} derived from its neighbours ({@code INTERPOLATED}), or empty when there is
     *     none, e.g. before the first sample
     * @throws TagNotFoundException if the tag is not registered
     */
    Optional<Sample> valueAt(String tag, Instant time, ValueAt mode);

    /**
     * Registers a tag, or updates its metadata if it exists.
     *
     * @param definition the tag's name and metadata
     * @return the stored definition
     */
    TagDefinition register(TagDefinition definition);

    /**
     * The definition of a tag.
     *
     * @param name the exact tag name
     * @return the definition, or empty if the tag is not registered
     */
    Optional<TagDefinition> tag(String name);

    /**
     * Every registered tag.
     *
     * @return the definitions in registration order, a snapshot
     */
    List<TagDefinition> tags();

    /**
     * The end-to-end counters.
     *
     * @return a snapshot taken now
     */
    HistorianStats stats();

    /**
     * Whether the historian is well: {@link Health.State#UP}, or DEGRADED or DOWN with the reasons,
     * judged now against the {@link Builder#health} thresholds. Cheap enough to poll every second;
     * also a JMX attribute ({@link HistorianMXBean#getHealth()}) and the {@code historian.health}
     * gauge of {@code io.historian.metrics.HistorianMetrics}.
     *
     * @return the state and its reasons; a failed historian is DOWN rather than throwing
     * @throws IllegalStateException if the historian is closed
     */
    Health health();

    /**
     * The counters of one tag.
     *
     * @param tag the exact tag name
     * @return a snapshot of the tag's counters since the historian opened
     * @throws TagNotFoundException if the tag is not registered
     */
    TagStats stats(String tag);

    /**
     * What the tag's exception and compression filters ({@link TagDefinition#deadband},
     * {@link TagDefinition#swingingDoor}) did since the historian opened, with the reconstruction
     * error they cost: the numbers to tune them with. Counts every sample written before this call.
     *
     * @param tag the exact tag name
     * @return empty when the tag has no filter or has received no sample since the historian opened
     * @throws TagNotFoundException if the tag is not registered
     */
    Optional<FilterStats> compression(String tag);

    /**
     * Deletes the data that lies wholly before {@code now - retention} (see
     * {@link Builder#retention}): local chunks, and with a cold tier its segments, their objects and
     * manifest entries; then gives the disk space back. Also runs on its own every
     * {@link Builder#retentionCheckInterval}.
     * Samples older than the horizon may stay readable until the chunk or segment holding them is
     * wholly expired; writes behind it are refused ({@link RejectReason#BEHIND_RETENTION}).
     *
     * @return the number of chunks and segments deleted; 0 without a retention setting
     */
    long applyRetention();

    /**
     * Commits every sample written so far to the store and compacts it: for a maintenance window,
     * or to measure disk use (see {@link HistorianStats#storeBytes()}). Tiering and retention give
     * back the space of what they delete on their own; nothing else needs this.
     *
     * <p>It also merges each tag's consecutive short chunks (up to {@link Builder#chunkMaxSamples}
     * samples together, starting in the same {@link TieringPolicy#partition}, a UTC day by default)
     * into one. Chunks are cut short when many tags share the open chunks'
     * memory ({@link Builder#openChunkMemory}), by {@link Builder#chunkMaxAge} and at close, and
     * each costs a header and a key; with 100,000 tags on the default heap, merging takes disk use
     * from about 1.4 to about 1 byte per sample. Every sample is kept as it was; a SUM or MEAN
     * taken from chunk headers may differ in its last bits, as the chunks are summed in other
     * groups, and retention, which deletes whole chunks, keeps a merged chunk until its newest
     * sample expires. Chunks behind the tiering cutoff are left to tiering. The merge runs on the
     * thread that applies writes, in slices, so writes and reads go on between them; it reads
     * every local chunk's header, so on a large store it takes a while.
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
     * @return what the run moved, adopted and cleaned up, and the cutoff after it
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
     * @param tagPattern an exact tag name, or a pattern with {@code *} and {@code ?}
     * @param listener receives each sample; called on one thread, never concurrently
     * @return the subscription; close it to stop delivery
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
     * @param from the earliest timestamp to deliver, replayed or live
     * @param tagPattern an exact tag name, or a pattern with {@code *} and {@code ?}
     * @param listener receives each sample; called on one thread, never concurrently
     * @return the subscription; close it to stop the replay or the live delivery
     * @throws IllegalStateException if the historian is closed
     */
    Subscription subscribeFrom(Instant from, String tagPattern, SampleListener listener);

    /**
     * The running forwarding of the forwarder of that name (see {@link Builder#forwarder}).
     *
     * @param name the forwarder's {@code name()}
     * @return its handle: status, dead letters, replay
     * @throws IllegalArgumentException if no forwarder has that name
     * @throws IllegalStateException if the historian is closed
     */
    Forwarding forwarder(String name);

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
     *
     * <p>Obtained from {@link Historian#builder()}; the library implements it.
     */
    interface Builder {
        /**
         * Where the journal and the store live (default {@code historian-data} in the working directory).
         *
         * @param dataDirectory the directory; created if missing, and held exclusively while the historian is open
         * @return this builder
         */
        Builder dataDirectory(java.nio.file.Path dataDirectory);

        /**
         * The most disk the journal may use for samples not yet committed to the store (default 2 GiB, at least 16 MiB).
         *
         * @param budget the journal's disk budget, at least 16 MiB
         * @return this builder
         */
        Builder journalBudget(DataSize budget);

        /**
         * The free space the journal leaves on its file system (default 64 MiB). While less is
         * free, writes are refused with {@link DiskFullException} as the {@linkplain #journalOverflow
         * overflow policy} says, before the disk is full: the store keeps room to commit what
         * the journal holds, and a memory-mapped journal never meets a full disk (which the JVM
         * reports as a fatal {@code InternalError}). Writes go on by themselves once space is free
         * again; {@link HistorianStats#diskFreeBytes()} and {@link HistorianStats#writesRefused()}
         * show the state.
         *
         * @param reserve the space to leave free; {@code DataSize.ofBytes(0)} checks only that an entry fits
         * @return this builder
         */
        Builder diskReserve(DataSize reserve);

        /**
         * What a write does when the journal is full (default {@link OverflowPolicy#BLOCK}).
         *
         * @param policy wait for space, or refuse at once
         * @return this builder
         */
        Builder journalOverflow(OverflowPolicy policy);

        /**
         * How long a blocked write waits for journal space before it throws (default 30 s).
         *
         * @param timeout the longest wait, positive; then the write throws {@link JournalFullException}
         * @return this builder
         */
        Builder journalBlockTimeout(java.time.Duration timeout);

        /**
         * What a returned write survives (default {@link Durability#PROCESS_CRASH}).
         *
         * @param durability {@code PROCESS_CRASH}, or {@code POWER_LOSS} for a forced write per call (much slower)
         * @return this builder
         */
        Builder durability(Durability durability);

        /**
         * Refuse writes to tags that are not registered (default false: unknown tags are registered on first write).
         *
         * @param strict true to refuse writes to unregistered tags with {@link RejectReason#UNKNOWN_TAG}
         * @return this builder
         */
        Builder strictTags(boolean strict);

        /**
         * Registers a tag at open, or updates its metadata.
         *
         * @param definition the tag; a later definition of the same name replaces an earlier one
         * @return this builder
         */
        Builder tag(TagDefinition definition);

        /**
         * What a write to an existing (tag, timestamp) does (default {@link DuplicatePolicy#LAST_WRITE_WINS}).
         *
         * @param policy replace, keep the first, or refuse
         * @return this builder
         */
        Builder duplicates(DuplicatePolicy policy);

        /**
         * Samples before this instant are refused (default 1970-01-01T00:00:00Z).
         *
         * @param earliest the earliest accepted timestamp, inclusive
         * @return this builder
         */
        Builder earliestTimestamp(Instant earliest);

        /**
         * Samples further than this ahead of the clock are refused (default 1 day).
         *
         * @param tolerance how far ahead of {@link #clock} a timestamp may lie, zero or more
         * @return this builder
         */
        Builder futureTolerance(java.time.Duration tolerance);

        /**
         * The most samples one {@code write(SampleBatch)} may carry (default 1,000,000; 1 to
         * 4,000,000). A batch of any accepted size is journaled as one entry: all or nothing, also
         * across a crash and a full journal.
         *
         * @param max the largest batch, 1 to 4,000,000
         * @return this builder
         */
        Builder maxBatchSize(int max);

        /**
         * A chunk closes at this many samples (default 4,096; 16 to 100,000).
         *
         * @param max the samples per chunk, 16 to 100,000
         * @return this builder
         */
        Builder chunkMaxSamples(int max);

        /**
         * A chunk closes this long after it opened, whatever its size (default 10 minutes). It bounds
         * how much journal a restart replays.
         *
         * @param age the longest a chunk stays open, positive
         * @return this builder
         */
        Builder chunkMaxAge(java.time.Duration age);

        /**
         * Heap for the samples of open chunks, all tags together (default: an eighth of the JVM's
         * maximum heap, from 64 MiB to 1 GiB; at least 16 MiB). An open sample takes about 32
         * bytes; when open chunks hold more than this allows, they close early. With many tags
         * this sets the chunk size, and so the disk: each chunk carries about 73 bytes of header,
         * and 512 MiB holds 16M open samples, 167 per tag for 100,000 tags, where a chunk of 4,096
         * samples takes about 0.85 bytes a sample. The arrays of committed chunks are kept for
         * reuse by new open chunks, up to as much heap again, so that the store writer allocates
         * almost nothing per sample.
         *
         * @param memory the heap for open chunks, at least 16 MiB
         * @return this builder
         */
        Builder openChunkMemory(DataSize memory);

        /**
         * Delete chunks wholly older than this (default: keep everything).
         *
         * @param retention how long data is kept, measured back from the clock; positive
         * @return this builder
         */
        Builder retention(java.time.Duration retention);

        /**
         * How often retention runs on its own (default 1 hour).
         *
         * @param interval the time between scheduled runs, positive
         * @return this builder
         */
        Builder retentionCheckInterval(java.time.Duration interval);

        /**
         * How often the store commits sealed chunks (default 200 ms).
         *
         * @param interval the time between commits, positive
         * @return this builder
         */
        Builder commitInterval(java.time.Duration interval);

        /**
         * How long a read waits for the store writer to catch up with the journal (default 60 s).
         *
         * @param timeout the longest wait, positive
         * @return this builder
         */
        Builder readWaitTimeout(java.time.Duration timeout);

        /**
         * The clock for the timestamp window, chunk ages and retention (default the system UTC clock).
         *
         * @param clock the clock; tests pass a fixed or stepped one
         * @return this builder
         */
        Builder clock(java.time.Clock clock);

        /**
         * Register the statistics as a JMX bean (default true).
         *
         * @param enabled false to skip registering the {@link HistorianMXBean}
         * @return this builder
         */
        Builder jmx(boolean enabled);

        /**
         * When {@link Historian#health()} reports a reason (default {@link HealthThresholds#defaults()}).
         *
         * @param thresholds the thresholds
         * @return this builder
         */
        Builder health(HealthThresholds thresholds);

        /**
         * Adds a source (a Modbus device, say) that the historian starts once open and closes when
         * it closes. Sources must have distinct names.
         *
         * @param source the source; its {@code name()} must differ from every source added before
         * @return this builder
         * @throws IllegalArgumentException if a source of the same name was added
         */
        Builder source(io.historian.spi.SampleSource source);

        /**
         * Adds a forwarder: once open, the historian sends every sample of its tags to it on a
         * thread of its own, at least once, keeping its position in {@code forwarders/<name>}
         * under the data directory (see {@link io.historian.spi.Forwarder}). A new forwarder
         * starts with the samples written after the historian opened; {@link Forwarding#replayFrom}
         * sends older ones.
         *
         * @param forwarder the forwarder; its {@code name()} must differ from every forwarder added before
         * @return this builder
         * @throws IllegalArgumentException if a forwarder of the same name was added, or the name
         *     is not a valid file name
         */
        Builder forwarder(io.historian.spi.Forwarder forwarder);

        /**
         * How far a subscription may fall behind ingest, in journal bytes, before it is ended with a
         * {@link SubscriptionLaggedException} (default 1 GiB, at least 1 MiB). The journal keeps the
         * segments a subscription still has to read, outside the {@link #journalBudget}, so a slow
         * subscriber never slows ingest; this limit bounds that extra disk. It is checked on every
         * write call, against the journal entries the subscription has not read yet (an entry being
         * delivered counts as read), so a subscription ends on the write call that takes it past
         * the limit: it may pass it by at most that call's entry. The check costs a write one
         * comparison until some subscription comes near its limit.
         *
         * @param limit the largest lag, at least 1 MiB
         * @return this builder
         */
        Builder subscriberLagLimit(DataSize limit);

        /**
         * Where data older than the {@link #tiering} policy goes (default none). The historian
         * closes the tier when it closes. Without a policy, data moves after 30 days.
         *
         * @param tier the cold tier, such as a {@link FileSystemColdTier} or the S3 tier
         * @return this builder
         */
        Builder coldTier(io.historian.spi.ColdTier tier);

        /**
         * When data moves to the {@link #coldTier}; a policy without a cold tier is an error at {@code build()}.
         *
         * @param policy which partitions move, and how often the job runs
         * @return this builder
         */
        Builder tiering(TieringPolicy policy);

        /**
         * The bound of the local disk cache of segments fetched from the cold tier (default 1 GiB,
         * at least 64 KiB). A segment larger than the whole cache is fetched for each query that needs it.
         *
         * @param size the cache bound, at least 64 KiB
         * @return this builder
         */
        Builder coldCacheSize(DataSize size);

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
         * @param outputTag the calculated tag's name; it cannot be written directly
         * @param expression the formula, in the README's expression language
         * @return this builder
         * @throws IllegalArgumentException if {@code outputTag} is not a valid tag name or already has a formula
         */
        Builder formula(String outputTag, String expression);

        /**
         * A formula input whose latest sample is older than this when the formula runs makes the
         * result Uncertain_LastUsableValue (default 1 hour).
         *
         * @param staleness the age past which an input counts as stale, positive
         * @return this builder
         */
        Builder formulaStaleness(java.time.Duration staleness);

        /**
         * What {@link #build()} does when the data directory has lost data (default
         * {@link Recovery#STRICT}: it refuses with a {@link DamagedDataException} naming the file).
         *
         * @param recovery refuse, or open and keep what is left
         * @return this builder
         */
        Builder recovery(Recovery recovery);

        /**
         * Checks the closed data directory without opening a historian on it and without changing
         * it: the journal's segments (every entry readable and well formed), the store's journal
         * checkpoint against the journal, every stored chunk's checksums (RocksDB's block checksums
         * and each chunk's CRC), and, with a {@link #coldTier cold tier} set, every manifest entry
         * against its object (present, same size, same SHA-256).
         *
         * @return what was checked and the damage found
         * @throws HistorianException if another historian holds the directory (the check never
         *     runs on an open one) or the directory does not exist
         */
        VerifyReport verify();

        /**
         * Opens the historian, replaying any journal backlog first.
         *
         * @return the open historian; close it to release the data directory
         * @throws IllegalStateException if a tiering policy is set without a cold tier
         * @throws FormulaException if a formula does not parse or check
         * @throws DamagedDataException if the data directory has lost data (a journal segment
         *     holding samples the store has not committed, the store, or a file the store needs) and
         *     {@link #recovery} is {@link Recovery#STRICT}
         * @throws HistorianException if the JVM lacks the flags the journal needs (the message lists
         *     them), the data directory cannot be written, or another historian holds it
         */
        Historian build();
    }
}
