package io.historian.testing;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.TagDefinition;
import io.historian.spi.ColdTier;
import io.historian.internal.engine.Internals;
import io.historian.internal.tier.Manifest;
import io.historian.internal.tier.ObjectKeys;
import io.historian.internal.tier.proto.ManifestEntry;
import java.io.IOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A deterministic multi-day dataset for tiering tests: sample {@code k} of tag {@code t} is a
 * pure function of both, so a test (or a child JVM) can write it and check it anywhere.
 */
public final class TierData {
    /** Midnight UTC of the first day. */
    public static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    private TierData() {
    }

    /** The timestamp of sample {@code k} of tag {@code t} at one sample per {@code periodMillis}. */
    public static long timestamp(int t, long k, long periodMillis) {
        return T0 + k * periodMillis + (t * 137L) % periodMillis;
    }

    /** The value: a slow wave rounded to 2 decimals, with a NaN now and then. */
    public static double value(int t, long k) {
        if (k % 997 == 13) {
            return Double.NaN;
        }
        return Math.round((50 + 20 * Math.sin((k + t * 31) / 500.0) + t) * 100) / 100.0;
    }

    /** The quality: Bad now and then. */
    public static Quality quality(int t, long k) {
        return (k + t) % 1009 == 7 ? Quality.BAD_NO_COMMUNICATION : Quality.GOOD;
    }

    /** Writes {@code samplesPerTag} samples for each tag, in live order. */
    public static void write(Historian h, List<String> tags, long samplesPerTag, long periodMillis) {
        SampleBatch batch = new SampleBatch(10_000);
        for (long k = 0; k < samplesPerTag; k++) {
            for (int t = 0; t < tags.size(); t++) {
                batch.add(tags.get(t), timestamp(t, k, periodMillis), value(t, k), quality(t, k));
                if (batch.size() == 10_000) {
                    h.write(batch);
                    batch.clear();
                }
            }
        }
        if (batch.size() > 0) {
            h.write(batch);
        }
    }

    /** The object keys the manifest references, over every tag. */
    public static Set<String> manifestKeys(Historian h) {
        Manifest m = new Manifest(Internals.store(h));
        Set<String> keys = new HashSet<>();
        List<TagDefinition> tags = h.tags();
        for (int id = 0; id < tags.size(); id++) {
            for (ManifestEntry entry : m.entries(id, null)) {
                if (!keys.add(entry.getObjectKey())) {
                    throw new AssertionError("two manifest entries share object " + entry.getObjectKey());
                }
            }
        }
        return keys;
    }

    /** Every segment object in the tier. */
    public static Set<String> tierKeys(ColdTier tier) throws IOException {
        return new HashSet<>(tier.list(ObjectKeys.SEGMENTS));
    }
}
