package io.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.internal.engine.Internals;
import io.historian.testing.ChildJvm;
import io.historian.testing.CrashWriter;
import io.historian.testing.MutableClock;
import io.historian.testing.Reads;
import io.historian.testing.TierData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults around the journal and the store, each on a directory written through the public API
 * and closed: the open refuses with a {@link DamagedDataException} naming the file, a
 * {@link Recovery#SALVAGE} open keeps what is left and reports what it lost, and
 * {@link Historian.Builder#verify()} reports the damage (and a healthy directory as healthy).
 */
class FaultSuiteTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** Entries (write calls) per session; each holds 100 samples of each of the two tags. */
    static final int ENTRIES = 50;
    static final int PER_ENTRY = 100;
    static final long SESSION_SAMPLES = 2L * ENTRIES * PER_ENTRY;

    @TempDir
    Path dir;

    Historian.Builder builder() {
        return Historian.builder().dataDirectory(dir).jmx(false);
    }

    static void writeSession(Historian h, int session) {
        for (int e = 0; e < ENTRIES; e++) {
            SampleBatch batch = new SampleBatch();
            for (int i = 0; i < PER_ENTRY; i++) {
                long k = ((long) session * ENTRIES + e) * PER_ENTRY + i;
                batch.add("a", T0.plusSeconds(k), k * 0.01);
                batch.add("b", T0.plusSeconds(k), -k * 0.01);
            }
            h.write(batch);
        }
    }

    /** One session committed to the store and closed cleanly. */
    void prepareClean() {
        try (Historian h = builder().build()) {
            writeSession(h, 0);
        }
    }

    /** A committed session, then one journaled but never committed to the store: the backlog. */
    void prepareBacklog() {
        prepareClean();
        try (Historian h = Internals.openPaused(builder())) {
            writeSession(h, 1);
            assertEquals(0, h.stats().storedSamples(), "the store writer was held back");
        }
    }

    Path lastSegment() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("journal"))) {
            return files.filter(p -> p.toString().endsWith(".cq4")).max(Comparator.naturalOrder()).orElseThrow();
        }
    }

    static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    DamagedDataException refused(Path expectedFile) {
        DamagedDataException e = assertThrows(DamagedDataException.class, () -> builder().build().close());
        System.out.println("refused: " + e.getMessage());
        assertEquals(expectedFile.toAbsolutePath().normalize(), e.file().toAbsolutePath().normalize());
        assertTrue(e.getMessage().contains(expectedFile.getFileName().toString()), e.getMessage());
        assertFalse(e.isRetryable());
        return e;
    }

    VerifyReport verifyDamaged(String mustMention) {
        VerifyReport report = builder().verify();
        System.out.println(report);
        assertFalse(report.healthy(), report.toString());
        assertTrue(report.damage().stream().anyMatch(d -> d.contains(mustMention)), report.toString());
        return report;
    }

    /** Truncates the newest journal segment into its index and checks that verify names it. */
    Path truncateLastSegment() throws IOException {
        Path segment = lastSegment();
        truncate(segment, 4000);
        verifyDamaged(segment.getFileName().toString());
        return segment;
    }

    /** Deletes the journal, checks that verify and a strict open name its newest segment; returns that segment. */
    Path deleteJournal() throws IOException {
        Path segment = lastSegment();
        deleteTree(dir.resolve("journal"));
        verifyDamaged(segment.getFileName().toString());
        refused(segment);
        return segment;
    }

    @Test
    void truncatedSegment_onACleanDirectory_isSetAsideWithNothingLost() throws Exception {
        prepareClean();
        Path segment = truncateLastSegment();
        try (Historian h = builder().build()) {
            assertEquals(ENTRIES * PER_ENTRY, Reads.all(h, "a").size());
            assertEquals(0, h.stats().unrecoveredSamples());
        }
        assertTrue(Files.exists(segment.resolveSibling(segment.getFileName() + ".damaged")));
        assertTrue(builder().verify().healthy());
    }

    @Test
    void truncatedSegment_withABacklog_isRefused_andSalvageCountsTheLoss() throws Exception {
        prepareBacklog();
        Path segment = truncateLastSegment();
        refused(segment);
        try (Historian h = builder().recovery(Recovery.SALVAGE).build()) {
            HistorianStats s = h.stats();
            assertEquals(ENTRIES, s.unrecoveredEntries());
            assertEquals(SESSION_SAMPLES, s.unrecoveredSamples());
            assertTrue(s.recovery().contains(segment.getFileName().toString()), s.recovery());
            assertEquals(ENTRIES * PER_ENTRY, Reads.all(h, "a").size(), "the committed session is kept");
        }
        try (Historian h = builder().build()) {
            assertNull(h.stats().recovery(), "a salvaged directory opens cleanly afterwards");
        }
        assertTrue(builder().verify().healthy());
    }

    @Test
    void deletedJournal_withABacklog_isRefused_andSalvageCountsTheLoss() throws Exception {
        prepareBacklog();
        Path segment = deleteJournal();
        try (Historian h = builder().recovery(Recovery.SALVAGE).build()) {
            HistorianStats s = h.stats();
            assertEquals(ENTRIES, s.unrecoveredEntries());
            assertEquals(SESSION_SAMPLES, s.unrecoveredSamples());
            assertEquals(ENTRIES * PER_ENTRY, Reads.all(h, "b").size());
        }
        assertTrue(builder().verify().healthy());
    }

    @Test
    void deletedJournal_afterAKilledWriter_isRefused_andSalvageSaysTheCountIsALowerBound() throws Exception {
        Path log = dir.resolveSibling(dir.getFileName() + "-writer.log");
        Process child = ChildJvm.start(CrashWriter.class, "256m", log, dir.toString(), "0");
        long lastAck;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("ACK 40")) {
                // the writer goes on until it is killed
            }
            assertEquals("ACK 40", line, "the writer died on its own; see " + log);
            // SIGKILL through the handle, which leaves the pipe open (Process.destroyForcibly closes
            // it): the writer may have acknowledged more batches between its "ACK 40" and the kill,
            // and its last lines are read to the end of the pipe.
            child.toHandle().destroyForcibly();
            lastAck = 40;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    lastAck = Long.parseLong(line.substring(4));
                }
            }
        } finally {
            child.destroyForcibly();
            child.waitFor();
            Files.deleteIfExists(log);
        }
        Path segment = deleteJournal();
        try (Historian h = builder().recovery(Recovery.SALVAGE).build()) {
            HistorianStats s = h.stats();
            assertTrue(s.recovery().contains(segment.getFileName().toString()), s.recovery());
            assertTrue(s.recovery().contains("lower bounds"), "the killed segment's end is unknown: " + s.recovery());
            // Batches 0 to lastAck were acknowledged; the one being written when killed may have
            // reached the store as well, and nothing after it can have.
            int kept = Reads.all(h, CrashWriter.tag(0)).size();
            assertTrue(kept <= (lastAck + 2) * CrashWriter.PER_TAG, kept + " samples kept, last acknowledged batch "
                    + lastAck);
        }
        assertTrue(builder().verify().healthy());
    }

    @Test
    void deletedStore_withTheJournalKept_isRefused_andSalvageReplaysTheJournal() throws Exception {
        prepareBacklog();
        Path store = dir.resolve("store");
        deleteTree(store);
        verifyDamaged("store is missing");
        refused(store);
        try (Historian h = builder().recovery(Recovery.SALVAGE).build()) {
            HistorianStats s = h.stats();
            assertNotNull(s.recovery());
            assertTrue(s.recovery().contains("recovered.tag0"), s.recovery());
            // The checkpoint kept the first session's segment, so both sessions come back, under placeholder names.
            assertEquals(2 * ENTRIES * PER_ENTRY, Reads.all(h, "recovered.tag0").size());
            assertEquals(2 * ENTRIES * PER_ENTRY, Reads.all(h, "recovered.tag1").size());
            assertEquals(2 * SESSION_SAMPLES, s.replayedSamples());
        }
        assertTrue(builder().verify().healthy());
    }

    @Test
    void missingStoreTableFile_isRefusedNamingIt_andSalvageRebuildsTheStoreFromTheJournal() throws Exception {
        try (Historian h = builder().build()) {
            writeSession(h, 0);
            h.compact();
        }
        Path sst = largestTableFile();
        Files.delete(sst);
        verifyDamaged(sst.getFileName().toString());
        refused(sst);
        try (Historian h = builder().recovery(Recovery.SALVAGE).build()) {
            HistorianStats s = h.stats();
            assertTrue(s.recovery().contains("store.damaged-"), s.recovery());
            // The session's segment holds the store's checkpoint, so the journal still has all of it.
            assertEquals(ENTRIES * PER_ENTRY, Reads.all(h, "recovered.tag0").size());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("store.damaged-")),
                    "the damaged store is kept aside");
        }
        assertTrue(builder().verify().healthy());
    }

    @Test
    void missingStoreCurrentFile_isRefused_andSalvageRewritesIt() throws Exception {
        prepareBacklog();
        Path current = dir.resolve("store").resolve("CURRENT");
        Files.delete(current);
        verifyDamaged("CURRENT");
        refused(current);
        assertFalse(Files.exists(current), "a refused open leaves the store as it found it");
        try (Historian h = builder().recovery(Recovery.SALVAGE).build()) {
            HistorianStats s = h.stats();
            assertTrue(s.recovery().contains("CURRENT"), s.recovery());
            assertEquals(0, s.unrecoveredSamples());
            assertEquals(2 * ENTRIES * PER_ENTRY, Reads.all(h, "a").size());
        }
        assertTrue(builder().verify().healthy());
    }

    @Test
    void flippedByteInAStoreFile_isCountedAsCorrupt_andNamedWithFileAndTag() throws Exception {
        try (Historian h = builder().chunkMaxSamples(256).build()) {
            writeSession(h, 0);
            writeSession(h, 1);
            h.compact();
        }
        Path sst = largestTableFile();
        try (FileChannel ch = FileChannel.open(sst, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            long at = ch.size() / 4;
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
            ch.write(b, at);
        }
        verifyDamaged(sst.getFileName().toString());
        try (Historian h = builder().build()) {
            HistorianException e = assertThrows(HistorianException.class, () -> Reads.all(h, "a"));
            System.out.println("read failed: " + e.getMessage());
            assertTrue(e.getMessage().contains(sst.getFileName().toString()), e.getMessage());
            assertTrue(e.getMessage().contains("tag=a"), e.getMessage());
            assertTrue(h.stats().corruptChunks() > 0);
        }
    }

    @Test
    void verify_reportsAHealthyDirectoryAsHealthy_andRefusesAnOpenOne() throws Exception {
        prepareBacklog();
        VerifyReport report = builder().verify();
        System.out.println(report);
        assertTrue(report.healthy(), report.toString());
        assertTrue(report.checks().stream().anyMatch(c -> c.contains(SESSION_SAMPLES + " samples")), report.toString());
        try (Historian h = builder().build()) {
            HistorianException e = assertThrows(HistorianException.class, () -> builder().verify());
            assertTrue(e.getMessage().contains("open historian"), e.getMessage());
            assertEquals(2 * ENTRIES * PER_ENTRY, Reads.all(h, "a").size(), "the check left the open historian alone");
        }
    }

    @Test
    void verify_checksEveryColdSegmentTheManifestNames() throws Exception {
        Path data = dir.resolve("data");
        Path tierDir = dir.resolve("tier");
        MutableClock clock = new MutableClock(Instant.ofEpochMilli(TierData.T0 + 9 * 86_400_000L));
        try (Historian h = Historian.builder().dataDirectory(data).jmx(false).clock(clock)
                .coldTier(FileSystemColdTier.of(tierDir))
                .tiering(TieringPolicy.olderThan(Duration.ofDays(2)).checkEvery(Duration.ZERO)).build()) {
            TierData.write(h, List.of("a", "b"), 4 * 8640, 10_000);
            assertTrue(h.tierNow().segmentsWritten() >= 4);
        }
        Historian.Builder verify = Historian.builder().dataDirectory(data).coldTier(FileSystemColdTier.of(tierDir));
        VerifyReport healthy = verify.verify();
        System.out.println(healthy);
        assertTrue(healthy.healthy(), healthy.toString());
        assertTrue(healthy.checks().stream().anyMatch(c -> c.startsWith("cold tier")), healthy.toString());

        List<Path> objects;
        try (Stream<Path> files = Files.walk(tierDir)) {
            objects = files.filter(Files::isRegularFile).sorted().toList();
        }
        Path flipped = objects.get(0);
        byte[] content = Files.readAllBytes(flipped);
        content[content.length / 2] ^= 0x01;
        Files.write(flipped, content);
        Path deleted = objects.get(1);
        Files.delete(deleted);
        VerifyReport damaged = verify.verify();
        System.out.println(damaged);
        assertEquals(2, damaged.damage().size(), damaged.toString());
        assertTrue(damaged.damage().stream().anyMatch(d -> d.contains("does not match the manifest")
                && d.contains(flipped.getFileName().toString())), damaged.toString());
        assertTrue(damaged.damage().stream().anyMatch(d -> d.contains("cold segment missing")
                && d.contains(deleted.getFileName().toString())), damaged.toString());
    }

    @Test
    void verifyCommandLine_exitsZeroWhenHealthy_andNonZeroOnDamage() throws Exception {
        prepareBacklog();
        assertEquals(0, runVerify(), "healthy");
        truncate(lastSegment(), 4000);
        assertEquals(1, runVerify(), "damaged");
    }

    int runVerify() throws Exception {
        Path log = dir.resolveSibling(dir.getFileName() + "-verify.log");
        try {
            Process child = ChildJvm.start(Verify.class, "256m", log, dir.toString());
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(child.waitFor(2, TimeUnit.MINUTES));
            System.out.println("Verify printed:\n" + out);
            return child.exitValue();
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The store's largest table file: the one holding the chunks. */
    Path largestTableFile() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("store"))) {
            return files.filter(p -> p.toString().endsWith(".sst")).max(Comparator.comparingLong(FaultSuiteTest::size))
                    .orElseThrow();
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
