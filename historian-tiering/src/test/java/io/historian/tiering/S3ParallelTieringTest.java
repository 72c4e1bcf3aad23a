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
import io.historian.spi.ColdTier;
import io.historian.testing.Reads;
import io.historian.testing.TierData;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments uploaded concurrently to S3 (S3Proxy on 127.0.0.1): all land and read back bit for
 * bit, each with one request; an upload that fails for good among many leaves every sample
 * readable and no chunk deleted without its manifest entry, and the next run completes.
 */
class S3ParallelTieringTest {
    private static final long PERIOD = 10_000;
    private static final long SAMPLES = 8 * 8640;
    private static final int TAG_COUNT = 12;
    /** Six whole days per tag end before the cutoff: more segments than one batch of eight uploads holds (64). */
    private static final int SEGMENTS = TAG_COUNT * 6;
    private static S3ProxyServer s3;

    @TempDir
    Path dir;

    private final List<String> tags = new ArrayList<>();
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(TierData.T0 + 9 * 86_400_000L), ZoneOffset.UTC);

    @BeforeAll
    static void startServer() throws Exception {
        s3 = new S3ProxyServer();
    }

    @AfterAll
    static void stopServer() throws Exception {
        s3.close();
    }

    private Historian open(ColdTier tier, int uploads) {
        for (int i = 0; i < TAG_COUNT; i++) {
            tags.add("parallel.t" + i);
        }
        return Historian.builder().dataDirectory(dir.resolve("data")).jmx(false).clock(clock).coldTier(tier)
                .tiering(TieringPolicy.olderThan(Duration.ofDays(2)).checkEvery(Duration.ZERO)
                        .uploadConcurrency(uploads)).build();
    }

    private void assertEverySample(Historian h) {
        for (int t = 0; t < tags.size(); t++) {
            List<Sample> all = Reads.all(h, tags.get(t));
            assertEquals(SAMPLES, all.size(), tags.get(t));
            for (int k = 0; k < all.size(); k++) {
                assertEquals(TierData.timestamp(t, k, PERIOD), all.get(k).timestamp().toEpochMilli());
                assertEquals(Double.doubleToRawLongBits(TierData.value(t, k)),
                        Double.doubleToRawLongBits(all.get(k).value()));
                assertEquals(TierData.quality(t, k), all.get(k).quality());
            }
        }
    }

    private void assertComplete(Historian h, String prefix) throws Exception {
        try (S3ColdTier tier = s3.tier(prefix)) {
            assertEquals(TierData.manifestKeys(h), TierData.tierKeys(tier), "unreferenced or missing objects");
        }
        assertTrue(new Manifest(Internals.store(h)).intents().isEmpty(), "open intents");
        assertEverySample(h);
    }

    @Test
    void tierNow_manySegmentsConcurrently_allLandAndReadBackIdentically() throws Exception {
        CountingTier tier = new CountingTier(s3.tier("parallel/"), -1);
        try (Historian h = open(tier, 8)) {
            TierData.write(h, tags, SAMPLES, PERIOD);
            TieringReport r = h.tierNow();
            System.out.println("concurrent run: " + r + ", most uploads at once " + tier.mostInFlight.get());
            assertEquals(SEGMENTS, r.segmentsWritten(), r.toString());
            assertEquals(SEGMENTS, TierData.manifestKeys(h).size());
            assertTrue(tier.overlapped, "no two uploads were ever in flight together");
            assertEquals(0, tier.stats.get(), "an upload was verified by a second request");
            assertEquals(SEGMENTS, tier.uploads.get(), "one request per segment");
            assertComplete(h, "parallel/");
        }
    }

    @Test
    void tierNow_oneUploadFailsForGood_noChunkGoesWithoutItsEntry_andTheNextRunCompletes() throws Exception {
        CountingTier tier = new CountingTier(s3.tier("one-fails/"), 10);
        try (Historian h = open(tier, 4)) {
            TierData.write(h, tags, SAMPLES, PERIOD);
            ColdTierUnavailableException e = assertThrows(ColdTierUnavailableException.class, h::tierNow);
            String failed = tier.failingKey;
            System.out.println("failed run: " + e.getMessage());
            assertTrue(e.getMessage().contains(failed), e.getMessage());
            List<String> recorded = TierData.manifestKeys(h).stream().toList();
            assertFalse(recorded.contains(failed), "the failed segment is in the manifest");
            assertFalse(recorded.isEmpty(), "the uploads that succeeded were not recorded");
            assertTrue(new Manifest(Internals.store(h)).intents().contains(failed), "the failed upload's intent is gone");
            // Every chunk still local or in a recorded segment: reads see every sample once.
            assertEverySample(h);

            tier.heal();
            TieringReport r = h.tierNow();
            System.out.println("next run: " + r);
            assertTrue(r.segmentsWritten() + r.segmentsAdopted() > 0, r.toString());
            assertEquals(SEGMENTS, TierData.manifestKeys(h).size());
            assertComplete(h, "one-fails/");
        }
    }

    /**
     * A real S3 tier that counts requests, holds the first upload until a second is in flight
     * (proving concurrency), and can fail every upload of its {@code failAt}-th distinct key.
     */
    private static final class CountingTier implements ColdTier {
        private final S3ColdTier delegate;
        private final int failAt;
        final AtomicInteger uploads = new AtomicInteger();
        final AtomicInteger stats = new AtomicInteger();
        final AtomicInteger mostInFlight = new AtomicInteger();
        private final AtomicInteger inFlight = new AtomicInteger();
        private final CountDownLatch twoInFlight = new CountDownLatch(2);
        private final List<String> keys = new ArrayList<>();
        volatile boolean overlapped;
        volatile String failingKey;
        private volatile boolean healed;

        CountingTier(S3ColdTier delegate, int failAt) {
            this.delegate = delegate;
            this.failAt = failAt;
        }

        void heal() {
            healed = true;
        }

        private void failIfChosen(String key) throws IOException {
            synchronized (keys) {
                if (!keys.contains(key)) {
                    keys.add(key);
                    if (keys.size() == failAt) {
                        failingKey = key;
                    }
                }
            }
            if (!healed && key.equals(failingKey)) {
                throw new IOException("injected upload failure [object=" + key + "]");
            }
        }

        @Override
        public ObjectInfo putAndStat(String key, byte[] content, String sha256) throws IOException {
            failIfChosen(key);
            uploads.incrementAndGet();
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                twoInFlight.countDown();
                if (!overlapped) {
                    try {
                        overlapped = twoInFlight.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                }
                return delegate.putAndStat(key, content, sha256);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public void put(String key, byte[] content, String sha256) throws IOException {
            failIfChosen(key);
            uploads.incrementAndGet();
            delegate.put(key, content, sha256);
        }

        @Override
        public ObjectInfo stat(String key) throws IOException {
            stats.incrementAndGet();
            return delegate.stat(key);
        }

        @Override
        public String describe() {
            return delegate.describe();
        }

        @Override
        public byte[] fetch(String key, long expectedSize) throws IOException {
            return delegate.fetch(key, expectedSize);
        }

        @Override
        public void delete(String key) throws IOException {
            delegate.delete(key);
        }

        @Override
        public List<String> list(String keyPrefix) throws IOException {
            return delegate.list(keyPrefix);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
