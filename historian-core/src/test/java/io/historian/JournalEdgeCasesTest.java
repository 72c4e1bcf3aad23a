package io.historian;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.internal.engine.Internals;
import io.historian.testing.Reads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chronicle Queue pitfalls: missing and empty roll cycles, lost queue metadata, a full journal. */
class JournalEdgeCasesTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    Historian.Builder builder() {
        return Historian.builder().dataDirectory(dir).jmx(false);
    }

    static void writeRange(Historian h, String tag, int from, int to) {
        SampleBatch batch = new SampleBatch();
        for (int i = from; i < to; i++) {
            batch.add(tag, T0.plusSeconds(i), i * 0.01);
        }
        h.write(batch);
    }

    @Test
    void replay_crossesMissingRollCycles() {
        try (Historian h = Internals.openPaused(builder())) {
            writeRange(h, "a", 0, 100);
            Internals.journal(h).skipSegments(5);
            writeRange(h, "a", 100, 200);
            Internals.journal(h).skipSegments(1000);
            writeRange(h, "a", 200, 300);
        }
        try (Historian h = builder().build()) {
            assertEquals(300, Reads.all(h, "a").size());
            assertEquals(300, h.stats().replayedSamples());
        }
    }

    @Test
    void restart_acrossEmptySessions_keepsEverything() {
        try (Historian h = builder().build()) {
            writeRange(h, "a", 0, 10);
        }
        for (int i = 0; i < 3; i++) {
            try (Historian h = builder().build()) {
                assertEquals(10, Reads.all(h, "a").size());
            }
        }
        try (Historian h = Internals.openPaused(builder())) {
            writeRange(h, "a", 10, 20);
        }
        for (int i = 0; i < 2; i++) {
            try (Historian h = builder().build()) {
                assertEquals(20, Reads.all(h, "a").size());
            }
        }
    }

    @Test
    void replay_survivesLostQueueMetadata() throws Exception {
        try (Historian h = Internals.openPaused(builder())) {
            writeRange(h, "a", 0, 500);
        }
        try (Stream<Path> files = Files.list(dir.resolve("journal"))) {
            for (Path p : files.filter(p -> p.toString().endsWith(".cq4t")).toList()) {
                Files.delete(p);
            }
        }
        try (Historian h = builder().build()) {
            assertEquals(500, Reads.all(h, "a").size());
        }
    }

    @Test
    void committedSegments_areDeleted_andReplayStartsAtTheCheckpoint() throws Exception {
        try (Historian h = builder().chunkMaxSamples(16).build()) {
            for (int i = 0; i < 5; i++) {
                writeRange(h, "a", i * 100, i * 100 + 100);
                Internals.journal(h).skipSegments(1);
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Internals.journal(h).segmentFiles().size() <= 2);
        }
        try (Historian h = builder().build()) {
            assertEquals(500, Reads.all(h, "a").size());
            assertEquals(0, h.stats().replayedSamples(), "a clean close leaves nothing to replay");
        }
    }

    /**
     * Entries the store writer finds waiting are applied together, but each sample keeps its own
     * entry: the open chunks then pin only the newest segment, and the older ones are deleted.
     */
    @Test
    void committedSegments_areDeleted_whenTheirEntriesWereAppliedTogether() throws Exception {
        try (Historian h = Internals.openPaused(builder().chunkMaxSamples(16))) {
            for (int i = 0; i < 5; i++) {
                writeRange(h, "a", i * 100, i * 100 + 100);
                writeRange(h, "b", i * 100, i * 100 + 7);
                Internals.journal(h).skipSegments(1);
            }
            Internals.pauseStoreWriter(h, false);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Internals.journal(h).segmentFiles().size() <= 2);
        }
        try (Historian h = builder().build()) {
            assertEquals(500, Reads.all(h, "a").size());
            assertEquals(35, Reads.all(h, "b").size());
        }
    }

    /** The budget's count: what is appended, what was on disk at open, less what the store released. */
    @Test
    void journalBytes_growWithAppends_countSegmentsFoundAtOpen_andFallWhenReleased() {
        long beforeClose;
        try (Historian h = Internals.openPaused(builder().chunkMaxSamples(16))) {
            long previous = h.stats().journalBytes();
            for (int i = 0; i < 5; i++) {
                writeRange(h, "a", i * 100, i * 100 + 100);
                long now = h.stats().journalBytes();
                assertTrue(now > previous, "journal bytes after append " + i + ": " + now + ", before " + previous);
                previous = now;
                Internals.journal(h).skipSegments(1);
            }
            beforeClose = previous;
        }
        try (Historian h = Internals.openPaused(builder().chunkMaxSamples(16))) {
            long atOpen = h.stats().journalBytes();
            assertTrue(atOpen >= beforeClose, "counted at open " + atOpen + ", appended before " + beforeClose);
            Internals.pauseStoreWriter(h, false);
            await().atMost(Duration.ofSeconds(30)).until(() -> Internals.journal(h).segmentFiles().size() <= 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> h.stats().journalBytes() < atOpen);
            assertEquals(500, Reads.all(h, "a").size());
        }
    }

    @Test
    void fullJournal_underReject_refusesAtOnce_countsIt_andKeepsEverythingAccepted() {
        try (Historian h = Internals.openPaused(builder().journalBudget(DataSize.ofMegabytes(16))
                .journalOverflow(OverflowPolicy.REJECT))) {
            int accepted = fillUntilFull(h);
            HistorianStats s = h.stats();
            assertTrue(s.journalFullEvents() >= 1);
            assertTrue(s.rejected(RejectReason.JOURNAL_FULL) >= 1);
            assertTrue(s.journalBytes() <= s.journalBudgetBytes());
            Internals.pauseStoreWriter(h, false);
            assertEquals(accepted, Reads.all(h, "a").size());
            // The journal has room again once the store writer has released what it committed.
            await().atMost(Duration.ofSeconds(30)).ignoreException(JournalFullException.class)
                    .untilAsserted(() -> writeRange(h, "a", accepted, accepted + 1000));
            assertEquals(accepted + 1000, Reads.all(h, "a").size());
        }
    }

    @Test
    void fullJournal_underBlock_waitsForTheStore_thenGoesOn() throws Exception {
        int accepted;
        try (Historian h = Internals.openPaused(builder().journalBudget(DataSize.ofMegabytes(16))
                .journalOverflow(OverflowPolicy.BLOCK).journalBlockTimeout(Duration.ofMillis(200)))) {
            accepted = fillUntilFull(h);
            assertTrue(h.stats().journalFullEvents() >= 1);
        }
        try (Historian h = builder().journalBudget(DataSize.ofMegabytes(16)).journalOverflow(OverflowPolicy.BLOCK)
                .journalBlockTimeout(Duration.ofMinutes(2)).build()) {
            assertEquals(accepted, Reads.all(h, "a").size(), "the refused batch left no trace");
            Internals.pauseStoreWriter(h, true);
            long fullBefore = h.stats().journalFullEvents();
            CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> {
                int n = 0;
                for (int round = 0; round < 4000; round++) {
                    writeRange(h, "b", round * 1000, round * 1000 + 1000);
                    n += 1000;
                }
                return n;
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> h.stats().journalFullEvents() > fullBefore);
            assertTrue(!writer.isDone(), "the writer blocks while the store is held back");
            Internals.pauseStoreWriter(h, false);
            int written = writer.get(120, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(written, Reads.all(h, "b").size());
            assertEquals(accepted, Reads.all(h, "a").size());
        }
    }

    /** Writes batches of 10,000 until the journal refuses one; returns the samples accepted. */
    private static int fillUntilFull(Historian h) {
        int accepted = 0;
        for (int round = 0; round < 1_000; round++) {
            try {
                writeRange(h, "a", accepted, accepted + 10_000);
                accepted += 10_000;
            } catch (JournalFullException e) {
                assertTrue(e.isRetryable());
                assertTrue(e.getMessage().contains("journal full"), e.getMessage());
                return accepted;
            }
        }
        throw new AssertionError("the journal never filled up");
    }
}
