package io.historian.testing;

import io.historian.Historian;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The child side of {@code ChronicleQuietTest}: opens a historian (logging through slf4j-simple at
 * INFO to stderr), writes, reopens, and prints the Chronicle properties the library set.
 */
public final class QuietChild {
    private QuietChild() {
    }

    /** args: data directory. */
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        for (int open = 0; open < 2; open++) {
            try (Historian historian = Historian.builder().dataDirectory(dir).build()) {
                historian.write("quiet.tag", Instant.parse("2026-01-01T00:00:00Z").plusSeconds(open), open);
                historian.flush();
            }
        }
        for (String key : new String[] {"chronicle.analytics.disable", "chronicle.announcer.disable",
                "chronicle.disk.monitor.disable", "disable.perf.info"}) {
            System.out.println(key + "=" + System.getProperty(key));
        }
    }
}
