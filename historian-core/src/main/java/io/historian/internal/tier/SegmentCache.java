package io.historian.internal.tier;

import io.historian.ColdTierUnavailableException;
import io.historian.HistorianException;
import io.historian.internal.tier.proto.ManifestEntry;
import io.historian.spi.ColdTier;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

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
    private final ColdTier tier;
    private final Path directory;
    private final long capacity;
    private final LinkedHashMap<String, Long> index = new LinkedHashMap<>(16, 0.75f, true);
    private long used;
    private final AtomicLong fetches = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();

    /** A cache of at most {@code capacityBytes} in {@code directory}; files already there are kept, oldest first out. */
    public SegmentCache(ColdTier tier, Path directory, long capacityBytes) {
        this.tier = tier;
        this.directory = directory;
        this.capacity = capacityBytes;
        try {
            Files.createDirectories(directory);
            List<Path> files = new ArrayList<>();
            try (Stream<Path> s = Files.list(directory)) {
                s.forEach(files::add);
            }
            files.sort((a, b) -> Long.compare(a.toFile().lastModified(), b.toFile().lastModified()));
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.length() == 64 && name.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                    long size = Files.size(f);
                    index.put(name, size);
                    used += size;
                } else {
                    Files.deleteIfExists(f);
                }
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
        byte[] content = readCached(sha);
        if (content == null) {
            fetches.incrementAndGet();
            try {
                content = tier.fetch(key);
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

    private byte[] readCached(String sha) {
        synchronized (this) {
            if (index.get(sha) == null) {
                return null;
            }
        }
        Path f = directory.resolve(sha);
        try {
            byte[] content = Files.readAllBytes(f);
            if (Sha256.hex(content).equals(sha)) {
                f.toFile().setLastModified(System.currentTimeMillis());
                return content;
            }
            // Damaged on disk: drop it and fetch again.
        } catch (IOException e) {
            // Evicted under us or unreadable: fetch again.
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
            Files.write(tmp, content);
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
