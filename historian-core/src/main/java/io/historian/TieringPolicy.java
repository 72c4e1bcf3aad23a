package io.historian;

import java.time.Duration;
import java.util.Objects;

/**
 * When the historian moves closed data to its cold tier: by age, by local size, or both (data
 * goes when either says so), checked on a schedule and on {@link Historian#tierNow()}.
 *
 * <pre>{@code
 * Historian.builder()
 *     .coldTier(FileSystemColdTier.of(Path.of("/mnt/nas/historian")))
 *     .tiering(TieringPolicy.olderThan(Duration.ofDays(30)).keepLocalUnder(DataSize.ofGigabytes(50))
 *             .checkEvery(Duration.ofHours(1)))
 *     .build();
 * }</pre>
 *
 * <p>Data moves in partitions of one tag and one {@link #partition} (a UTC day by default): a
 * partition goes once every chunk starting in it ends before the cutoff. Samples before the
 * cutoff are immutable from then on: a late write there is refused with
 * {@link RejectReason#BEHIND_TIERING_CUTOFF}.
 *
 * <p><b>Thread safety:</b> immutable; each setter returns a new policy.
 */
public final class TieringPolicy {
    /** Uploads in flight at once unless {@link #uploadConcurrency} says otherwise. */
    public static final int DEFAULT_UPLOADS = 16;
    private final Duration olderThan;
    private final DataSize keepLocalUnder;
    private final Duration checkEvery;
    private final Duration partition;
    private final int uploadConcurrency;

    private TieringPolicy(Duration olderThan, DataSize keepLocalUnder, Duration checkEvery, Duration partition,
            int uploadConcurrency) {
        this.olderThan = olderThan;
        this.keepLocalUnder = keepLocalUnder;
        this.checkEvery = checkEvery;
        this.partition = partition;
        this.uploadConcurrency = uploadConcurrency;
    }

    /**
     * Tiers data older than {@code age}; checks every hour by default.
     *
     * @param age how far behind the clock a partition must end to move, positive
     * @return the policy
     */
    public static TieringPolicy olderThan(Duration age) {
        return new TieringPolicy(positive(age, "age"), null, Duration.ofHours(1), Duration.ofDays(1), DEFAULT_UPLOADS);
    }

    /**
     * Tiers the oldest data while the local chunks take more than {@code size}; checks every hour by default.
     *
     * @param size the local disk the chunks may take before the oldest partitions move
     * @return the policy
     */
    public static TieringPolicy localSizeAbove(DataSize size) {
        return new TieringPolicy(null, Objects.requireNonNull(size, "size"), Duration.ofHours(1), Duration.ofDays(1),
                DEFAULT_UPLOADS);
    }

    /**
     * Also tiers the oldest data while local chunks take more than {@code size}.
     *
     * @param size the local disk the chunks may take before the oldest partitions move
     * @return a new policy; this one is unchanged
     */
    public TieringPolicy keepLocalUnder(DataSize size) {
        return new TieringPolicy(olderThan, Objects.requireNonNull(size, "size"), checkEvery, partition, uploadConcurrency);
    }

    /**
     * How often the job runs on its own; {@link Duration#ZERO} for never (only {@link Historian#tierNow()}).
     *
     * @param interval the time between runs, zero or more
     * @return a new policy; this one is unchanged
     */
    public TieringPolicy checkEvery(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative()) {
            throw new IllegalArgumentException("checkEvery must not be negative: " + interval);
        }
        return new TieringPolicy(olderThan, keepLocalUnder, interval, partition, uploadConcurrency);
    }

    /**
     * The time partition of one segment object (default one day, aligned to the epoch, so to UTC
     * midnights); between one minute and 366 days.
     *
     * <p>Each tag's partition is one object and one upload, so the partition sets how many requests
     * tiering makes: a tag sampled every 10 s fills about 4 KB a day. For slow tags a week makes a
     * seventh of the requests (on an S3 server on loopback, 100 tags x 30 days tiered at 9.9M
     * instead of 5.1M samples/s in a fresh JVM; see {@code BENCHMARKS.md}). In exchange a partition
     * stays local until all of it is older than the policy's age, and a cold read fetches the
     * whole partition's segment.
     *
     * @param length the partition length, 1 minute to 366 days
     * @return a new policy; this one is unchanged
     */
    public TieringPolicy partition(Duration length) {
        positive(length, "partition");
        if (length.compareTo(Duration.ofMinutes(1)) < 0 || length.compareTo(Duration.ofDays(366)) > 0) {
            throw new IllegalArgumentException("partition must be between 1 minute and 366 days: " + length);
        }
        return new TieringPolicy(olderThan, keepLocalUnder, checkEvery, length, uploadConcurrency);
    }

    /**
     * How many segment uploads the job keeps in flight at once (default {@value #DEFAULT_UPLOADS}),
     * from 1 to 64. Uploads of small segments wait mostly on round trips, so several at once
     * multiply throughput; each holds one connection to the cold tier.
     *
     * @param uploads the number of concurrent uploads, 1 to 64
     * @return a new policy; this one is unchanged
     */
    public TieringPolicy uploadConcurrency(int uploads) {
        if (uploads < 1 || uploads > 64) {
            throw new IllegalArgumentException("uploadConcurrency must be between 1 and 64: " + uploads);
        }
        return new TieringPolicy(olderThan, keepLocalUnder, checkEvery, partition, uploads);
    }

    /** {@return the age limit, or null when only size counts} */
    public Duration olderThan() {
        return olderThan;
    }

    /** {@return the local size limit, or null when only age counts} */
    public DataSize keepLocalUnder() {
        return keepLocalUnder;
    }

    /** {@return how often the job runs; zero for never} */
    public Duration checkEvery() {
        return checkEvery;
    }

    /** {@return the partition length} */
    public Duration partition() {
        return partition;
    }

    /** {@return how many segment uploads may be in flight at once} */
    public int uploadConcurrency() {
        return uploadConcurrency;
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return d;
    }

    @Override
    public String toString() {
        return "TieringPolicy[olderThan=" + olderThan + ", keepLocalUnder=" + keepLocalUnder + ", checkEvery="
                + checkEvery + ", partition=" + partition + ", uploadConcurrency=" + uploadConcurrency + "]";
    }
}
