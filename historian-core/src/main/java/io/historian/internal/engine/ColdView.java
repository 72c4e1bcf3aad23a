package io.historian.internal.engine;

import io.historian.internal.tier.Manifest;
import io.historian.internal.tier.SegmentCache;
import io.historian.internal.tier.SegmentCodec;
import io.historian.internal.tier.proto.ManifestEntry;
import java.util.List;

/**
 * One tag's tiered segments as a read view's snapshot of the manifest lists them. Segments are
 * fetched (through the cache) only when a walk reaches them; the last one decoded is kept.
 *
 * <p><b>Threads:</b> used by the view's reader thread.
 */
final class ColdView {
    final String tag;
    final List<ManifestEntry> entries;
    final long watermark;
    /** The newest tiered sample's time, or Long.MIN_VALUE without segments. */
    final long lastTimestamp;
    private final SegmentCache cache;
    private int memoIndex = -1;
    private SegmentCodec.Decoded memo;
    /** Skip segments the tier cannot deliver (instead of failing), and remember that some were. */
    boolean allowPartial;
    boolean skipped;
    private static final SegmentCodec.Decoded EMPTY = new SegmentCodec.Decoded(new long[0], new byte[0][], 0);

    ColdView(String tag, List<ManifestEntry> entries, SegmentCache cache) {
        this.tag = tag;
        this.entries = entries;
        this.cache = cache;
        this.watermark = Manifest.watermark(entries);
        long last = Long.MIN_VALUE;
        for (ManifestEntry e : entries) {
            last = Math.max(last, e.getLastTimestamp());
        }
        this.lastTimestamp = last;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The index of the last segment whose first chunk starts at or before {@code at}, or -1. */
    int floorEntry(long at) {
        int lo = 0;
        int hi = entries.size() - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (entries.get(mid).getFirstChunkStart() <= at) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    SegmentCodec.Decoded segment(int i) {
        if (i != memoIndex) {
            try {
                memo = cache.load(tag, entries.get(i));
            } catch (io.historian.ColdTierUnavailableException e) {
                if (!allowPartial) {
                    throw e;
                }
                skipped = true;
                memo = EMPTY;
            }
            memoIndex = i;
        }
        return memo;
    }

    /** The index of the last chunk starting at or before {@code at} in a segment, or -1. */
    static int floorChunk(SegmentCodec.Decoded s, long at) {
        int lo = 0;
        int hi = s.starts().length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (s.starts()[mid] <= at) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
