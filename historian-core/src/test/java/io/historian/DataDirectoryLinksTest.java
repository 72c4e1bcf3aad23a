package io.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Symbolic links in the data directory, where the historian creates, locks or deletes files: it
 * never follows them, so nothing outside the data directory is created, locked or deleted.
 */
class DataDirectoryLinksTest {
    @TempDir
    Path dir;

    private Historian open(Path data) {
        return Historian.builder().dataDirectory(data).jmx(false).coldTier(FileSystemColdTier.of(dir.resolve("tier")))
                .tiering(TieringPolicy.olderThan(Duration.ofDays(2)).checkEvery(Duration.ZERO)).build();
    }

    @Test
    void symlinkedLockFile_isRefused_andItsTargetIsNeitherCreatedNorTouched() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path lock = data.resolve("historian.lock");
        Path absent = outside.resolve("not-yet");
        Files.createSymbolicLink(lock, absent);

        HistorianException dangling = assertThrows(HistorianException.class, () -> open(data).close());
        assertTrue(dangling.getMessage().contains("symbolic link") && dangling.getMessage().contains(lock.toString()),
                dangling.getMessage());
        assertFalse(Files.exists(absent, LinkOption.NOFOLLOW_LINKS), "the lock created a file outside the data directory");

        Path precious = outside.resolve("precious.txt");
        Files.writeString(precious, "keep me");
        Files.delete(lock);
        Files.createSymbolicLink(lock, precious);
        HistorianException existing = assertThrows(HistorianException.class, () -> open(data).close());
        assertTrue(existing.getMessage().contains("symbolic link"), existing.getMessage());
        assertEquals("keep me", Files.readString(precious));
        assertTrue(Files.isSymbolicLink(lock));
    }

    @Test
    void symlinkedColdCache_isRefused_andNothingOutsideIsDeleted() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("precious.txt"), "keep me");
        Files.writeString(outside.resolve("a".repeat(64)), "named like a cached segment, but not the cache's");
        Path cache = data.resolve("cold-cache");
        Files.createSymbolicLink(cache, outside);

        HistorianException e = assertThrows(HistorianException.class, () -> open(data).close());
        assertTrue(e.getMessage().contains("symbolic link") && e.getMessage().contains(cache.toString()), e.getMessage());
        assertEquals("keep me", Files.readString(outside.resolve("precious.txt")));
        assertTrue(Files.exists(outside.resolve("a".repeat(64))));
        // The refusal released the data directory: without the link, it opens.
        Files.delete(cache);
        open(data).close();
    }

    @Test
    void filesTheCacheDidNotWrite_areLeftAlone_andOnlyItsOwnLeftoversGo() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path precious = Files.writeString(outside.resolve("precious.txt"), "keep me");
        Path cache = Files.createDirectories(data.resolve("cold-cache"));
        Path notes = Files.writeString(cache.resolve("notes.txt"), "an operator's notes");
        Path link = Files.createSymbolicLink(cache.resolve("link"), precious);
        Path segmentNamedLink = Files.createSymbolicLink(cache.resolve("b".repeat(64)), precious);
        Path subdirectory = Files.createDirectories(cache.resolve("sub"));
        Path leftover = Files.writeString(cache.resolve("c".repeat(64) + ".tmp12"), "half a segment");

        open(data).close();

        assertTrue(Files.exists(notes), "an unknown file was deleted");
        assertTrue(Files.isSymbolicLink(link) && Files.isSymbolicLink(segmentNamedLink), "a link was deleted");
        assertTrue(Files.isDirectory(subdirectory));
        assertEquals("keep me", Files.readString(precious));
        assertFalse(Files.exists(leftover), "the cache's own interrupted write was kept");
    }
}
