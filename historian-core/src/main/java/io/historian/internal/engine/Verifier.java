package io.historian.internal.engine;

import io.historian.HistorianException;
import io.historian.VerifyReport;
import io.historian.internal.codec.ChunkCodec;
import io.historian.internal.codec.CorruptChunkException;
import io.historian.internal.journal.ChronicleJournal;
import io.historian.internal.journal.ChronicleProperties;
import io.historian.internal.journal.CorruptEntryException;
import io.historian.internal.store.CorruptStoreException;
import io.historian.internal.store.RocksChunkStore;
import io.historian.internal.tier.CorruptSegmentException;
import io.historian.internal.tier.Manifest;
import io.historian.internal.tier.SegmentCodec;
import io.historian.internal.tier.Sha256;
import io.historian.spi.ColdTier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

/**
 * The offline check behind {@code Historian.Builder.verify()}: holds the directory's lock for the
 * whole check (so it never runs beside an open historian, and none opens meanwhile), opens the
 * store read-only, reads the journal with a read-only queue, and changes nothing on disk.
 */
final class Verifier {
    private final Path dir;
    private final List<String> checks = new ArrayList<>();
    private final List<String> damage = new ArrayList<>();

    private Verifier(Path dir) {
        this.dir = dir;
    }

    static VerifyReport verify(Path dataDirectory, ColdTier coldTier) {
        Path dir = dataDirectory.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new HistorianException("no data directory to verify [dir=" + dir + "]");
        }
        JvmFlags.check();
        ChronicleProperties.apply();
        DirectoryLock lock;
        try {
            lock = DirectoryLock.acquire(dir);
        } catch (HistorianException e) {
            throw new HistorianException("refusing to verify a data directory that an open historian holds; close it"
                    + " first [dir=" + dir + "]: " + e.getMessage(), e);
        }
        try {
            Verifier v = new Verifier(dir);
            v.run(coldTier);
            return new VerifyReport(v.checks, v.damage);
        } finally {
            lock.close();
        }
    }

    private void run(ColdTier coldTier) {
        Path storeDir = dir.resolve("store");
        Path journalDir = dir.resolve("journal");
        DamageCheck.Loss storeLoss = DamageCheck.inspectStore(storeDir,
                !ChronicleJournal.segmentFiles(journalDir).isEmpty());
        RocksChunkStore store = null;
        if (storeLoss != null) {
            damage.add(storeLoss.describe());
        } else if (Files.isDirectory(storeDir)) {
            try {
                store = new RocksChunkStore(storeDir, true);
            } catch (HistorianException e) {
                damage.add(storeDir + ": cannot be opened: " + e.getMessage());
            }
        }
        try {
            TagRegistry registry = store == null ? null : registry(store);
            if (registry != null) {
                checkStore(store, registry);
            }
            checkJournal(journalDir, store, registry);
            if (coldTier != null && registry != null) {
                checkColdTier(store, registry, coldTier);
            }
        } finally {
            if (store != null) {
                store.close();
            }
        }
    }

    private TagRegistry registry(RocksChunkStore store) {
        try {
            return new TagRegistry(store);
        } catch (HistorianException e) {
            damage.add(store.directory() + ": the tag registry cannot be read: " + e.getMessage());
            return null;
        }
    }

    private void checkStore(RocksChunkStore store, TagRegistry registry) {
        try {
            store.verifyChecksums();
        } catch (CorruptStoreException e) {
            damage.add(e.getMessage());
        }
        ChunkCodec codec = new ChunkCodec();
        long[] ts = new long[0];
        double[] vs = new double[0];
        int[] qs = new int[0];
        long chunks = 0;
        long samples = 0;
        for (int id = 0; id < registry.size(); id++) {
            String tag = registry.definition(id).name();
            try (RocksChunkStore.ChunkIterator it = store.chunks(id, Long.MIN_VALUE, null)) {
                while (it.next()) {
                    byte[] chunk = it.value();
                    chunks++;
                    try {
                        int n = ChunkCodec.readHeader(chunk).count();
                        if (ts.length < n) {
                            ts = new long[n];
                            vs = new double[n];
                            qs = new int[n];
                        }
                        samples += codec.decode(chunk, ts, vs, qs);
                    } catch (CorruptChunkException e) {
                        damage.add("corrupt chunk [tag=" + tag + ", chunkStart=" + Timestamps.describe(it.start())
                                + ", dir=" + store.directory() + "]: " + e.getMessage());
                    }
                }
            } catch (CorruptStoreException e) {
                damage.add("corrupt chunk [tag=" + tag + "]: " + e.getMessage());
            }
        }
        checks.add("store " + store.directory() + ": " + chunks + " chunks, " + samples + " samples of "
                + registry.size() + " tags; every block checksum and chunk CRC read");
    }

    private void checkJournal(Path journalDir, RocksChunkStore store, TagRegistry registry) {
        long[] checkpoint = store == null ? null : store.readCheckpoint();
        TreeMap<Integer, JournalLedger.Segment> ledger = store == null ? new TreeMap<>() : JournalLedger.read(store);
        Set<Integer> damaged = new HashSet<>();
        for (DamageCheck.Loss loss : DamageCheck.checkJournal(journalDir, checkpoint, ledger,
                store == null ? Integer.MAX_VALUE : JournalLedger.coveredFrom(store), true)) {
            damage.add(loss.describe() + (loss.entries() == 0 ? " (nothing lost)" : ""));
            damaged.add(loss.cycle());
        }
        TreeMap<Integer, Path> files = ChronicleJournal.segmentFiles(journalDir);
        for (Map.Entry<Integer, Path> f : files.entrySet()) {
            String incomplete = ChronicleJournal.incompleteHeader(f.getValue());
            if (incomplete != null) {
                // Chronicle would wait on such a header as if a writer were finishing it.
                damage.add(f.getValue() + " " + incomplete + ": a segment a killed writer left half-created; it holds"
                        + " no entry, and the next open sets it aside");
                damaged.add(f.getKey());
            }
        }
        long entries = 0;
        long samples = 0;
        if (!files.isEmpty()) {
            EntryScan scan = new EntryScan();
            int maxTagId = registry == null ? Integer.MAX_VALUE : registry.size();
            try (SingleChronicleQueue queue = DamageCheck.open(journalDir, true)) {
                ExcerptTailer tailer = queue.createTailer();
                for (Map.Entry<Integer, Path> f : files.entrySet()) {
                    if (damaged.contains(f.getKey())) {
                        continue;
                    }
                    try {
                        // Exactly the segment's entries: reading on would enter the next segment, which may be damaged.
                        long inCycle = tailer.excerptsInCycle(f.getKey());
                        if (inCycle <= 0 || !tailer.moveToCycle(f.getKey())) {
                            continue;
                        }
                        long k = 0;
                        for (; k < inCycle && scan.read(tailer); k++) {
                            entries++;
                            try {
                                samples += scan.decode(maxTagId);
                            } catch (CorruptEntryException e) {
                                damage.add(f.getValue() + ": corrupt entry [index=" + Long.toHexString(scan.index())
                                        + "]: " + e.getMessage());
                            }
                        }
                        if (k < inCycle) {
                            damage.add(f.getValue() + ": ends after " + k + " of the " + inCycle + " entries its index"
                                    + " lists");
                        }
                    } catch (RuntimeException | InternalError e) {
                        damage.add(f.getValue() + ": unreadable: " + e);
                    }
                }
            }
        }
        checks.add("journal " + journalDir + ": " + files.size() + " segments, " + entries + " entries, " + samples
                + " samples read" + (checkpoint == null ? "; the store has no checkpoint"
                : "; the store's checkpoint " + Long.toHexString(checkpoint[0]) + " compared with the journal"));
    }

    private void checkColdTier(RocksChunkStore store, TagRegistry registry, ColdTier tier) {
        Manifest manifest = new Manifest(store);
        long segments = 0;
        for (int id = 0; id < registry.size(); id++) {
            String tag = registry.definition(id).name();
            List<Manifest.Stored> stored;
            try {
                stored = manifest.stored(id);
            } catch (HistorianException e) {
                damage.add("manifest [tag=" + tag + "]: " + e.getMessage());
                continue;
            }
            for (Manifest.Stored s : stored) {
                segments++;
                String key = s.entry().getObjectKey();
                try {
                    byte[] content = tier.fetch(key, s.entry().getSize());
                    String expected = java.util.HexFormat.of().formatHex(s.entry().getSha256().toByteArray());
                    String actual = Sha256.hex(content);
                    if (!actual.equals(expected)) {
                        damage.add("cold segment does not match the manifest [object=" + key + ", tier=" + tier.describe()
                                + ", tag=" + tag + ", expectedSha256=" + expected + ", actualSha256=" + actual + "]");
                        continue;
                    }
                    checkSegmentChunks(SegmentCodec.decode(content, tag, key), tag, key);
                } catch (NoSuchFileException e) {
                    damage.add("cold segment missing: the manifest names an object the tier does not have [object=" + key
                            + ", tier=" + tier.describe() + ", tag=" + tag + "]");
                } catch (CorruptSegmentException | HistorianException e) {
                    damage.add(e.getMessage() + " [tier=" + tier.describe() + ", tag=" + tag + "]");
                } catch (IOException e) {
                    damage.add("cold tier unreadable [object=" + key + ", tier=" + tier.describe() + "]: " + e);
                }
            }
        }
        checks.add("cold tier " + tier.describe() + ": " + segments + " segments named by the manifest fetched and"
                + " compared by SHA-256");
    }

    private void checkSegmentChunks(SegmentCodec.Decoded segment, String tag, String key) {
        ChunkCodec codec = new ChunkCodec();
        for (int i = 0; i < segment.chunks().length; i++) {
            try {
                int n = ChunkCodec.readHeader(segment.chunks()[i]).count();
                codec.decode(segment.chunks()[i], new long[n], new double[n], new int[n]);
            } catch (CorruptChunkException e) {
                damage.add("corrupt chunk in a cold segment [object=" + key + ", tag=" + tag + ", chunkStart="
                        + Timestamps.describe(segment.starts()[i]) + "]: " + e.getMessage());
            }
        }
    }
}
