package io.historian.internal.engine;

import com.google.protobuf.ByteString;
import io.historian.ColdTierUnavailableException;
import io.historian.HistorianException;
import io.historian.TieringPolicy;
import io.historian.TieringReport;
import io.historian.internal.codec.ChunkCodec;
import io.historian.internal.codec.ChunkHeader;
import io.historian.internal.codec.CorruptChunkException;
import io.historian.internal.store.RocksChunkStore;
import io.historian.internal.tier.Manifest;
import io.historian.internal.tier.ObjectKeys;
import io.historian.internal.tier.Sha256;
import io.historian.internal.tier.SegmentCodec;
import io.historian.internal.tier.proto.ManifestEntry;
import io.historian.spi.ColdTier;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tiering job: moves closed chunks older than the cutoff to the cold tier, one segment per
 * tag and partition.
 *
 * <p><b>Steps per segment.</b> (1) Raise the immutability cutoff F with the drain protocol of
 * {@link Lifecycle}: the write path refuses samples before F, the store writer applies everything
 * accepted earlier, seals the open chunks behind F and commits them with F: from then on no
 * chunk that ends before F changes. (2) Encode the partition's chunks, byte for byte, into a
 * segment; record an upload intent (synced). The key is deterministic: the partition's, or, when
 * the manifest already lists a segment of that partition, one that adds the first chunk's start,
 * so a segment never overwrites another. (3) Adopt the object already at the key if its size and
 * SHA-256 match, else upload it; stat again and compare. (4) On the store writer thread, check the
 * local chunks are still exactly the ones exported, then write the manifest entry, clear the
 * intent and delete the chunks in one synced RocksDB batch: the manifest is never behind the
 * delete, and readers of any snapshot see each chunk once (local chunks below a tag's watermark
 * are ignored). (5) Reclaim the deleted chunks' disk space.
 *
 * <p><b>Recovery.</b> A crash before (4) leaves the chunks local and maybe an object plus an
 * intent: the next run exports the same bytes to the same key and adopts or replaces the
 * object. A crash after (4) left nothing to do. Intents still open at the end of a complete run
 * name objects nobody references (their data was not exported again), which are deleted. A
 * network fault is retried with backoff; if it persists the run stops with
 * {@link ColdTierUnavailableException} and the next run resumes.
 *
 * <p><b>Threads:</b> runs on the caller of {@code tierNow()} or on {@code historian-tiering};
 * one run at a time (this object's monitor).
 */
final class TieringJob {
    private static final Logger LOG = LoggerFactory.getLogger(TieringJob.class);
    private static final int ATTEMPTS = 4;
    /** Test seam: halts the JVM after the named step ({@code upload} or {@code manifest}). */
    static final String HALT_PROPERTY = "historian.tiering.haltAfter";

    private final Reads reads;
    private final Horizons horizons;
    private final java.util.function.LongConsumer raiseCutoff;
    private final Settings settings;
    private final RocksChunkStore store;
    private final TagRegistry registry;
    private final StoreWriter storeWriter;
    private final Manifest manifest;
    private final ColdTier tier;
    private final TieringPolicy policy;
    private final String halt = System.getProperty(HALT_PROPERTY);

    private int written;
    private int adopted;
    private long samples;
    private long bytes;
    private int orphans;

    TieringJob(Settings settings, RocksChunkStore store, TagRegistry registry, StoreWriter storeWriter,
            Manifest manifest, Reads reads, Horizons horizons, java.util.function.LongConsumer raiseCutoff) {
        this.reads = reads;
        this.horizons = horizons;
        this.raiseCutoff = raiseCutoff;
        this.settings = settings;
        this.store = store;
        this.registry = registry;
        this.storeWriter = storeWriter;
        this.manifest = manifest;
        this.tier = settings.coldTier();
        this.policy = settings.tiering();
    }

    synchronized TieringReport run() {
        written = 0;
        adopted = 0;
        samples = 0;
        bytes = 0;
        orphans = 0;
        long partition = policy.partition().toMillis();
        if (policy.keepLocalUnder() != null) {
            // The size policy measures committed chunks, so commit what was written so far first.
            reads.awaitApplied();
            storeWriter.call(() -> {
                storeWriter.commit();
                return null;
            }, settings.readWaitTimeout().toMillis());
        }
        long cutoff = Math.max(horizons.tieringCutoff(), cutoffFor(settings.clock().millis(), partition));
        // Samples accepted before the cutoff rose are committed by the drain before anything is exported.
        raiseCutoff.accept(cutoff);
        int tiered = 0;
        for (int tagId = 0; cutoff != Long.MIN_VALUE && tagId < registry.size(); tagId++) {
            tiered += tierTag(tagId, registry.definition(tagId).name(), cutoff, partition);
        }
        deleteOrphans();
        if (tiered > 0) {
            store.reclaim(0, registry.size() - 1, cutoff);
        }
        TieringReport report = new TieringReport(written, adopted, samples, bytes, orphans,
                cutoff == Long.MIN_VALUE ? null : Instant.ofEpochMilli(cutoff));
        if (written + adopted + orphans > 0) {
            LOG.info("tiering run done [tier={}, {}]", tier.describe(), report);
        }
        return report;
    }

    /** Deletes the objects of intents left open: uploads a crash orphaned, segments retention expired. */
    private void deleteOrphans() {
        for (String key : manifest.intents()) {
            retry("delete", key, () -> {
                tier.delete(key);
                return null;
            });
            manifest.clearIntent(key);
            orphans++;
        }
    }

    /**
     * Removes the segments that lie wholly before {@code horizon}: their manifest entries first
     * (with an intent for each object, in one synced write), then the objects. Returns how many.
     */
    synchronized long expire(long horizon) {
        long expired = 0;
        for (int tagId = 0; tagId < registry.size(); tagId++) {
            List<Manifest.Stored> old = new ArrayList<>();
            for (Manifest.Stored s : manifest.stored(tagId)) {
                if (s.entry().getLastTimestamp() >= horizon) {
                    break;
                }
                old.add(s);
            }
            if (!old.isEmpty()) {
                manifest.expire(old);
                expired += old.size();
            }
        }
        if (expired > 0) {
            deleteOrphans();
        }
        return expired;
    }

    /** The cutoff the policy asks for now, aligned down to a partition boundary. */
    private long cutoffFor(long now, long partition) {
        long cutoff = Long.MIN_VALUE;
        if (policy.olderThan() != null) {
            cutoff = Math.floorDiv(now - policy.olderThan().toMillis(), partition) * partition;
        }
        if (policy.keepLocalUnder() != null) {
            cutoff = Math.max(cutoff, sizeCutoff(partition));
        }
        // Never past the start of the clock's partition: live writes must stay ahead of the cutoff.
        return Math.min(cutoff, Math.floorDiv(now, partition) * partition);
    }

    /** The partition end up to which the oldest data must go for local chunks to fit the size limit. */
    private long sizeCutoff(long partition) {
        TreeMap<Long, Long> bytesByPartition = new TreeMap<>();
        long total = 0;
        for (int tagId = 0; tagId < registry.size(); tagId++) {
            long watermark = Manifest.watermark(manifest.entries(tagId, null));
            try (RocksChunkStore.ChunkIterator it = store.chunks(tagId, watermark, null)) {
                while (it.next()) {
                    if (it.start() >= watermark) {
                        long p = Math.floorDiv(it.start(), partition) * partition;
                        int size = it.value().length;
                        bytesByPartition.merge(p, (long) size, Long::sum);
                        total += size;
                    }
                }
            }
        }
        long limit = policy.keepLocalUnder().bytes();
        long cutoff = Long.MIN_VALUE;
        for (var e : bytesByPartition.entrySet()) {
            if (total <= limit) {
                break;
            }
            total -= e.getValue();
            cutoff = e.getKey() + partition;
        }
        return cutoff;
    }

    /** Exports the tag's partitions wholly before the cutoff; returns how many. */
    private int tierTag(int tagId, String tag, long cutoff, long partition) {
        List<ManifestEntry> entries = manifest.entries(tagId, null);
        long watermark = Manifest.watermark(entries);
        int exported = 0;
        List<Long> starts = new ArrayList<>();
        List<byte[]> chunks = new ArrayList<>();
        long current = Long.MIN_VALUE;
        boolean complete = true;
        try (RocksChunkStore.ChunkIterator it = store.chunks(tagId, watermark, null)) {
            while (it.next()) {
                long start = it.start();
                if (start < watermark) {
                    continue;
                }
                long p = Math.floorDiv(start, partition) * partition;
                if (p > cutoff - partition) {
                    break;
                }
                if (p != current && !starts.isEmpty()) {
                    exported += export(tagId, tag, current, partition, starts, chunks, entries);
                    starts.clear();
                    chunks.clear();
                }
                current = p;
                byte[] chunk = it.value();
                if (header(tagId, start, chunk).lastTimestamp() >= cutoff) {
                    // The partition still has samples after the cutoff: it goes in a later run.
                    complete = false;
                    break;
                }
                starts.add(start);
                chunks.add(chunk);
            }
        }
        if (complete && !starts.isEmpty()) {
            exported += export(tagId, tag, current, partition, starts, chunks, entries);
        }
        return exported;
    }

    private ChunkHeader header(int tagId, long start, byte[] chunk) {
        try {
            return ChunkCodec.readHeader(chunk);
        } catch (CorruptChunkException e) {
            throw reads.corruptOnRead(tagId, start, e);
        }
    }

    /** Exports one partition's chunks as a segment; returns 1 when it was recorded, 0 when a later run must retry. */
    private int export(int tagId, String tag, long partitionStart, long partition, List<Long> starts,
            List<byte[]> chunks, List<ManifestEntry> entries) {
        byte[] content = SegmentCodec.encode(tag, partitionStart, partitionStart + partition, starts, chunks);
        byte[] digest = Sha256.digest(content);
        String sha = HexFormat.of().formatHex(digest);
        boolean partitionHasSegment = entries.stream().anyMatch(e -> e.getPartitionStart() == partitionStart);
        String key = partitionHasSegment ? ObjectKeys.laterSegment(tag, partitionStart, starts.get(0))
                : ObjectKeys.segment(tag, partitionStart);
        manifest.recordIntent(key);
        ColdTier.ObjectInfo existing = retry("stat", key, () -> tier.stat(key));
        boolean adopt = existing != null && sha.equals(existing.sha256()) && existing.size() == content.length;
        if (!adopt) {
            retry("upload", key, () -> {
                tier.put(key, content, sha);
                return null;
            });
        }
        ColdTier.ObjectInfo check = retry("stat", key, () -> tier.stat(key));
        if (check == null || !sha.equals(check.sha256()) || check.size() != content.length) {
            throw new HistorianException("upload verification failed: the tier holds something else [object=" + key
                    + ", tier=" + tier.describe() + ", tag=" + tag + ", sha256=" + sha + ", size=" + content.length
                    + ", found=" + check + "]", null, true);
        }
        haltIf("upload");
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long count = 0;
        for (int i = 0; i < chunks.size(); i++) {
            ChunkHeader h = header(tagId, starts.get(i), chunks.get(i));
            first = Math.min(first, h.firstTimestamp());
            last = Math.max(last, h.lastTimestamp());
            count += h.count();
        }
        ManifestEntry entry = ManifestEntry.newBuilder().setObjectKey(key).setSha256(ByteString.copyFrom(digest))
                .setSize(content.length).setPartitionStart(partitionStart).setPartitionEnd(partitionStart + partition)
                .setFirstChunkStart(starts.get(0)).setLastChunkStart(starts.get(starts.size() - 1))
                .setFirstTimestamp(first).setLastTimestamp(last).setSamples(count).setChunks(chunks.size()).build();
        boolean recorded = storeWriter.call(() -> recordAndDelete(tagId, entry, starts, chunks),
                settings.readWaitTimeout().toMillis());
        if (!recorded) {
            // Changed under us; the intent makes the end of the run delete the object, and a later run retries.
            LOG.info("local chunks changed during export; the partition goes in a later run [tag={}, object={}]", tag, key);
            return 0;
        }
        haltIf("manifest");
        if (adopt) {
            adopted++;
        } else {
            written++;
        }
        samples += count;
        bytes += content.length;
        return 1;
    }

    /** On the store writer thread: records the entry and deletes the chunks if they are still exactly those exported. */
    private boolean recordAndDelete(int tagId, ManifestEntry entry, List<Long> starts, List<byte[]> chunks) {
        TagState st = storeWriter.peek(tagId);
        long first = starts.get(0);
        long last = starts.get(starts.size() - 1);
        if (st != null && (!st.pending.subMap(Long.MIN_VALUE, true, last, true).isEmpty()
                || st.hiddenKeys.stream().anyMatch(k -> k <= last))) {
            return false;
        }
        int i = 0;
        try (RocksChunkStore.ChunkIterator it = store.chunks(tagId, first, null)) {
            while (it.next() && it.start() <= last) {
                if (it.start() < first) {
                    continue;
                }
                if (i >= starts.size() || it.start() != starts.get(i) || !Arrays.equals(it.value(), chunks.get(i))) {
                    return false;
                }
                i++;
            }
        }
        if (i != starts.size()) {
            return false;
        }
        try (WriteBatch batch = new WriteBatch()) {
            manifest.stage(batch, tagId, entry);
            for (long s : starts) {
                store.deleteChunk(batch, tagId, s);
            }
            store.write(batch, true);
        }
        return true;
    }

    private void haltIf(String step) {
        if (step.equals(halt)) {
            Runtime.getRuntime().halt(77);
        }
    }

    @FunctionalInterface
    private interface TierCall<T> {
        T call() throws IOException;
    }

    private <T> T retry(String what, String key, TierCall<T> call) {
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            if (attempt > 0) {
                LockSupport.parkNanos((50L << attempt) * 1_000_000L);
            }
            try {
                return call.call();
            } catch (IOException e) {
                last = e;
                LOG.debug("cold tier {} failed [object={}, attempt={}]: {}", what, key, attempt + 1, e.toString());
            }
        }
        throw new ColdTierUnavailableException("cold tier unavailable: " + what + " failed after " + ATTEMPTS
                + " attempts [object=" + key + ", tier=" + tier.describe() + "]: " + last, last);
    }
}
