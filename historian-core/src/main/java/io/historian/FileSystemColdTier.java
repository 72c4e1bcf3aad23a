package io.historian;

import io.historian.spi.ColdTier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A cold tier in a local directory or a NAS mount: each object is a file under the root, written
 * to a {@code .part} file, synced and moved into place, so a crash never leaves a half object
 * under the real name.
 *
 * <pre>{@code
 * Historian.builder().coldTier(FileSystemColdTier.of(Path.of("/mnt/nas/historian/site-a")))...
 * }</pre>
 *
 * <p>{@link #stat} hashes the file's content rather than trusting a recorded checksum, so a file
 * damaged on the share shows up as a mismatch.
 *
 * <p><b>Thread safety:</b> thread-safe. Two historians must use distinct roots (or distinct
 * sub-directories of one share).
 */
public final class FileSystemColdTier implements ColdTier {
    private static final String PART = ".part";
    private final Path root;

    private FileSystemColdTier(Path root) {
        this.root = root;
    }

    /**
     * A tier rooted at {@code root}, created if missing.
     *
     * @param root the directory that holds the objects; made absolute
     * @return the tier
     * @throws HistorianException if the directory cannot be created
     */
    public static FileSystemColdTier of(Path root) {
        Objects.requireNonNull(root, "root");
        Path r = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(r);
        } catch (IOException e) {
            throw new HistorianException("cannot create the cold-tier directory [dir=" + r + "]: " + e, e);
        }
        return new FileSystemColdTier(r);
    }

    /** {@return the absolute, normalized root directory} */
    public Path root() {
        return root;
    }

    @Override
    public String describe() {
        return "file:" + root + "/";
    }

    private Path resolve(String key) {
        ColdTier.checkKey(key);
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("object key escapes the tier root [key=" + key + ", root=" + root + "]");
        }
        return p;
    }

    @Override
    public void put(String key, byte[] content, String sha256) throws IOException {
        Path target = resolve(key);
        Files.createDirectories(target.getParent());
        Path part = target.resolveSibling(target.getFileName() + PART);
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(target.getParent());
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems (and Windows) cannot open a directory; the rename is then as durable as they make it.
        }
    }

    @Override
    public ObjectInfo stat(String key) throws IOException {
        Path p = resolve(key);
        // Hashed in bounded steps: an object may be far larger than the heap.
        java.security.MessageDigest digest = sha256();
        long size = 0;
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; size += n) {
                digest.update(buf, 0, n);
            }
        } catch (NoSuchFileException e) {
            return null;
        }
        return new ObjectInfo(size, java.util.HexFormat.of().formatHex(digest.digest()));
    }

    @Override
    public byte[] fetch(String key, long expectedSize) throws IOException {
        try (FileChannel ch = FileChannel.open(resolve(key), StandardOpenOption.READ)) {
            // The open file's length, so a replaced file is refused before any of it is read.
            return ColdTier.readExactly(key, expectedSize, ch.size(), Channels.newInputStream(ch));
        }
    }

    @Override
    public void delete(String key) throws IOException {
        Path p = resolve(key);
        Files.deleteIfExists(p);
        Files.deleteIfExists(p.resolveSibling(p.getFileName() + PART));
    }

    @Override
    public List<String> list(String keyPrefix) throws IOException {
        List<String> keys = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return keys;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                String key = root.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
                if (key.startsWith(keyPrefix) && !key.endsWith(PART)) {
                    keys.add(key);
                }
            });
        }
        return keys;
    }

    @Override
    public void close() {
        // Nothing to release.
    }

    @Override
    public String toString() {
        return "FileSystemColdTier[" + root + "]";
    }

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
