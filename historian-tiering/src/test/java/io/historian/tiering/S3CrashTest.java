package io.historian.tiering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Historian;
import io.historian.Sample;
import io.historian.TieringReport;
import io.historian.internal.engine.Internals;
import io.historian.internal.tier.Manifest;
import io.historian.testing.ChildJvm;
import io.historian.testing.Reads;
import io.historian.testing.TierData;
import io.historian.testing.TieringChild;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A child JVM tiering to S3 is halted in its first batch of segments: right after one upload while
 * others are in flight, after all its uploads, or after recording the batch in the manifest; the next run completes with every sample present exactly once
 * and no unreferenced object in the bucket.
 */
class S3CrashTest {
    private static S3ProxyServer s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        s3 = new S3ProxyServer();
    }

    @AfterAll
    static void stopServer() throws Exception {
        s3.close();
    }

    @ParameterizedTest(name = "halted after {0}")
    @ValueSource(strings = {"firstUpload", "upload", "manifest"})
    void tierNow_afterAKill_resumesWithNothingLostOrDoubled(String step) throws Exception {
        Path data = dir.resolve("data");
        String prefix = "crash-" + step + "/";
        Path log = dir.resolve("child.log");
        Process child = ChildJvm.start(S3TieringChild.class, "256m", log, String.valueOf(s3.port()), prefix,
                data.toString(), step);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child did not finish");
        assertEquals(77, child.exitValue(), "child did not halt at the step: " + Files.readString(log));
        try (Historian h = S3TieringChild.builder(s3.port(), prefix, data).build()) {
            TieringReport r = h.tierNow();
            System.out.println("after a halt at " + step + ": " + r);
            if (!step.equals("manifest")) {
                // Nothing was recorded before the halt: every segment is adopted or written now.
                assertTrue(r.segmentsAdopted() > 0, r.toString());
                assertEquals(TierData.manifestKeys(h).size(), r.segmentsAdopted() + r.segmentsWritten(), r.toString());
            } else {
                assertTrue(r.segmentsWritten() > 0, r.toString());
            }
            try (S3ColdTier tier = s3.tier(prefix)) {
                assertEquals(TierData.manifestKeys(h), TierData.tierKeys(tier), "unreferenced or missing objects");
            }
            assertTrue(new Manifest(Internals.store(h)).intents().isEmpty());
            for (int t = 0; t < TieringChild.TAGS.size(); t++) {
                List<Sample> all = Reads.all(h, TieringChild.TAGS.get(t));
                assertEquals(TieringChild.SAMPLES, all.size());
                for (int k = 0; k < all.size(); k++) {
                    assertEquals(TierData.timestamp(t, k, TieringChild.PERIOD), all.get(k).timestamp().toEpochMilli());
                    assertEquals(Double.doubleToRawLongBits(TierData.value(t, k)),
                            Double.doubleToRawLongBits(all.get(k).value()));
                }
            }
        }
    }
}
