package io.historian.internal.codec;

/**
 * The fixed header of a chunk: enough to answer count, time range, min, max, sum, first and last
 * values and worst quality without decoding the payload.
 *
 * <pre>{@code
 * ChunkHeader h = ChunkCodec.readHeader(chunk);
 * if (h.lastTimestamp() < from || h.firstTimestamp() > to) { skip(); }
 * }</pre>
 *
 * <p><b>Invariants</b> (checked by {@link ChunkCodec#readHeader}): {@code count} is in
 * 1..{@link ChunkCodec#MAX_SAMPLES}; {@code firstTimestamp <= lastTimestamp}, equal only when
 * {@code count == 1}; {@code min}, {@code max} and {@code sum} cover the values that are not NaN, in
 * sample order ({@code Math.min}, {@code Math.max} and a left-to-right double sum), and are all NaN
 * when every value is NaN. {@code worstQuality} folds {@link io.historian.Quality#worst(int, int)}
 * over the qualities in sample order. {@code firstValue} and {@code lastValue} are the first and
 * last values that are not NaN, {@code numbers} how many values are not NaN (0, with the value
 * fields NaN, when every value is NaN).
 *
 * <p><b>Units:</b> timestamps are epoch milliseconds.
 *
 * <p><b>Thread safety:</b> immutable.
 */
public record ChunkHeader(int count, long firstTimestamp, long lastTimestamp, double min, double max,
        double sum, int worstQuality, double firstValue, double lastValue, int numbers) {
}
