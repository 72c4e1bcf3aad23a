package io.historian.internal.query;

import io.historian.Interpolation;
import io.historian.Sample;

/**
 * A consistent read view of one tag (a snapshot), as the query modes need it.
 *
 * <p><b>Lifecycle:</b> the cursor built on a view owns it and closes it.
 */
public interface SeriesView extends AutoCloseable {
    /** The tag name. */
    String tag();

    /** How values between samples are read. */
    Interpolation interpolation();

    /** A forward chunk walk starting at the chunk that holds {@code from}. */
    ChunkWalk chunks(long from);

    /** The last sample at or before {@code ts}, or null. */
    Sample previous(long ts);

    /**
     * The last sample at or before {@code ts} whose quality is not Bad, or null: the sample that
     * makes the interval holding it non-empty, which {@code Fill.PREVIOUS} and {@code Fill.LINEAR}
     * carry into a range. Walks back over runs of Bad samples chunk by chunk.
     */
    Sample previousNonBad(long ts);

    /** The first sample at or after {@code ts}, or null. */
    Sample next(long ts);

    /** Whether the historian closed the view underneath. */
    boolean isClosed();

    @Override
    void close();
}
