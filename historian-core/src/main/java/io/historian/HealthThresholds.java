package io.historian;

import java.time.Duration;
import java.util.Objects;

/**
 * When {@link Historian#health()} reports a reason; give it to {@link Historian.Builder#health}.
 *
 * <pre>{@code
 * Historian.builder().health(HealthThresholds.defaults()
 *         .withStoreLag(Duration.ofMinutes(5))
 *         .withDeviceUnreachable(Duration.ofSeconds(30)))
 * }</pre>
 *
 * <table>
 * <caption>Thresholds and defaults</caption>
 * <tr><th>threshold</th><th>default</th><th>reason it raises (state)</th></tr>
 * <tr><td>journalUsage</td><td>0.8</td><td>journal above this fraction of its budget (DEGRADED)</td></tr>
 * <tr><td>storeLag</td><td>1 min</td><td>the oldest journaled sample the store writer has not applied is older (DEGRADED)</td></tr>
 * <tr><td>deviceUnreachable</td><td>1 min</td><td>a source unreachable for longer (DEGRADED)</td></tr>
 * <tr><td>tieringFailures</td><td>3</td><td>this many scheduled tiering runs failed in a row (DEGRADED)</td></tr>
 * <tr><td>laggedSubscription</td><td>15 min</td><td>a subscription ended for lag this recently (DEGRADED)</td></tr>
 * </table>
 * A failed store writer is always DOWN.
 *
 * @param journalUsage the fraction of the journal budget above which the journal counts as full, in (0, 1]
 * @param storeLag how far behind ingest the store writer may fall, positive
 * @param deviceUnreachable how long a source may be unable to reach its device, positive
 * @param tieringFailures how many scheduled tiering runs may fail in a row before it counts, at least 1
 * @param laggedSubscription how long a subscription ended for lag keeps the historian DEGRADED, positive
 */
public record HealthThresholds(double journalUsage, Duration storeLag, Duration deviceUnreachable,
        int tieringFailures, Duration laggedSubscription) {

    /**
     * Checks every threshold.
     *
     * @param journalUsage the fraction of the journal budget, in (0, 1]
     * @param storeLag the store writer's largest lag, positive
     * @param deviceUnreachable the longest outage of a device, positive
     * @param tieringFailures failed tiering runs in a row, at least 1
     * @param laggedSubscription how long a lagged-out subscription counts, positive
     * @throws IllegalArgumentException showing a value out of range
     */
    public HealthThresholds {
        if (!(journalUsage > 0 && journalUsage <= 1)) {
            throw new IllegalArgumentException("journalUsage must be in (0, 1]: " + journalUsage);
        }
        positive(storeLag, "storeLag");
        positive(deviceUnreachable, "deviceUnreachable");
        positive(laggedSubscription, "laggedSubscription");
        if (tieringFailures < 1) {
            throw new IllegalArgumentException("tieringFailures must be at least 1: " + tieringFailures);
        }
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    /** {@return the defaults listed in the class description} */
    public static HealthThresholds defaults() {
        return new HealthThresholds(0.8, Duration.ofMinutes(1), Duration.ofMinutes(1), 3, Duration.ofMinutes(15));
    }

    /**
     * A copy with another journal threshold.
     *
     * @param fraction the fraction of the budget, in (0, 1]
     * @return the new thresholds
     */
    public HealthThresholds withJournalUsage(double fraction) {
        return new HealthThresholds(fraction, storeLag, deviceUnreachable, tieringFailures, laggedSubscription);
    }

    /**
     * A copy with another store lag threshold.
     *
     * @param lag the largest lag, positive
     * @return the new thresholds
     */
    public HealthThresholds withStoreLag(Duration lag) {
        return new HealthThresholds(journalUsage, lag, deviceUnreachable, tieringFailures, laggedSubscription);
    }

    /**
     * A copy with another device threshold.
     *
     * @param outage the longest outage, positive
     * @return the new thresholds
     */
    public HealthThresholds withDeviceUnreachable(Duration outage) {
        return new HealthThresholds(journalUsage, storeLag, outage, tieringFailures, laggedSubscription);
    }

    /**
     * A copy with another tiering threshold.
     *
     * @param runs failed runs in a row, at least 1
     * @return the new thresholds
     */
    public HealthThresholds withTieringFailures(int runs) {
        return new HealthThresholds(journalUsage, storeLag, deviceUnreachable, runs, laggedSubscription);
    }

    /**
     * A copy with another subscription threshold.
     *
     * @param window how long a lagged-out subscription counts, positive
     * @return the new thresholds
     */
    public HealthThresholds withLaggedSubscription(Duration window) {
        return new HealthThresholds(journalUsage, storeLag, deviceUnreachable, tieringFailures, window);
    }
}
