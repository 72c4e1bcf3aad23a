package io.historian.bench;

import io.historian.DataSize;
import io.historian.Historian;
import io.historian.HistorianStats;
import io.historian.bench.peers.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A historian in a fresh temporary data directory that {@link #close()} closes and then deletes.
 *
 * <pre>{@code
 * try (ScratchHistorian scratch = ScratchHistorian.open(DataSize.ofGigabytes(4))) {
 *     scratch.historian().write(batch);
 * }   // closed, then the directory is gone
 * }</pre>
 *
 * <p>Defaults everywhere except the journal budget: durability {@code PROCESS_CRASH}, overflow
 * {@code BLOCK}, 4,096-sample chunks. The directory is created under {@code java.io.tmpdir}
 * ({@code /tmp} unless the command line says otherwise).
 *
 * <p><b>Thread safety:</b> the historian is thread-safe; {@link #close()} must not race its use.
 */
final class ScratchHistorian implements AutoCloseable {
    private final Path directory;
    private final Historian historian;
    private boolean closed;

    private ScratchHistorian(Path directory, Historian historian) {
        this.directory = directory;
        this.historian = historian;
    }

    /** Opens a historian with default settings and the given journal budget in a new temp directory. */
    static ScratchHistorian open(DataSize journalBudget) {
        return open(journalBudget, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** Opens a historian with default settings and the given journal budget in a new directory under {@code parent}. */
    static ScratchHistorian open(DataSize journalBudget, Path parent) {
        Path dir;
        try {
            Files.createDirectories(parent);
            dir = Files.createTempDirectory(parent, "historian-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp data directory", e);
        }
        try {
            Historian h = Historian.builder().dataDirectory(dir).journalBudget(journalBudget).build();
            return new ScratchHistorian(dir, h);
        } catch (RuntimeException e) {
            deleteRecursively(dir);
            throw e;
        }
    }

    Historian historian() {
        return historian;
    }

    Path directory() {
        return directory;
    }

    /**
     * Waits until the store writer has applied everything journaled so far, then commits every
     * chunk and compacts the store ({@link Historian#compact()}), and returns the counters.
     *
     * @throws IllegalStateException if samples are still pending afterwards
     */
    HistorianStats commitAndCompact(String anyTag) {
        historian.compact();
        HistorianStats stats = historian.stats();
        if (stats.pendingSamples() != 0) {
            throw new IllegalStateException("samples still in memory after compact() [stats=" + stats + "]");
        }
        return stats;
    }

    /** One line on how far the store writer trails the journal, for iteration logs. */
    /**
     * Checks that every sample handed out was journaled and none refused, prints the trial's
     * counters, and closes; the end of every ingest trial.
     */
    void closeCheckingNothingLost(long handedOut) {
        try {
            io.historian.HistorianStats stats = historian.stats();
            if (stats.rejectedSamples() != 0 || stats.journaledSamples() != handedOut) {
                throw new IllegalStateException("samples went missing [handedOut=" + handedOut + ", stats=" + stats + "]");
            }
            System.out.printf("%n[trial] journaled=%,d stored=%,d pending=%,d chunks=%,d journalBytes=%,d fullEvents=%,d%n",
                    stats.journaledSamples(), stats.storedSamples(), stats.pendingSamples(), stats.committedChunks(),
                    stats.journalBytes(), stats.journalFullEvents());
        } finally {
            close();
        }
    }

    String backlog() {
        HistorianStats s = historian.stats();
        long applied = s.storedSamples() + s.pendingSamples() + s.duplicateSamples();
        return String.format(java.util.Locale.ROOT,
                "[backlog] journaled=%,d applied=%,d (stored=%,d, in memory=%,d) not yet applied=%,d journal=%,d B"
                        + " of %,d B, journal-full events=%,d",
                s.journaledSamples(), applied, s.storedSamples(), s.pendingSamples(), s.journaledSamples() - applied,
                s.journalBytes(), s.journalBudgetBytes(), s.journalFullEvents());
    }

    /** Closes the historian (committing open chunks), then deletes the data directory. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            historian.close();
        } finally {
            deleteRecursively(directory);
        }
    }

    /** The bytes of every regular file under {@code dir}. */
    static long sizeOf(Path dir) {
        return Directories.sizeOf(dir);
    }

    static void deleteRecursively(Path dir) {
        Directories.deleteRecursively(dir);
    }
}
