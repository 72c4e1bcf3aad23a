package io.historian.query;

import io.historian.Sample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A query of one tag's samples over a half-open range {@code [from, to)}.
 *
 * <pre>{@code
 * try (SampleCursor c = historian.query("boiler.temp").between(from, to).withBounds().raw()) { ... }
 * }</pre>
 *
 * <p>Instances are immutable; each setter returns a new query. {@link #raw()} reads.
 */
public final class RawQuery {
    /** Opens the cursor for a finished query; supplied by the historian. */
    @FunctionalInterface
    public interface Reader {
        /** Opens a cursor over the query. */
        SampleCursor open(RawQuery query);
    }

    private final Reader reader;
    private final String tag;
    private final Instant from;
    private final Instant to;
    private final boolean bounds;

    /** Used by the historian; applications start from {@code Historian.query(tag)}. */
    public RawQuery(Reader reader, String tag) {
        this(reader, Objects.requireNonNull(tag, "tag"), Instant.EPOCH, Instant.ofEpochMilli(Long.MAX_VALUE), false);
    }

    private RawQuery(Reader reader, String tag, Instant from, Instant to, boolean bounds) {
        this.reader = reader;
        this.tag = tag;
        this.from = from;
        this.to = to;
        this.bounds = bounds;
    }

    /**
     * Restricts the query to {@code [from, to)}.
     *
     * @throws IllegalArgumentException if {@code to} is before {@code from}; an empty range
     *     ({@code from == to}) is accepted and reads nothing (but its bounding samples)
     */
    public RawQuery between(Instant from, Instant to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("inverted range [tag=" + tag + ", from=" + from + ", to=" + to + "]");
        }
        return new RawQuery(reader, tag, from, to, bounds);
    }

    /**
     * Also returns the bounding samples: the last one before {@code from} and the first one at or
     * after {@code to}, when they exist, so a chart or an integral is right at the edges.
     */
    public RawQuery withBounds() {
        return new RawQuery(reader, tag, from, to, true);
    }

    /** Opens a streaming cursor over the samples, in time order. */
    public SampleCursor raw() {
        return reader.open(this);
    }

    /** Reads every sample into a list: for small ranges and tests; prefer {@link #raw()}. */
    public List<Sample> toList() {
        List<Sample> out = new ArrayList<>();
        try (SampleCursor c = raw()) {
            while (c.next()) {
                out.add(c.sample());
            }
        }
        return out;
    }

    /** The tag. */
    public String tag() {
        return tag;
    }

    /** The start of the range, inclusive. */
    public Instant from() {
        return from;
    }

    /** The end of the range, exclusive. */
    public Instant to() {
        return to;
    }

    /** Whether bounding samples are included. */
    public boolean includesBounds() {
        return bounds;
    }
}
