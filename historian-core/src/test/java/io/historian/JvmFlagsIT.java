package io.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.internal.engine.JvmFlags;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM started without the journal's flags gets an error that lists them, not a stack trace from deep inside. */
class JvmFlagsIT {
    @TempDir
    Path dir;

    /** Child main: tries to open a historian and prints the outcome. */
    public static final class Opener {
        public static void main(String[] args) {
            try (Historian h = Historian.builder().dataDirectory(Path.of(args[0])).jmx(false).build()) {
                System.out.println("OPENED");
            } catch (HistorianException e) {
                System.out.println("REFUSED " + e.getMessage());
            }
        }
    }

    @Test
    void build_withoutTheChronicleFlags_failsListingThem() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", System.getProperty("java.class.path"), Opener.class.getName(), dir.resolve("data").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("REFUSED"), out);
        for (String flag : JvmFlags.REQUIRED) {
            assertTrue(out.contains(flag), "message lists " + flag + ": " + out);
        }
        assertTrue(JvmFlags.missing().isEmpty(), "this test JVM has the flags: " + JvmFlags.missing());
    }
}
