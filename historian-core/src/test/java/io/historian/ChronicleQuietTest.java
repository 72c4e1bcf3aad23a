package io.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.testing.ChildJvm;
import io.historian.testing.QuietChild;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application that passes no Chronicle property gets no analytics, no announcement and no
 * timing chatter from the journal at INFO: the library sets Chronicle's properties itself before
 * Chronicle loads. Runs in a child JVM, because Chronicle reads them once per JVM.
 */
class ChronicleQuietTest {
    @TempDir
    Path dir;

    @Test
    void applicationLog_atInfo_holdsNoChronicleAnnouncement() throws Exception {
        Path log = dir.resolve("child.log");
        Process child = ChildJvm.start(QuietChild.class, "256m", log, dir.resolve("data").toString());
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child did not finish");
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = Files.readString(log);
        assertEquals(0, child.exitValue(), "child failed:\n" + err);
        assertEquals(List.of("chronicle.analytics.disable=true", "chronicle.announcer.disable=true",
                "chronicle.disk.monitor.disable=true", "disable.perf.info=true"), out.lines().toList(), err);
        for (String chatter : List.of("Leave your e-mail", "Process id", "Running under", "to add mapping",
                "to pollDiskSpace", "analytics")) {
            assertTrue(err.lines().noneMatch(line -> line.contains(chatter)),
                    "the log holds Chronicle's \"" + chatter + "\" line:\n" + err);
        }
    }
}
