package io.historian.query;

/**
 * A stream of chart or interpolated points of one or more tags: a {@link SampleCursor} that also
 * marks gaps. With a tag pattern, the points of each tag follow those of the previous tag;
 * {@link #tag()} names the current one.
 *
 * <pre>{@code
 * try (PointCursor c = historian.query("boiler.temp").between(from, to).lttb(2000)) {
 *     while (c.next()) {
 *         if (c.gapBefore()) chart.breakLine();
 *         chart.add(c.epochMillis(), c.value(), c.quality());
 *     }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle:</b> holds a snapshot of the store until closed; always close it.
 * <p><b>Thread safety:</b> not thread-safe; use a cursor from one thread.
 * <p><b>Errors:</b> {@link #next()} throws {@link io.historian.HistorianException} on corrupt data,
 * {@link IllegalStateException} after close.
 */
public interface PointCursor extends SampleCursor {
    /**
     * True when the data has a gap just before this point (much longer than the tag's usual
     * period), so a chart should not draw a line from the previous point; also true on the first
     * point of each tag.
     *
     * @return true when no line should join the previous point to this one
     */
    boolean gapBefore();
}
