package io.historian.tiering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Historian;
import io.historian.HistorianException;
import io.historian.TieringPolicy;
import io.historian.TieringReport;
import io.historian.testing.ChildJvm;
import io.historian.testing.MutableClock;
import io.historian.testing.QueryFingerprint;
import io.historian.testing.Reads;
import io.historian.testing.TierData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 tier against a real S3 API server (S3Proxy on 127.0.0.1). The round trip is scaled down
 * from "a year of data for 100 tags" to 20 tags x 8 days at one sample per 10 s (1.38M samples),
 * which runs in seconds here; the code path per partition is the same.
 */
class S3ColdTierTest {
    private static final long PERIOD = 10_000;
    private static final long SAMPLES = 8 * 8640;
    private static final Instant FROM = Instant.ofEpochMilli(TierData.T0 - 3_600_000);
    private static final Instant TO = Instant.ofEpochMilli(TierData.T0 + 9 * 86_400_000L);
    private static S3ProxyServer s3;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.ofEpochMilli(TierData.T0 + 9 * 86_400_000L));

    @BeforeAll
    static void startServer() throws Exception {
        s3 = new S3ProxyServer();
    }

    @AfterAll
    static void stopServer() throws Exception {
        s3.close();
    }

    private Historian open(Path data, String prefix) {
        return Historian.builder().dataDirectory(data).jmx(false).clock(clock).coldTier(s3.tier(prefix))
                .tiering(TieringPolicy.olderThan(Duration.ofDays(2)).checkEvery(Duration.ZERO)).build();
    }

    private static List<String> tags(int n) {
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tags.add(i % 5 == 4 ? "Area " + i + "/Boiler.TEMP" : "area" + i + ".boiler.temp");
        }
        return tags;
    }

    @Test
    void tierNow_toS3_everyQueryModeAnswersAsBefore() throws Exception {
        List<String> tags = tags(20);
        List<String> checked = List.of(tags.get(0), tags.get(4), tags.get(19));
        Map<String, List<String>> hot = new HashMap<>();
        Path data = dir.resolve("data");
        try (Historian h = open(data, "site-a/")) {
            TierData.write(h, tags, SAMPLES, PERIOD);
            h.compact();
            long before = h.stats().storeBytes();
            for (String t : checked) {
                hot.put(t, QueryFingerprint.of(h, t, FROM, TO));
            }
            long start = System.nanoTime();
            TieringReport r = h.tierNow();
            System.out.printf("tiered to S3: %s in %d ms%n", r, (System.nanoTime() - start) / 1_000_000);
            assertTrue(r.segmentsWritten() >= 20 * 5, r.toString());
            for (String t : checked) {
                assertEquals(hot.get(t), QueryFingerprint.of(h, t, FROM, TO), "answers changed for " + t);
            }
            try (S3ColdTier tier = s3.tier("site-a/")) {
                assertEquals(TierData.manifestKeys(h), TierData.tierKeys(tier));
            }
            long after = h.stats().storeBytes();
            System.out.println("local chunk files: " + before + " -> " + after + " bytes");
            assertTrue(after < before / 2, before + " -> " + after);
        }
        try (Historian h = open(data, "site-a/")) {
            for (String t : checked) {
                assertEquals(hot.get(t), QueryFingerprint.of(h, t, FROM, TO), "answers changed after reopening for " + t);
            }
        }
    }

    @Test
    void twoHistorians_oneBucket_distinctPrefixes_doNotInterfere() throws Exception {
        List<String> tags = List.of("shared.tag", "Shared.Tag");
        try (Historian a = open(dir.resolve("a"), "plant/site-a/"); Historian b = open(dir.resolve("b"), "plant/site-b/")) {
            TierData.write(a, tags, SAMPLES, PERIOD);
            SampleWriter.writeShifted(b, tags, SAMPLES, PERIOD, 1000.0);
            a.tierNow();
            b.tierNow();
            try (S3ColdTier ta = s3.tier("plant/site-a/"); S3ColdTier tb = s3.tier("plant/site-b/")) {
                Set<String> ka = TierData.tierKeys(ta);
                Set<String> kb = TierData.tierKeys(tb);
                assertEquals(TierData.manifestKeys(a), ka);
                assertEquals(TierData.manifestKeys(b), kb);
                assertFalse(ka.isEmpty());
            }
            var sa = Reads.all(a, "shared.tag");
            var sb = Reads.all(b, "shared.tag");
            assertEquals(SAMPLES, sa.size());
            assertEquals(SAMPLES, sb.size());
            for (int k = 0; k < SAMPLES; k += 997) {
                double va = TierData.value(0, k);
                if (!Double.isNaN(va)) {
                    assertEquals(va, sa.get(k).value());
                    assertEquals(va + 1000.0, sb.get(k).value());
                }
            }
        }
    }

    @Test
    void credentials_neverInToStringOrMessages() {
        try (S3ColdTier tier = s3.tier("x/")) {
            assertFalse(tier.toString().contains(S3ProxyServer.SECRET));
            assertFalse(tier.describe().contains(S3ProxyServer.SECRET));
        }
        assertFalse(S3Credentials.of("a", "very-secret").toString().contains("very-secret"));
        assertThrows(IllegalArgumentException.class, () -> S3ColdTier.builder().prefix("../escape/"));
        assertThrows(IllegalArgumentException.class, () -> S3ColdTier.builder().prefix("a/../b/"));
        assertThrows(IllegalArgumentException.class, () -> S3ColdTier.builder().prefix("no-slash"));
        assertThrows(IllegalStateException.class, () -> S3ColdTier.builder().bucket("b").build());
    }

    @Test
    void corruptOrMissingObject_failsNamingIt() throws Exception {
        Path data = dir.resolve("data");
        List<String> keys;
        try (Historian h = open(data, "corrupt/")) {
            TierData.write(h, List.of("x"), SAMPLES, PERIOD);
            h.tierNow();
            keys = new ArrayList<>(TierData.manifestKeys(h));
        }
        keys.sort(null);
        try (S3ColdTier tier = s3.tier("corrupt/")) {
            byte[] content = tier.fetch(keys.get(0), tier.stat(keys.get(0)).size());
            content[content.length / 3] ^= 1;
            // Same recorded checksum, different bytes: only a content check catches it.
            tier.put(keys.get(0), content, tier.stat(keys.get(0)).sha256());
            tier.delete(keys.get(2));
            byte[] fifth = tier.fetch(keys.get(4), tier.stat(keys.get(4)).size());
            // Larger than the manifest says, with the recorded checksum kept.
            tier.put(keys.get(4), java.util.Arrays.copyOf(fifth, fifth.length + 4096), tier.stat(keys.get(4)).sha256());
        }
        try (Historian h = open(data, "corrupt/")) {
            Instant day0 = Instant.ofEpochMilli(TierData.T0);
            HistorianException e = assertThrows(HistorianException.class,
                    () -> h.query("x").between(day0, day0.plusSeconds(60)).toList());
            assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains(keys.get(0)), e.getMessage());
            Instant day3 = day0.plus(Duration.ofDays(3));
            HistorianException m = assertThrows(HistorianException.class,
                    () -> h.query("x").between(day3, day3.plusSeconds(60)).toList());
            assertTrue(m.getMessage().contains("missing") && m.getMessage().contains(keys.get(2)), m.getMessage());
            Instant day4 = day0.plus(Duration.ofDays(4)).plusSeconds(3600);
            HistorianException larger = assertThrows(HistorianException.class,
                    () -> h.query("x").between(day4, day4.plusSeconds(60)).toList());
            assertTrue(larger.getMessage().contains("size differs") && larger.getMessage().contains(keys.get(4)),
                    larger.getMessage());
            assertFalse(larger.isRetryable());
        }
    }

    @Test
    void fetch_ofAnObjectLargerThanExpected_isRefusedUnread_inASmallHeap() throws Exception {
        String key = "segments/big/20260101T000000Z.seg";
        int big = 128 << 20;
        try (S3ColdTier tier = s3.tier("size/")) {
            tier.put(key, new byte[] {1, 2, 3}, "00");
            assertArrayEquals(new byte[] {1, 2, 3}, tier.fetch(key, 3));
            HistorianException shorter = assertThrows(HistorianException.class, () -> tier.fetch(key, 4));
            assertTrue(shorter.getMessage().contains("key=" + key) && shorter.getMessage().contains("expectedSize=4")
                    && shorter.getMessage().contains("actualSize=3"), shorter.getMessage());
            tier.put(key, new byte[big], "00");
        }
        Path log = dir.resolve("child.log");
        // Reading the object whole would need twice this heap.
        Process child = ChildJvm.start(S3FetchChild.class, "64m", log, Integer.toString(s3.port()), "size/", key, "3");
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child did not finish");
        String out = Files.readString(log);
        assertEquals(S3FetchChild.REFUSED, child.exitValue(), out);
        assertTrue(out.contains("key=" + key) && out.contains("expectedSize=3") && out.contains("actualSize=" + big), out);
        try (S3ColdTier tier = s3.tier("size/")) {
            tier.delete(key);
        }
    }

    /** Writes the dataset with every value shifted, so two historians hold different numbers. */
    static final class SampleWriter {
        static void writeShifted(Historian h, List<String> tags, long samples, long period, double shift) {
            io.historian.SampleBatch batch = new io.historian.SampleBatch();
            for (long k = 0; k < samples; k++) {
                for (int t = 0; t < tags.size(); t++) {
                    batch.add(tags.get(t), TierData.timestamp(t, k, period), TierData.value(t, k) + shift,
                            TierData.quality(t, k));
                }
                if (batch.size() >= 10_000) {
                    h.write(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                h.write(batch);
            }
        }
    }

    static Set<String> set(List<String> l) {
        return new HashSet<>(l);
    }
}
