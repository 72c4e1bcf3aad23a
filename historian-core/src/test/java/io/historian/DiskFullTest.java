package io.historian;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.historian.internal.engine.Internals;
import io.historian.query.SampleCursor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, on a real small file system: a 64 MiB tmpfs mounted for each test. Writes are
 * refused with a retryable {@link DiskFullException} before the disk is full, accepted again once
 * space is freed (no restart), and every acknowledged sample is there in the session and after a
 * reopen. Mounting needs root; without it the tests are skipped, unless
 * {@code HISTORIAN_REQUIRE_MOUNT=1} (set by CI, which runs as root) makes that a failure.
 */
class DiskFullTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final int TAGS = 4;
    static final int PER_TAG = 5_000;

    @TempDir
    Path tmp;
    Path mount;
    Path data;
    Path ballast;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        mount = tmp.resolve("disk");
        Files.createDirectories(mount);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64m", "historian-disk-full-test",
                mount.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        boolean mounted = p.waitFor() == 0;
        if (!mounted && "1".equals(System.getenv("HISTORIAN_REQUIRE_MOUNT"))) {
            fail("HISTORIAN_REQUIRE_MOUNT=1 but a 64 MiB tmpfs could not be mounted at " + mount + ": " + out);
        }
        Assumptions.assumeTrue(mounted, "the disk-full tests mount a 64 MiB tmpfs, which needs root: " + out.strip());
        data = mount.resolve("data");
        ballast = mount.resolve("ballast");
    }

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor();
        }
    }

    Historian.Builder builder(OverflowPolicy policy, DataSize reserve) {
        return Historian.builder().dataDirectory(data).jmx(false).diskReserve(reserve)
                .journalBudget(DataSize.ofMegabytes(128)).journalOverflow(policy)
                .journalBlockTimeout(Duration.ofMinutes(2));
    }

    static SampleBatch batch(long n) {
        SampleBatch b = new SampleBatch(TAGS * PER_TAG);
        for (int k = 0; k < PER_TAG; k++) {
            for (int t = 0; t < TAGS; t++) {
                b.add("disk.tag" + t, Instant.ofEpochMilli(T0.toEpochMilli() + (n * PER_TAG + k) * 1000L), value(n, t, k));
            }
        }
        return b;
    }

    static double value(long n, int t, int k) {
        long x = (n * PER_TAG + k) * 0x9E3779B97F4A7C15L + t;
        return (x >>> 11) * 0x1.0p-53;
    }

    /** Fills the disk until {@code leave} bytes are free. */
    void fillDisk(long leave) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        try (FileChannel ch = FileChannel.open(ballast, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            long free;
            while ((free = Files.getFileStore(mount).getUsableSpace()) > leave) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), free - leave));
                try {
                    ch.write(chunk);
                } catch (IOException e) {
                    return; // full
                }
            }
        }
    }

    /** The closed directory passes {@code verify}. */
    void assertVerified() {
        VerifyReport report = Historian.builder().dataDirectory(data).verify();
        assertTrue(report.healthy(), report.toString());
    }

    /** Batches 0 to {@code lastAcked} are each there exactly once. */
    static void assertAcknowledged(Historian h, long lastAcked) {
        for (int t = 0; t < TAGS; t++) {
            long n = 0;
            int k = 0;
            try (SampleCursor c = h.query("disk.tag" + t).between(T0, T0.plus(Duration.ofDays(3650))).raw()) {
                while (c.next()) {
                    long expected = T0.toEpochMilli() + (n * PER_TAG + k) * 1000L;
                    if (c.timestamp().toEpochMilli() != expected || c.value() != value(n, t, k)) {
                        fail("sample lost, repeated or wrong at tag " + t + ", batch " + n + ", k " + k + ": found "
                                + c.timestamp());
                    }
                    if (++k == PER_TAG) {
                        k = 0;
                        n++;
                    }
                }
            }
            assertEquals(0, k, "a batch is all or nothing");
            assertEquals(lastAcked + 1, n, "batches of tag " + t);
        }
    }

    @Test
    void reject_refusesBeforeTheDiskIsFull_thenAcceptsOnceSpaceIsFreed_losingNothing() throws Exception {
        long acked = -1;
        try (Historian h = Internals.openPaused(builder(OverflowPolicy.REJECT, DataSize.ofMegabytes(16)))) {
            fillDisk(40L << 20);
            DiskFullException refused = null;
            for (long n = 0; n < 10_000 && refused == null; n++) {
                try {
                    h.write(batch(n));
                    acked = n;
                } catch (DiskFullException e) {
                    refused = e;
                }
            }
            assertNotNull(refused, "a 64 MiB disk cannot take 10,000 batches");
            assertTrue(refused.isRetryable(), refused.toString());
            assertTrue(refused.getMessage().contains("reserve"), refused.getMessage());
            HistorianStats s = h.stats();
            assertNull(s.failure(), "a full disk is not a failure");
            assertNotNull(s.writesRefused());
            assertTrue(s.diskFreeBytes() < 17L << 20, "free " + s.diskFreeBytes() + ", below the reserve and a batch");
            assertTrue(s.rejected(RejectReason.DISK_FULL) >= TAGS * PER_TAG);
            long refusedBatch = acked + 1;
            assertThrows(DiskFullException.class, () -> h.write(batch(refusedBatch)), "still full");

            Files.delete(ballast);
            assertNull(h.stats().writesRefused(), "space is back");
            for (int i = 0; i < 3; i++) {
                h.write(batch(++acked));
            }
            Internals.pauseStoreWriter(h, false);
            assertAcknowledged(h, acked);
        }
        try (Historian h = builder(OverflowPolicy.REJECT, DataSize.ofMegabytes(16)).build()) {
            assertAcknowledged(h, acked);
        }
        assertVerified();
    }

    @Test
    void block_waitsForSpace_andTheWaitingWriteGoesThroughWhenItIsFreed() throws Exception {
        long last;
        try (Historian h = Internals.openPaused(builder(OverflowPolicy.BLOCK, DataSize.ofMegabytes(16)))) {
            fillDisk(40L << 20);
            AtomicBoolean freed = new AtomicBoolean();
            CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> {
                for (long n = 0; n < 10_000; n++) {
                    h.write(batch(n));
                    if (freed.get()) {
                        return n;
                    }
                }
                throw new AssertionError("a 64 MiB disk took 10,000 batches");
            });
            await().atMost(Duration.ofMinutes(1)).until(() -> h.stats().writesRefused() != null);
            assertFalse(writer.isDone(), "the writer waits for space");
            Files.delete(ballast);
            freed.set(true);
            last = writer.get();
            Internals.pauseStoreWriter(h, false);
            assertAcknowledged(h, last);
        }
        try (Historian h = builder(OverflowPolicy.BLOCK, DataSize.ofMegabytes(16)).build()) {
            assertAcknowledged(h, last);
        }
        assertVerified();
    }

    @Test
    void whileTheStoreCommits_refusalsLeaveItRoom_andNothingFails() throws Exception {
        long acked = -1;
        try (Historian h = builder(OverflowPolicy.REJECT, DataSize.ofMegabytes(16)).build()) {
            fillDisk(30L << 20);
            int refusals = 0;
            for (long n = 0; n < 3_000 && refusals < 20; n++) {
                try {
                    h.write(batch(acked + 1));
                    acked++;
                } catch (DiskFullException e) {
                    refusals++;
                    h.flush();
                }
            }
            assertTrue(refusals > 0, "the disk filled up");
            assertNull(h.stats().failure(), "the store committed within the reserve");
            Files.delete(ballast);
            h.write(batch(++acked));
            assertAcknowledged(h, acked);
        }
        try (Historian h = builder(OverflowPolicy.REJECT, DataSize.ofMegabytes(16)).build()) {
            assertAcknowledged(h, acked);
        }
        assertVerified();
    }

    @Test
    void withoutReserve_aDiskFilledToTheLastByte_failsTheWriteCleanly_andLosesNothing() throws Exception {
        long acked = -1;
        try (Historian h = Internals.openPaused(builder(OverflowPolicy.REJECT, DataSize.ofBytes(0)))) {
            h.write(batch(++acked));
            fillDisk(0);
            HistorianException refused = null;
            for (int i = 0; i < 100 && refused == null; i++) {
                try {
                    h.write(batch(acked + 1));
                    acked++;
                } catch (HistorianException e) {
                    refused = e;
                }
            }
            assertNotNull(refused, "a full disk takes no 100 batches");
            assertTrue(refused.isRetryable(), refused.toString());
            Files.delete(ballast);
            for (int i = 0; i < 3; i++) {
                h.write(batch(++acked));
            }
            Internals.pauseStoreWriter(h, false);
            assertAcknowledged(h, acked);
            assertNull(h.stats().failure());
        }
        try (Historian h = builder(OverflowPolicy.REJECT, DataSize.ofBytes(0)).build()) {
            assertAcknowledged(h, acked);
        }
        assertVerified();
    }
}
