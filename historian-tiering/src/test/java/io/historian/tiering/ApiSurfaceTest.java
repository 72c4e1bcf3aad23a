package io.historian.tiering;

import io.historian.testing.ApiSurface;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** This module's public types are exactly its API, in io.historian.tiering, showing nothing internal. */
class ApiSurfaceTest {
    @Test
    void publicTypes_areTheApiAndShowNothingInternal() {
        ApiSurface.check(S3ColdTier.class, Set.of("io.historian.tiering"), new TreeSet<>("""
                io.historian.tiering.S3ColdTier
                io.historian.tiering.S3ColdTier$Builder
                io.historian.tiering.S3Credentials
                """.strip().lines().toList()));
    }
}
