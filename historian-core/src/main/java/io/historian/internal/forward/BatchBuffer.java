package io.historian.internal.forward;

import io.historian.Quality;
import io.historian.spi.Forwarder;
import java.util.Arrays;
import java.util.Objects;

/**
 * The samples of one send, in reused arrays, and what the target said of them: which it refused
 * (with the reason) and how many bytes it counted. Owned by the forwarder's thread; the target
 * reads it during {@link Forwarder#send}.
 */
final class BatchBuffer implements Forwarder.Batch {
    final String[] tags;
    final long[] timestamps;
    final double[] values;
    final int[] qualities;
    private final String[] refused;
    int size;
    private int refusedCount;
    private long bytes;
    private int lastQualityCode = Quality.GOOD.code();
    private Quality lastQuality = Quality.GOOD;

    BatchBuffer(int capacity) {
        tags = new String[capacity];
        timestamps = new long[capacity];
        values = new double[capacity];
        qualities = new int[capacity];
        refused = new String[capacity];
    }

    boolean isFull() {
        return size == tags.length;
    }

    void add(String tag, long ts, double value, int quality) {
        tags[size] = tag;
        timestamps[size] = ts;
        values[size] = value;
        qualities[size] = quality;
        size++;
    }

    /** Forgets the samples; keeps the arrays. */
    void clear() {
        Arrays.fill(tags, 0, size, null);
        size = 0;
        resetOutcome();
    }

    /** Forgets what the target said, before the batch is sent (again). */
    void resetOutcome() {
        if (refusedCount > 0) {
            Arrays.fill(refused, null);
        }
        refusedCount = 0;
        bytes = 0;
    }

    int refusedCount() {
        return refusedCount;
    }

    /** The reason sample {@code i} was refused, or null. */
    String refusal(int i) {
        return refused[i];
    }

    long bytes() {
        return bytes;
    }

    /** The smallest timestamp in the batch, or {@link Long#MAX_VALUE} when it is empty. */
    long minTimestamp() {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            min = Math.min(min, timestamps[i]);
        }
        return min;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String tag(int i) {
        return tags[Objects.checkIndex(i, size)];
    }

    @Override
    public long timestamp(int i) {
        return timestamps[Objects.checkIndex(i, size)];
    }

    @Override
    public double value(int i) {
        return values[Objects.checkIndex(i, size)];
    }

    @Override
    public Quality quality(int i) {
        int code = qualities[Objects.checkIndex(i, size)];
        if (code != lastQualityCode) {
            lastQuality = Quality.of(code);
            lastQualityCode = code;
        }
        return lastQuality;
    }

    @Override
    public void refuse(int i, String reason) {
        Objects.requireNonNull(reason, "reason");
        if (refused[Objects.checkIndex(i, size)] == null) {
            refusedCount++;
        }
        refused[i] = reason;
    }

    @Override
    public void bytesSent(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("bytes cannot be negative: " + n);
        }
        bytes += n;
    }
}
