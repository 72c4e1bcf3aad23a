package io.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.historian.testing.ChildJvm;
import io.historian.testing.NoMicrometerChild;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Micrometer is optional: a historian on a class path without it opens, writes, counts and judges its health. */
class NoMicrometerTest {
    @Test
    void historian_withoutMicrometerOnTheClassPath_works(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("child.log");
        Process child = ChildJvm.startWithout("micrometer", NoMicrometerChild.class, log,
                dir.resolve("data").toString());
        try {
            List<String> out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                    .toList();
            child.waitFor(60, TimeUnit.SECONDS);
            assertEquals(0, child.exitValue(), () -> "child failed: " + read(log));
            assertEquals(List.of("micrometer absent", "journaled=1", "health=UP"), out, () -> read(log));
        } finally {
            child.destroyForcibly();
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
