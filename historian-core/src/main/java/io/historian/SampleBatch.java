package io.historian;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A reusable batch of samples for {@link Historian#write(SampleBatch)}, the fastest way in.
 *
 * <pre>{@code
 * SampleBatch batch = new SampleBatch(10_000);
 * for (Reading r : readings) {
 *     batch.add(r.tag(), r.epochMillis(), r.value(), Quality.GOOD);
 * }
 * historian.write(batch);   // journaled as one entry, accepted whole or not at all
 * batch.clear();            // reuse it: adding samples allocates nothing once it has grown
 * }</pre>
 *
 * <p><b>Thread safety:</b> not thread-safe; use one batch per thread.
 */
public final class SampleBatch {
    private static final Instant MIN_MILLIS = Instant.ofEpochMilli(Long.MIN_VALUE);
    private static final Instant MAX_MILLIS = Instant.ofEpochMilli(Long.MAX_VALUE);

    private String[] tags;
    private long[] timestamps;
    private double[] values;
    private int[] qualities;
    private int size;

    /** An empty batch with room for 1,024 samples; it grows as needed. */
    public SampleBatch() {
        this(1024);
    }

    /**
     * An empty batch with room for {@code initialCapacity} samples; it grows as needed.
     *
     * @param initialCapacity the samples it holds before it first grows, at least 1
     */
    public SampleBatch(int initialCapacity) {
        if (initialCapacity < 1) {
            throw new IllegalArgumentException("initialCapacity must be positive: " + initialCapacity);
        }
        tags = new String[initialCapacity];
        timestamps = new long[initialCapacity];
        values = new double[initialCapacity];
        qualities = new int[initialCapacity];
    }

    /**
     * Adds a sample of Good quality.
     *
     * @param tag the tag name; checked when the batch is written
     * @param timestamp when the value was measured, kept to the millisecond
     * @param value the value
     * @return this batch
     */
    public SampleBatch add(String tag, Instant timestamp, double value) {
        return add(tag, millis(timestamp), value, Quality.GOOD);
    }

    /**
     * Adds a sample.
     *
     * @param tag the tag name; checked when the batch is written
     * @param timestamp when the value was measured, kept to the millisecond
     * @param value the value
     * @param quality the sample's quality
     * @return this batch
     */
    public SampleBatch add(String tag, Instant timestamp, double value, Quality quality) {
        return add(tag, millis(timestamp), value, quality);
    }

    /**
     * Adds a sample.
     *
     * @param sample the sample; its fields are copied
     * @return this batch
     */
    public SampleBatch add(Sample sample) {
        return add(sample.tag(), millis(sample.timestamp()), sample.value(), sample.quality());
    }

    /**
     * Milliseconds since the epoch, saturated at the ends of {@code long}: an instant beyond them is
     * then refused as {@link RejectReason#TIMESTAMP_OUT_OF_RANGE} when the batch is written, not
     * with an arithmetic overflow here.
     */
    private static long millis(Instant timestamp) {
        Objects.requireNonNull(timestamp, "timestamp");
        if (timestamp.isBefore(MIN_MILLIS)) {
            return Long.MIN_VALUE;
        }
        return timestamp.isAfter(MAX_MILLIS) ? Long.MAX_VALUE : timestamp.toEpochMilli();
    }

    /**
     * Adds a sample whose timestamp is given in milliseconds since 1970-01-01T00:00:00Z, the form
     * devices and files usually deliver; this overload allocates nothing.
     *
     * @param tag the tag name; checked when the batch is written
     * @param epochMillis when the value was measured, in milliseconds since the epoch
     * @param value the value
     * @param quality the sample's quality
     * @return this batch
     */
    public SampleBatch add(String tag, long epochMillis, double value, Quality quality) {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(quality, "quality");
        if (size == tags.length) {
            int capacity = Math.max(16, size * 2);
            tags = Arrays.copyOf(tags, capacity);
            timestamps = Arrays.copyOf(timestamps, capacity);
            values = Arrays.copyOf(values, capacity);
            qualities = Arrays.copyOf(qualities, capacity);
        }
        tags[size] = tag;
        timestamps[size] = epochMillis;
        values[size] = value;
        qualities[size] = quality.code();
        size++;
        return this;
    }

    /** Removes every sample; the capacity stays. */
    public void clear() {
        Arrays.fill(tags, 0, size, null);
        size = 0;
    }

    /** {@return the number of samples} */
    public int size() {
        return size;
    }

    /** {@return true when the batch holds no sample} */
    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * The tag of sample {@code i}.
     *
     * @param i the sample's index, 0 to {@code size() - 1}
     * @return the tag name as added
     */
    public String tag(int i) {
        checkIndex(i);
        return tags[i];
    }

    /**
     * The timestamp of sample {@code i}.
     *
     * @param i the sample's index, 0 to {@code size() - 1}
     * @return the timestamp in milliseconds since the epoch
     */
    public long epochMillis(int i) {
        checkIndex(i);
        return timestamps[i];
    }

    /**
     * The value of sample {@code i}.
     *
     * @param i the sample's index, 0 to {@code size() - 1}
     * @return the value
     */
    public double value(int i) {
        checkIndex(i);
        return values[i];
    }

    /**
     * The quality code of sample {@code i}.
     *
     * @param i the sample's index, 0 to {@code size() - 1}
     * @return the OPC UA status code (see {@link Quality#code()})
     */
    public int qualityCode(int i) {
        checkIndex(i);
        return qualities[i];
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index " + i + " outside the batch of " + size);
        }
    }
}
