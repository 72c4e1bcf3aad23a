package io.historian.sparkplug;

import io.historian.testing.ApiSurface;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** This module's public types are exactly its API, in io.historian.sparkplug, showing nothing internal. */
class ApiSurfaceTest {
    @Test
    void publicTypes_areTheApiAndShowNothingInternal() {
        ApiSurface.check(SparkplugForwarder.class, Set.of("io.historian.sparkplug"), new TreeSet<>("""
                io.historian.sparkplug.SparkplugForwarder
                io.historian.sparkplug.SparkplugForwarder$Builder
                """.strip().lines().toList()));
    }
}
