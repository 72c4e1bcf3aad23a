package io.historian.internal.journal;

import java.util.Map;

/**
 * The system properties the journal sets for Chronicle before any of Chronicle's classes load
 * (Chronicle reads them in static initializers), so that no application has to pass them. A
 * property the application has set already is left as it is.
 *
 * <ul>
 *   <li>{@code chronicle.analytics.disable}: Chronicle otherwise sends usage analytics; a
 *       historian must not call out to the network.
 *   <li>{@code chronicle.announcer.disable}: Chronicle otherwise logs, at INFO, its JVM, process
 *       id and an invitation to leave an e-mail address.
 *   <li>{@code chronicle.disk.monitor.disable}: Chronicle otherwise logs an error every few
 *       seconds while the disk is nearly full; the journal refuses writes itself before that
 *       (see {@code Historian.Builder.diskReserve}) and reports it in {@code stats()}.
 *   <li>{@code disable.perf.info}: Chronicle otherwise logs, at INFO, how long each memory
 *       mapping and disk-space poll took.
 * </ul>
 *
 * <p>This class names no Chronicle type, so calling it loads none.
 */
public final class ChronicleProperties {
    static final Map<String, String> DEFAULTS = Map.of(
            "chronicle.analytics.disable", "true",
            "chronicle.announcer.disable", "true",
            "chronicle.disk.monitor.disable", "true",
            "disable.perf.info", "true");

    private ChronicleProperties() {
    }

    /** Sets each default the application has not set. */
    public static void apply() {
        DEFAULTS.forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
    }
}
