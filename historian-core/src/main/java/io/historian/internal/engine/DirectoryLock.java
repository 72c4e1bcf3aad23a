package io.historian.internal.engine;

import io.historian.HistorianException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory, created if needed and held with an exclusive file lock, so that two
 * historians (in one JVM or two) never open the same journal and store.
 */
final class DirectoryLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryLock.class);

    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Creates the directory if needed and locks it; throws a {@link HistorianException} naming it if it cannot. */
    static DirectoryLock acquire(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw new HistorianException("cannot create the data directory [dir=" + dir + "]: " + e, e);
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new HistorianException("data directory is not writable [dir=" + dir + "]");
        }
        Path lockFile = dir.resolve("historian.lock");
        // Through a link, opening the lock would create (or lock) a file wherever the link points.
        if (Files.isSymbolicLink(lockFile)) {
            throw symlinked(dir, lockFile);
        }
        FileChannel channel = null;
        try {
            // NOFOLLOW_LINKS also covers a link put in place between the check above and the open.
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new HistorianException("data directory is in use by another open historian [dir=" + dir
                        + ", lock=" + lockFile + "]");
            }
            return new DirectoryLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            if (Files.isSymbolicLink(lockFile)) {
                throw symlinked(dir, lockFile);
            }
            throw new HistorianException("cannot lock the data directory [dir=" + dir + "]: " + e, e);
        }
    }

    private static HistorianException symlinked(Path dir, Path lockFile) {
        return new HistorianException("the lock file is a symbolic link; refusing to follow it: remove the link"
                + " [dir=" + dir + ", lock=" + lockFile + "]");
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            LOG.debug("cannot release the lock", e);
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException e) {
            LOG.debug("cannot close the lock file", e);
        }
    }
}
