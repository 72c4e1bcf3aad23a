package io.historian.tiering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.ColdTierUnavailableException;
import io.historian.Historian;
import io.historian.Sample;
import io.historian.TieringPolicy;
import io.historian.TieringReport;
import io.historian.internal.engine.Internals;
import io.historian.internal.tier.Manifest;
import io.historian.testing.MutableClock;
import io.historian.testing.Reads;
import io.historian.testing.TierData;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network faults between the historian and S3, injected by a TCP proxy: the connection cut
 * mid-upload, a stalled server, HTTP 500 answers. In every case the next run completes with each
 * sample present exactly once and no unreferenced object.
 */
class S3FaultTest {
    private static final long PERIOD = 10_000;
    private static final long SAMPLES = 8 * 8640;
    private static final List<String> TAGS = List.of("fault.a", "fault.b");
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

    private Historian open(FaultProxy proxy, String prefix) {
        return Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).clock(clock)
                .coldTier(s3.tier(proxy.port(), prefix, Duration.ofMillis(400)))
                .tiering(TieringPolicy.olderThan(Duration.ofDays(2)).checkEvery(Duration.ZERO)).build();
    }

    private static void assertComplete(Historian h, String prefix) throws Exception {
        try (S3ColdTier tier = s3.tier(prefix)) {
            assertEquals(TierData.manifestKeys(h), TierData.tierKeys(tier), "unreferenced or missing objects");
        }
        assertTrue(new Manifest(Internals.store(h)).intents().isEmpty(), "open intents");
        for (int t = 0; t < TAGS.size(); t++) {
            List<Sample> all = Reads.all(h, TAGS.get(t));
            assertEquals(SAMPLES, all.size(), TAGS.get(t));
            for (int k = 0; k < all.size(); k++) {
                assertEquals(TierData.timestamp(t, k, PERIOD), all.get(k).timestamp().toEpochMilli());
                assertEquals(Double.doubleToRawLongBits(TierData.value(t, k)),
                        Double.doubleToRawLongBits(all.get(k).value()));
            }
        }
    }

    private void faultThenRecover(FaultProxy.Mode mode, String prefix) throws Exception {
        try (FaultProxy proxy = new FaultProxy(s3.port()); Historian h = open(proxy, prefix)) {
            TierData.write(h, TAGS, SAMPLES, PERIOD);
            proxy.faults(FaultProxy.Mode.PASS, 0);
            // Let a few segments through first so that the fault hits in the middle of the run.
            proxy.faults(mode, -1);
            ColdTierUnavailableException e = assertThrows(ColdTierUnavailableException.class, h::tierNow);
            assertTrue(e.isRetryable());
            assertTrue(e.getMessage().contains("object=") && e.getMessage().contains("s3://"), e.getMessage());
            assertTrue(proxy.faulted.get() > 0);
            proxy.faults(FaultProxy.Mode.PASS, 0);
            TieringReport r = h.tierNow();
            assertTrue(r.segmentsWritten() + r.segmentsAdopted() > 0, r.toString());
            assertComplete(h, prefix);
        }
    }

    @Test
    void cutMidUpload_nextRunCompletes() throws Exception {
        faultThenRecover(FaultProxy.Mode.CUT, "cut/");
    }

    @Test
    void stalledServer_timesOut_nextRunCompletes() throws Exception {
        faultThenRecover(FaultProxy.Mode.STALL, "stall/");
    }

    @Test
    void http500_persistent_failsTheRun_nextRunCompletes() throws Exception {
        faultThenRecover(FaultProxy.Mode.HTTP_500, "err500/");
    }

    @Test
    void http500_transient_isRetriedWithinTheRun() throws Exception {
        try (FaultProxy proxy = new FaultProxy(s3.port()); Historian h = open(proxy, "transient/")) {
            TierData.write(h, TAGS, SAMPLES, PERIOD);
            proxy.faults(FaultProxy.Mode.HTTP_500, 2);
            TieringReport r = h.tierNow();
            assertTrue(r.segmentsWritten() > 0, r.toString());
            assertEquals(2, proxy.faulted.get());
            assertComplete(h, "transient/");
        }
    }

    @Test
    void coldQuery_whenS3IsUnreachable_failsWithColdTierUnavailable() throws Exception {
        try (FaultProxy proxy = new FaultProxy(s3.port()); Historian h = open(proxy, "unreachable/")) {
            TierData.write(h, TAGS, SAMPLES, PERIOD);
            h.tierNow();
            proxy.faults(FaultProxy.Mode.CUT, -1);
            proxy.cutAfter(0);
            Instant day0 = Instant.ofEpochMilli(TierData.T0);
            ColdTierUnavailableException e = assertThrows(ColdTierUnavailableException.class,
                    () -> h.query("fault.a").between(day0, day0.plusSeconds(600)).toList());
            assertTrue(e.getMessage().contains("segments/fault.a/"), e.getMessage());
            // Hot data still answers.
            Instant hot = day0.plus(Duration.ofDays(7)).plusSeconds(7200);
            assertEquals(60, h.query("fault.a").between(hot, hot.plusSeconds(600)).toList().size());
            // Asked for, a partial answer: the hot part, marked partial.
            Instant end = day0.plus(Duration.ofDays(9));
            try (var c = h.query("fault.a").between(day0, end).allowPartial().raw()) {
                long n = 0;
                long first = Long.MAX_VALUE;
                while (c.next()) {
                    first = Math.min(first, c.epochMillis());
                    n++;
                }
                assertTrue(c.isPartial());
                assertTrue(n > 0 && n < SAMPLES, "partial count " + n);
                assertTrue(first >= TierData.T0 + 5 * 86_400_000L, "cold samples in a partial answer");
            }
            try (var c = h.query("fault.a").between(hot, hot.plusSeconds(600)).allowPartial().raw()) {
                while (c.next()) {
                    // read to the end
                }
                assertFalse(c.isPartial(), "a hot-only answer is complete");
            }
            assertThrows(IllegalArgumentException.class,
                    () -> h.query("fault.a").between(day0, end).allowPartial().lttb(100));
            proxy.faults(FaultProxy.Mode.PASS, 0);
            assertEquals(60, h.query("fault.a").between(day0, day0.plusSeconds(600)).toList().size());
        }
    }
}
