package io.historian.testing;

import io.historian.Historian;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The child side of {@code NoMicrometerTest}: on a class path without Micrometer, opens a
 * historian, writes, reads its stats and health, and prints them.
 */
public final class NoMicrometerChild {
    private NoMicrometerChild() {
    }

    /** args: data directory. */
    public static void main(String[] args) {
        try {
            Class.forName("io.micrometer.core.instrument.MeterRegistry");
            System.out.println("micrometer present");
            return;
        } catch (ClassNotFoundException expected) {
            System.out.println("micrometer absent");
        }
        try (Historian historian = Historian.builder().dataDirectory(Path.of(args[0])).build()) {
            historian.write("plain.tag", Instant.parse("2026-01-01T00:00:00Z"), 1.0);
            historian.flush();
            System.out.println("journaled=" + historian.stats().journaledSamples());
            System.out.println("health=" + historian.health().state());
        }
    }
}
