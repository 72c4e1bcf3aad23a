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
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tiering job: moves closed chunks older than the cutoff to the cold tier, one segment per
 * tag and partition, in batches of segments uploaded concurrently.
 *
 * <p><b>Steps.</b> (1) Raise the immutability cutoff F with the drain protocol of
 * {@link Lifecycle}: the write path refuses samples before F, the store writer applies everything
 * accepted earlier, seals the open chunks behind F and commits them with F: from then on no
 * chunk that ends before F changes. (2) Encode each partition's chunks, byte for byte, into a
 * segment, and gather segments into a batch (bounded in count and bytes). The key is
 * deterministic: the partition's, or, when the manifest already lists a segment of that
 * partition, one that adds the first chunk's start, so a segment never overwrites another.
 * (3) Record an upload intent for every segment of the batch in one synced write. (4) Upload the
 * batch's segments concurrently ({@link TieringPolicy#uploadConcurrency}); each upload is
 * verified by {@link ColdTier#putAndStat}. Only a key named by an intent left open by an earlier
 * run can already hold an object of ours, so only such a key is stat'ed first, and its object
 * adopted if its size and SHA-256 match. (5) When every upload of the batch has ended, on the
 * store writer thread, check each segment's local chunks are still exactly the ones exported,
 * then write the manifest entries, clear their intents and delete their chunks in one synced
 * RocksDB batch: the manifest is never behind the delete, and readers of any snapshot see each
 * chunk once (local chunks below a tag's watermark are ignored). A tag's segments are recorded
 * in time order and stop at its first segment not recorded, because an entry for a later
 * partition would move the watermark past chunks still only local. (6) Reclaim the deleted
 * chunks' disk space.
 *
 * <p><b>Recovery.</b> A crash before (5) leaves the chunks local and maybe objects plus their
 * intents: the next run exports the same bytes to the same keys and adopts or replaces the
 * objects. A crash after (5) left nothing to do for that batch. An upload that fails for good
 * fails the run after the batch's other uploads have ended and the verified ones are recorded.
 * Intents still open at the end of a complete run name objects nobody references (their data was
 * not exported again), which are deleted. A network fault is retried with backoff; if it
 * persists the run stops with {@link ColdTierUnavailableException} and the next run resumes.
 *
 * <p><b>Threads:</b> runs on the caller of {@code tierNow()} or on {@code historian-tiering};
 * one run at a time (this object's monitor). Uploads run on {@code historian-tiering-upload-N}
 * threads that live for one run; they touch only their segment and the tier.
 */
final class TieringJob {
    private static final Logger LOG = LoggerFactory.getLogger(TieringJob.class);
    private static final int ATTEMPTS = 4;
    /** Segments in a batch per concurrent upload: enough to keep every upload busy between two synced writes. */
    private static final int SEGMENTS_PER_UPLOAD = 8;
    /** Segment bytes a batch holds in memory (its chunks take as much again). */
    private static final long BATCH_BYTES = 16L << 20;
    /**
     * Test seam: halts the JVM after the named step of the first batch: {@code firstUpload} (one
     * object landed, others may be in flight), {@code upload} (all landed) or {@code manifest}.
     */
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
    private static final AtomicInteger UPLOAD_THREAD_IDS = new AtomicInteger();
    private static final ThreadFactory UPLOAD_THREADS = r -> {
        Thread t = new Thread(r, "historian-tiering-upload-" + UPLOAD_THREAD_IDS.incrementAndGet());
        t.setDaemon(true);
        return t;
    };

    private int written;
    private int adopted;
    private long samples;
    private long bytes;
    private int orphans;
    /** Keys of intents open when the run began: the only keys where an object of ours may already be. */
    private Set<String> mayExist = Set.of();
    /** Tags with a segment not recorded in this run: their later partitions wait for a later run. */
    private final Set<Integer> stalled = new HashSet<>();
    private final List<Segment> batch = new ArrayList<>();
    private long batchBytes;
    private ExecutorService uploads;

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
        mayExist = new HashSet<>(manifest.intents());
        stalled.clear();
        uploads = Executors.newFixedThreadPool(policy.uploadConcurrency(), UPLOAD_THREADS);
        try {
            for (int tagId = 0; cutoff != Long.MIN_VALUE && tagId < registry.size(); tagId++) {
                tierTag(tagId, registry.definition(tagId).name(), cutoff, partition);
            }
            flush();
        } finally {
            batch.clear();
            batchBytes = 0;
            stopUploads();
        }
        deleteOrphans();
        if (written + adopted > 0) {
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

    /** Exports the tag's partitions wholly before the cutoff into the batch. */
    private void tierTag(int tagId, String tag, long cutoff, long partition) {
        List<ManifestEntry> entries = manifest.entries(tagId, null);
        long watermark = Manifest.watermark(entries);
        List<Long> starts = new ArrayList<>();
        List<byte[]> chunks = new ArrayList<>();
        long current = Long.MIN_VALUE;
        boolean complete = true;
        try (RocksChunkStore.ChunkIterator it = store.chunks(tagId, watermark, null)) {
            while (it.next() && !stalled.contains(tagId)) {
                long start = it.start();
                if (start < watermark) {
                    continue;
                }
                long p = Math.floorDiv(start, partition) * partition;
                if (p > cutoff - partition) {
                    break;
                }
                if (p != current && !starts.isEmpty()) {
                    add(segment(tagId, tag, current, partition, starts, chunks, entries));
                    starts = new ArrayList<>();
                    chunks = new ArrayList<>();
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
        if (complete && !starts.isEmpty() && !stalled.contains(tagId)) {
            add(segment(tagId, tag, current, partition, starts, chunks, entries));
        }
    }

    private ChunkHeader header(int tagId, long start, byte[] chunk) {
        try {
            return ChunkCodec.readHeader(chunk);
        } catch (CorruptChunkException e) {
            throw reads.corruptOnRead(tagId, start, e);
        }
    }

    /** One partition's chunks encoded as a segment, and what became of its upload. */
    private static final class Segment {
        final int tagId;
        final List<Long> starts;
        final List<byte[]> chunks;
        final String key;
        final byte[] content;
        final String sha;
        final ManifestEntry entry;
        /** Set by the upload thread; read after its future completed. */
        boolean adopted;

        Segment(int tagId, List<Long> starts, List<byte[]> chunks, String key, byte[] content, String sha,
                ManifestEntry entry) {
            this.tagId = tagId;
            this.starts = starts;
            this.chunks = chunks;
            this.key = key;
            this.content = content;
            this.sha = sha;
            this.entry = entry;
        }
    }

    private Segment segment(int tagId, String tag, long partitionStart, long partition, List<Long> starts,
            List<byte[]> chunks, List<ManifestEntry> entries) {
        byte[] content = SegmentCodec.encode(tag, partitionStart, partitionStart + partition, starts, chunks);
        byte[] digest = Sha256.digest(content);
        boolean partitionHasSegment = entries.stream().anyMatch(e -> e.getPartitionStart() == partitionStart);
        String key = partitionHasSegment ? ObjectKeys.laterSegment(tag, partitionStart, starts.get(0))
                : ObjectKeys.segment(tag, partitionStart);
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
        return new Segment(tagId, starts, chunks, key, content, HexFormat.of().formatHex(digest), entry);
    }

    private void add(Segment segment) {
        batch.add(segment);
        batchBytes += segment.content.length;
        if (batch.size() >= SEGMENTS_PER_UPLOAD * policy.uploadConcurrency() || batchBytes >= BATCH_BYTES) {
            flush();
        }
    }

    /**
     * Records the batch's intents, uploads its segments concurrently, and records those verified.
     * Waits for every upload to end before recording, so that no upload of this run is in flight
     * afterwards; a failed upload is thrown once the others are recorded.
     */
    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        List<Segment> segments = List.copyOf(batch);
        batch.clear();
        batchBytes = 0;
        manifest.recordIntents(segments.stream().map(s -> s.key).toList());
        List<Future<?>> futures = new ArrayList<>(segments.size());
        for (Segment s : segments) {
            futures.add(uploads.submit(() -> upload(s)));
        }
        RuntimeException failure = null;
        List<Segment> uploaded = new ArrayList<>(segments.size());
        for (int i = 0; i < segments.size(); i++) {
            try {
                awaitUninterruptibly(futures.get(i));
                uploaded.add(segments.get(i));
            } catch (ExecutionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException r ? r
                        : new HistorianException("upload failed [object=" + segments.get(i).key + "]", e.getCause());
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            }
        }
        haltIf("upload");
        Set<Segment> done = Set.copyOf(uploaded);
        List<Segment> recordable = new ArrayList<>(uploaded.size());
        Set<Integer> blocked = new HashSet<>(stalled);
        for (Segment s : segments) {
            // Segments of a tag are in time order; one not uploaded blocks the tag's later ones.
            if (!blocked.contains(s.tagId) && done.contains(s)) {
                recordable.add(s);
            } else {
                blocked.add(s.tagId);
            }
        }
        List<Segment> recorded = recordable.isEmpty() ? List.of()
                : storeWriter.call(() -> recordAndDelete(recordable), settings.readWaitTimeout().toMillis());
        haltIf("manifest");
        Set<Segment> recordedSet = Set.copyOf(recorded);
        for (Segment s : segments) {
            if (!recordedSet.contains(s)) {
                stalled.add(s.tagId);
                if (done.contains(s) && failure == null) {
                    // Changed under us; the intent makes the end of the run delete the object, and a later run retries.
                    LOG.info("local chunks changed during export; the partition goes in a later run [tagId={}, object={}]",
                            s.tagId, s.key);
                }
                continue;
            }
            if (s.adopted) {
                adopted++;
            } else {
                written++;
            }
            samples += s.entry.getSamples();
            bytes += s.content.length;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** On an upload thread: adopts the object an interrupted run left at the key, or uploads and verifies. */
    private void upload(Segment s) {
        if (mayExist.contains(s.key)) {
            ColdTier.ObjectInfo existing = retry("stat", s.key, () -> tier.stat(s.key));
            if (matches(s, existing)) {
                s.adopted = true;
                return;
            }
        }
        ColdTier.ObjectInfo check = retry("upload", s.key, () -> tier.putAndStat(s.key, s.content, s.sha));
        haltIf("firstUpload");
        if (!matches(s, check)) {
            throw new HistorianException("upload verification failed: the tier holds something else [object=" + s.key
                    + ", tier=" + tier.describe() + ", tagId=" + s.tagId + ", sha256=" + s.sha + ", size="
                    + s.content.length + ", found=" + check + "]", null, true);
        }
    }

    private static boolean matches(Segment s, ColdTier.ObjectInfo info) {
        return info != null && s.sha.equals(info.sha256()) && info.size() == s.content.length;
    }

    private static void awaitUninterruptibly(Future<?> f) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    f.get();
                    return;
                } catch (InterruptedException e) {
                    // An upload still running must end before its batch is recorded or abandoned.
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void stopUploads() {
        uploads.shutdown();
        boolean interrupted = false;
        try {
            while (!uploads.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.warn("cold tier uploads still running after a minute [tier={}]", tier.describe());
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * On the store writer thread: records the entries and deletes the chunks of the segments whose
     * local chunks are still exactly those exported, in one synced write; returns those segments.
     * A tag's segments after one that changed are left out, so its watermark passes no local chunk.
     */
    private List<Segment> recordAndDelete(List<Segment> segments) {
        List<Segment> recorded = new ArrayList<>(segments.size());
        Set<Integer> changed = new HashSet<>();
        try (WriteBatch wb = new WriteBatch()) {
            for (Segment s : segments) {
                if (changed.contains(s.tagId) || !unchanged(s.tagId, s.starts, s.chunks)) {
                    changed.add(s.tagId);
                    continue;
                }
                manifest.stage(wb, s.tagId, s.entry);
                for (long start : s.starts) {
                    store.deleteChunk(wb, s.tagId, start);
                }
                recorded.add(s);
            }
            if (!recorded.isEmpty()) {
                store.write(wb, true);
            }
        }
        return recorded;
    }

    /** On the store writer thread: whether the tag's local chunks in the range are exactly those exported. */
    private boolean unchanged(int tagId, List<Long> starts, List<byte[]> chunks) {
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
        return i == starts.size();
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
