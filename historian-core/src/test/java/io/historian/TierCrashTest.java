package io.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.internal.engine.Internals;
import io.historian.internal.tier.Manifest;
import io.historian.testing.ChildJvm;
import io.historian.testing.Reads;
import io.historian.testing.TierData;
import io.historian.testing.TieringChild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Kills the tiering job at each step of its first batch (in a child JVM halted right after the
 * step: one upload done while others are in flight, all uploads done, the manifest written) and checks that
 * the next run completes with every sample present exactly once and no object left unreferenced.
 */
class TierCrashTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "halted after {0}")
    @ValueSource(strings = {"firstUpload", "upload", "manifest"})
    void tierNow_afterAKillAtAnyStep_resumesWithNothingLostOrDoubled(String step) throws Exception {
        Path data = dir.resolve("data");
        Path tierDir = dir.resolve("tier");
        Path log = dir.resolve("child.log");
        Process child = ChildJvm.start(TieringChild.class, "256m", log, data.toString(), tierDir.toString(), step);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child did not finish");
        assertEquals(77, child.exitValue(), "child did not halt at the step: " + Files.readString(log));

        try (Historian h = TieringChild.builder(data, tierDir).build()) {
            TieringReport report = h.tierNow();
            System.out.println("after a halt at " + step + ": " + report);
            if (!step.equals("manifest")) {
                // Nothing was recorded before the halt: every segment is adopted or written now.
                assertTrue(report.segmentsAdopted() > 0, "the uploaded objects were not adopted: " + report);
                assertEquals(TierData.manifestKeys(h).size(), report.segmentsAdopted() + report.segmentsWritten(),
                        report.toString());
            }
            assertTrue(report.segmentsWritten() > 0, report.toString());
            assertEquals(TierData.manifestKeys(h), TierData.tierKeys(FileSystemColdTier.of(tierDir)), "orphans");
            assertTrue(new Manifest(Internals.store(h)).intents().isEmpty());
            for (int t = 0; t < TieringChild.TAGS.size(); t++) {
                List<Sample> all = Reads.all(h, TieringChild.TAGS.get(t));
                assertEquals(TieringChild.SAMPLES, all.size(), "samples of " + TieringChild.TAGS.get(t));
                for (int k = 0; k < all.size(); k++) {
                    Sample s = all.get(k);
                    assertEquals(TierData.timestamp(t, k, TieringChild.PERIOD), s.timestamp().toEpochMilli());
                    assertEquals(Double.doubleToRawLongBits(TierData.value(t, k)), Double.doubleToRawLongBits(s.value()));
                    assertEquals(TierData.quality(t, k), s.quality());
                }
            }
        }
    }

    @Test
    void tierNow_replacesAForeignObjectAtTheKey_andDeletesObjectsOfUnfinishedUploads() throws IOException {
        Path data = dir.resolve("data");
        FileSystemColdTier tier = FileSystemColdTier.of(dir.resolve("tier"));
        String key = io.historian.internal.tier.ObjectKeys.segment("crash.a", TierData.T0);
        tier.put(key, new byte[] {1, 2, 3}, "00");
        String ghost = "segments/ghost/20250101T000000Z.seg";
        tier.put(ghost, new byte[] {4}, "00");
        try (Historian h = TieringChild.builder(data, dir.resolve("tier")).build()) {
            new Manifest(Internals.store(h)).recordIntent(ghost);
            TierData.write(h, List.of("crash.a"), TieringChild.SAMPLES, TieringChild.PERIOD);
            TieringReport report = h.tierNow();
            assertEquals(0, report.segmentsAdopted(), report.toString());
            assertEquals(1, report.orphansDeleted(), report.toString());
            assertFalse(TierData.tierKeys(tier).contains(ghost));
            assertEquals(TierData.manifestKeys(h), TierData.tierKeys(tier));
            assertEquals(TieringChild.SAMPLES, Reads.all(h, "crash.a").size());
        }
    }
}
