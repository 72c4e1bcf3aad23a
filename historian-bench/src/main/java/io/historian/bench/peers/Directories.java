package io.historian.bench.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** Sizes and deletes benchmark data directories (the peers' and the historian's). */
public final class Directories {
    private Directories() {
    }

    /**
     * The bytes the files under {@code dir} occupy on disk ({@code du -s -B1}): engines preallocate
     * files sparsely (Chronicle's journal segments, QuestDB's memory-mapped columns), so their
     * apparent sizes overstate what the disk holds. Falls back to {@link #sizeOf} without {@code du}.
     */
    public static long allocatedBytes(Path dir) {
        try {
            Process du = new ProcessBuilder("du", "-s", "-B1", dir.toString()).redirectErrorStream(true).start();
            String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (du.waitFor() == 0) {
                return Long.parseLong(out.trim().split("\\s+")[0]);
            }
        } catch (IOException | NumberFormatException e) {
            // No du here: use the apparent sizes.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return sizeOf(dir);
    }

    /** The apparent bytes of every regular file under {@code dir}. */
    public static long sizeOf(Path dir) {
        AtomicLong total = new AtomicLong();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).forEach(p -> {
                try {
                    total.addAndGet(Files.size(p));
                } catch (NoSuchFileException e) {
                    // Released by a background job while walking: it no longer counts.
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure " + dir, e);
        }
        return total.get();
    }

    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the benchmark data directory " + dir, e);
        }
    }
}
