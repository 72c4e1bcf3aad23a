package io.historian.testing;

import io.historian.Historian;
import io.historian.Sample;
import java.time.Instant;
import java.util.List;

/** Small read helpers for tests. */
public final class Reads {
    private Reads() {
    }

    /** Every sample of a tag. */
    public static List<Sample> all(Historian h, String tag) {
        return h.query(tag).between(Instant.ofEpochMilli(Long.MIN_VALUE / 2), Instant.ofEpochMilli(Long.MAX_VALUE))
                .toList();
    }
}
