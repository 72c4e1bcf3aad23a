package io.historian.internal.engine;

import java.time.Instant;

/** Conversions of timestamps at the API's edge. */
final class Timestamps {
    private Timestamps() {
    }

    /** Epoch milliseconds, saturated at the ends of {@code long} for instants beyond them. */
    static long toMillis(Instant t) {
        if (t.isBefore(Instant.ofEpochMilli(Long.MIN_VALUE))) {
            return Long.MIN_VALUE;
        }
        if (t.isAfter(Instant.ofEpochMilli(Long.MAX_VALUE))) {
            return Long.MAX_VALUE;
        }
        return t.toEpochMilli();
    }

    /** An instant for messages; the raw number where it has no ISO form. */
    static String describe(long epochMillis) {
        try {
            return Instant.ofEpochMilli(epochMillis).toString();
        } catch (RuntimeException e) {
            return epochMillis + " ms";
        }
    }

    /** {@code a + b}, saturated at Long.MAX_VALUE and Long.MIN_VALUE. */
    static long saturatedAdd(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }
}
