package io.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.testing.Reads;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A journal segment that a killed process left half-created is set aside at open: no open,
 * write or close waits on it, and nothing journaled before or after it is lost.
 */
class SegmentRepairTest {
    /** Chronicle waits about a minute on such a header; a whole session takes well under this. */
    static final Duration NO_STALL = Duration.ofSeconds(20);

    /** The states a kill or a crashed file system leaves a new segment file in. */
    enum Damage {
        /** The header word is written as not complete and nothing else: a kill while Chronicle wrote the header. */
        HEADER_NOT_COMPLETE(8, 0x8000_0000),
        /** The same in a file already extended to its first block. */
        HEADER_NOT_COMPLETE_SPARSE(16 << 20, 0x8000_0000),
        /** Zero-filled: created and extended, nothing written. */
        ZERO_FILLED(1 << 20, 0),
        /** Created and never extended. */
        EMPTY(0, 0),
        /** A complete header word whose header runs past the end of the file. */
        CUT_INSIDE_HEADER(64, 0x4000_0000 | 400);

        final int length;
        final int word;

        Damage(int length, int word) {
            this.length = length;
            this.word = word;
        }

        void writeTo(Path file) throws Exception {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                if (length >= 4) {
                    ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, word));
                }
                ch.truncate(length);
                if (length > ch.size()) {
                    ch.write(ByteBuffer.allocate(1), length - 1);
                }
            }
        }
    }

    @TempDir
    Path dir;

    Historian.Builder builder() {
        return Historian.builder().dataDirectory(dir).jmx(false);
    }

    static void writeRange(Historian h, String tag, int from, int to) {
        JournalEdgeCasesTest.writeRange(h, tag, from, to);
    }

    TreeMap<String, Path> journalFiles(String suffix) throws Exception {
        TreeMap<String, Path> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir.resolve("journal"))) {
            s.filter(p -> p.toString().endsWith(suffix)).forEach(p -> m.put(p.getFileName().toString(), p));
        }
        return m;
    }

    /** Creates the file of the segment after the last one, as the next session would. */
    Path nextSegment(int ahead) throws Exception {
        String last = journalFiles(".cq4").lastKey();
        LocalDate day = LocalDate.parse(last.substring(0, 8), DateTimeFormatter.BASIC_ISO_DATE).plusDays(ahead);
        return dir.resolve("journal").resolve(day.format(DateTimeFormatter.BASIC_ISO_DATE) + last.substring(8));
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void halfCreatedLastSegment_isSetAside_withoutStalling(Damage damage) throws Exception {
        try (Historian h = builder().build()) {
            writeRange(h, "a", 0, 100);
        }
        Path damaged = nextSegment(1);
        damage.writeTo(damaged);
        VerifyReport before = builder().verify();
        assertFalse(before.healthy(), "verify reports the half-created segment: " + before);
        assertTrue(before.toString().contains(damaged.getFileName().toString()), before.toString());
        for (int session = 0; session < 2; session++) {
            int from = 100 + session * 100;
            assertTimeoutPreemptively(NO_STALL, () -> {
                try (Historian h = builder().build()) {
                    writeRange(h, "a", from, from + 100);
                    assertEquals(from + 100, Reads.all(h, "a").size());
                }
            }, "session " + session + " after a segment " + damage);
        }
        assertTrue(Files.exists(damaged.resolveSibling(damaged.getFileName() + ".incomplete")),
                "the damaged file is kept, renamed");
        assertTrue(Files.notExists(damaged));
        assertHealthy();
    }

    @ParameterizedTest
    @EnumSource(value = Damage.class, names = {"HEADER_NOT_COMPLETE", "ZERO_FILLED"})
    void halfCreatedSegment_betweenBacklogSegments_losesNothing(Damage damage) throws Exception {
        // A backlog before and after the damaged file: the store writer must replay across it.
        try (Historian h = io.historian.internal.engine.Internals.openPaused(builder())) {
            writeRange(h, "a", 0, 100);
        }
        damage.writeTo(nextSegment(2));
        try (Historian h = io.historian.internal.engine.Internals.openPaused(builder())) {
            writeRange(h, "a", 100, 200);
        }
        assertTimeoutPreemptively(NO_STALL, () -> {
            try (Historian h = builder().build()) {
                assertEquals(200, Reads.all(h, "a").size());
                assertEquals(200, h.stats().replayedSamples());
            }
        });
        assertHealthy();
    }

    static void cut(Path file, long length) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        }
    }

    @Test
    void cutSegment_holdingUncommittedEntries_refusesTheOpen_namingTheFile() throws Exception {
        try (Historian h = io.historian.internal.engine.Internals.openPaused(builder())) {
            for (int b = 0; b < 10; b++) {
                writeRange(h, "a", b * 10_000, b * 10_000 + 10_000);
            }
        }
        Path segment = journalFiles(".cq4").lastEntry().getValue();
        for (long length : new long[] {200_000, 80_000}) {
            cut(segment, length);
            HistorianException e = assertThrows(HistorianException.class, () -> builder().build().close());
            assertTrue(e instanceof DamagedDataException && e.getMessage().contains(segment.toString()),
                    e.getMessage());
            assertTrue(Files.exists(segment), "the file is left as it was for a restore");
            assertFalse(builder().verify().healthy(), "verify reports the cut segment too");
        }
    }

    @Test
    void cutSegment_theStoreHasCommitted_isSetAside_andNothingIsLost() throws Exception {
        try (Historian h = io.historian.internal.engine.Internals.openPaused(builder())) {
            writeRange(h, "a", 0, 10_000);
            io.historian.internal.engine.Internals.journal(h).skipSegments(1);
            writeRange(h, "a", 10_000, 20_000);
        }
        Path first = journalFiles(".cq4").firstEntry().getValue();
        Path copy = dir.resolve("first-segment.copy");
        Files.copy(first, copy);
        try (Historian h = builder().build()) {
            assertEquals(20_000, Reads.all(h, "a").size());
        }
        // As after a crash between the store's commit and the segment's deletion, or a restore
        // from a backup taken then: the committed segment is back, and cut short.
        Files.copy(copy, first, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        cut(first, 100_000);
        assertTimeoutPreemptively(NO_STALL, () -> {
            try (Historian h = builder().build()) {
                assertEquals(20_000, Reads.all(h, "a").size());
                writeRange(h, "a", 20_000, 20_100);
            }
            try (Historian h = builder().build()) {
                assertEquals(20_100, Reads.all(h, "a").size());
            }
        });
        assertTrue(Files.notExists(first), "the cut segment left the journal");
        assertHealthy();
    }

    void assertHealthy() {
        VerifyReport report = builder().verify();
        assertTrue(report.healthy(), report.toString());
    }
}
