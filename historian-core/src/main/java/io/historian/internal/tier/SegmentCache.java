package io.historian.internal.tier;

import io.historian.ColdTierUnavailableException;
import io.historian.HistorianException;
import io.historian.internal.tier.proto.ManifestEntry;
import io.historian.spi.ColdTier;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches segments from the cold tier through a bounded local disk cache, least recently used
 * out first. Files are named by the content's SHA-256, so a cached file is checked against its
 * own name on every read and a damaged one is fetched again.
 *
 * <p><b>Threads:</b> thread-safe; the index is guarded by this object's monitor, fetches run
 * outside it (two readers missing the same segment both fetch it; the second write wins, same
 * bytes).
 */
public final class SegmentCache {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentCache.class);
    /** A cached segment: its content's SHA-256. */
    private static final Pattern SEGMENT = Pattern.compile("[0-9a-f]{64}");
    /** A segment being written: {@link #store} moves it into place. */
    private static final Pattern TEMPORARY = Pattern.compile("[0-9a-f]{64}\\.tmp[0-9]+");
    private final ColdTier tier;
    private final Path directory;
    private final long capacity;
    private final LinkedHashMap<String, Long> index = new LinkedHashMap<>(16, 0.75f, true);
    private long used;
    private final AtomicLong fetches = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();

    /**
     * A cache of at most {@code capacityBytes} in {@code directory}; files already there are kept, oldest first out.
     *
     * @throws HistorianException naming the directory if it is a symbolic link or not a directory
     */
    public SegmentCache(ColdTier tier, Path directory, long capacityBytes) {
        this.tier = tier;
        this.directory = directory;
        this.capacity = capacityBytes;
        // The cache deletes files in its directory (evictions, leftovers); through a link it would
        // delete them wherever the link points, outside the data directory.
        if (Files.isSymbolicLink(directory)) {
            throw new HistorianException("the segment cache directory is a symbolic link; refusing to use it: remove"
                    + " the link, the historian creates the directory [dir=" + directory + "]");
        }
        try {
            Files.createDirectories(directory);
            if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                throw new HistorianException("the segment cache directory is not a directory [dir=" + directory + "]");
            }
            List<Path> files = new ArrayList<>();
            try (Stream<Path> s = Files.list(directory)) {
                s.forEach(files::add);
            }
            List<Path> cached = new ArrayList<>();
            List<String> unknown = new ArrayList<>();
            for (Path f : files) {
                String name = f.getFileName().toString();
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                // Only regular files named as this cache names them are its own; anything else
                // (a link, a directory, a file someone put here) is left as it is.
                if (!a.isRegularFile()) {
                    unknown.add(name);
                } else if (SEGMENT.matcher(name).matches()) {
                    cached.add(f);
                } else if (TEMPORARY.matcher(name).matches()) {
                    // A write interrupted by a crash.
                    Files.deleteIfExists(f);
                } else {
                    unknown.add(name);
                }
            }
            if (!unknown.isEmpty()) {
                LOG.warn("files the segment cache did not write are in its directory; left alone [dir={}, files={}]",
                        directory, unknown.size() <= 10 ? unknown : unknown.subList(0, 10) + "...");
            }
            cached.sort((a, b) -> Long.compare(a.toFile().lastModified(), b.toFile().lastModified()));
            for (Path f : cached) {
                long size = Files.size(f);
                index.put(f.getFileName().toString(), size);
                used += size;
            }
            evict();
        } catch (IOException e) {
            throw new HistorianException("cannot open the segment cache [dir=" + directory + "]: " + e, e);
        }
    }

    /** The tier behind this cache. */
    public ColdTier tier() {
        return tier;
    }

    /**
     * A segment's decoded chunks.
     *
     * @throws ColdTierUnavailableException if the tier cannot be reached
     * @throws HistorianException if the object is missing or its content does not match the manifest
     */
    public SegmentCodec.Decoded load(String tag, ManifestEntry entry) {
        String sha = HexFormat.of().formatHex(entry.getSha256().toByteArray());
        String key = entry.getObjectKey();
        byte[] content = readCached(sha, entry.getSize());
        if (content == null) {
            fetches.incrementAndGet();
            try {
                content = tier.fetch(key, entry.getSize());
            } catch (ColdTierUnavailableException e) {
                throw e;
            } catch (HistorianException e) {
                // The tier refused the object (a size other than the manifest's): the object is wrong.
                throw new HistorianException("corrupt cold segment: " + e.getMessage() + " [tier=" + tier.describe()
                        + ", tag=" + tag + "]", e);
            } catch (NoSuchFileException e) {
                throw new HistorianException("cold segment missing: the manifest names an object the tier does not have"
                        + " [object=" + key + ", tier=" + tier.describe() + ", tag=" + tag + "]", e);
            } catch (IOException e) {
                throw new ColdTierUnavailableException("cold tier unavailable while fetching a segment [object=" + key
                        + ", tier=" + tier.describe() + ", tag=" + tag + "]: " + e, e);
            }
            String actual = Sha256.hex(content);
            if (!actual.equals(sha) || content.length != entry.getSize()) {
                throw new HistorianException("corrupt cold segment: checksum mismatch [object=" + key + ", tier="
                        + tier.describe() + ", tag=" + tag + ", expectedSha256=" + sha + ", actualSha256=" + actual
                        + ", expectedSize=" + entry.getSize() + ", actualSize=" + content.length + "]");
            }
            store(sha, content);
        } else {
            hits.incrementAndGet();
        }
        try {
            return SegmentCodec.decode(content, tag, key);
        } catch (CorruptSegmentException e) {
            throw new HistorianException(e.getMessage() + " [tier=" + tier.describe() + ", tag=" + tag + "]", e);
        }
    }

    private byte[] readCached(String sha, long size) {
        synchronized (this) {
            if (index.get(sha) == null) {
                return null;
            }
        }
        Path f = directory.resolve(sha);
        // Never through a link, and never a file of another size than the segment's into memory.
        try (SeekableByteChannel ch = Files.newByteChannel(f, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            if (ch.size() == size) {
                byte[] content = ColdTier.readExactly(sha, size, size, Channels.newInputStream(ch));
                if (Sha256.hex(content).equals(sha)) {
                    f.toFile().setLastModified(System.currentTimeMillis());
                    return content;
                }
            }
            // Damaged on disk: drop it and fetch again.
        } catch (IOException | HistorianException e) {
            // Evicted under us, unreadable or changed while read: fetch again.
        }
        remove(sha);
        return null;
    }

    private void store(String sha, byte[] content) {
        if (content.length > capacity) {
            return;
        }
        Path f = directory.resolve(sha);
        Path tmp = directory.resolve(sha + ".tmp" + Thread.currentThread().getId());
        try {
            // A fresh file, never through a link someone left at the name.
            Files.deleteIfExists(tmp);
            Files.write(tmp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            try {
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // A cache that cannot write only costs a later fetch.
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to do
            }
            return;
        }
        synchronized (this) {
            Long old = index.put(sha, (long) content.length);
            used += content.length - (old == null ? 0 : old);
            evict();
        }
    }

    private synchronized void remove(String sha) {
        Long size = index.remove(sha);
        if (size != null) {
            used -= size;
        }
        try {
            Files.deleteIfExists(directory.resolve(sha));
        } catch (IOException e) {
            // left for the next eviction
        }
    }

    private synchronized void evict() {
        Iterator<Map.Entry<String, Long>> it = index.entrySet().iterator();
        while (used > capacity && it.hasNext()) {
            Map.Entry<String, Long> e = it.next();
            try {
                Files.deleteIfExists(directory.resolve(e.getKey()));
            } catch (IOException ex) {
                continue;
            }
            used -= e.getValue();
            it.remove();
        }
    }

    /** Bytes held in the cache. */
    public synchronized long usedBytes() {
        return used;
    }

    /** Segments fetched from the tier since open. */
    public long fetches() {
        return fetches.get();
    }

    /** Segments served from the cache since open. */
    public long hits() {
        return hits.get();
    }
}
