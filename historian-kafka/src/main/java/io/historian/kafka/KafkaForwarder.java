package io.historian.kafka;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.historian.DataSize;
import io.historian.Quality;
import io.historian.Sample;
import io.historian.spi.Forwarder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Forwards the historian's samples to a Kafka topic: one record per sample, the tag as the key
 * (so a tag's samples share a partition and keep their order), the sample in the value as
 * {@link RecordFormat#PROTOBUF protobuf} or {@link RecordFormat#JSON JSON}; or, with
 * {@link RecordFormat#PROTOBUF_BATCH}, one record per tag holding that tag's samples of a batch.
 *
 * <pre>{@code
 * Historian.builder()
 *     .forwarder(KafkaForwarder.builder().bootstrapServers("broker:9092").topic("plant.samples")
 *             .tags("line1.*").build())
 *     .build();
 * }</pre>
 *
 * <p><b>Delivery:</b> at least once; the producer is idempotent ({@code enable.idempotence=true},
 * {@code acks=all}), so its own retries add no duplicates, and a batch counts as sent only when
 * every record of it is acknowledged. After a failure or a crash records come again: a consumer
 * deduplicates by (tag, timestamp), which {@link #decode} reads back from a protobuf value.
 * <p><b>Errors:</b> a record the broker refuses for good (larger than {@code max.request.size} or
 * the topic's limit, an invalid or unauthorized topic) and a sample JSON cannot carry (NaN or an
 * infinity) become dead letters with the reason; any other failure (the broker is down, a
 * timeout) makes the historian send the batch again after a backoff.
 * <p><b>Threads:</b> immutable configuration; the historian calls the forwarder from one thread.
 */
public final class KafkaForwarder implements Forwarder {
    private final String name;
    private final String topic;
    private final String tags;
    private final RecordFormat format;
    private final Map<String, Object> config;
    private final int maxBatchSamples;
    private final Duration maxBatchDelay;
    private final DataSize journalBudget;
    private final int deadLetterCapacity;
    private final Duration callTimeout;
    private KafkaProducer<byte[], byte[]> producer;
    private org.apache.kafka.clients.producer.Callback stopOnFailure;
    private Future<RecordMetadata>[] futures;
    /** Tag names in UTF-8, the record keys; a tag's name never changes. */
    private final Map<String, byte[]> keys = new HashMap<>();
    private final int maxSamplesPerRecord;
    /** For {@link RecordFormat#PROTOBUF_BATCH}: each tag's samples in the batch being sent, kept across sends. */
    private final Map<String, TagRun> runs = new LinkedHashMap<>();
    /** For {@link RecordFormat#PROTOBUF_BATCH}: the batch indices each record carries, in send order. */
    private int[] recordStart = new int[16];
    private int[] recordEnd = new int[16];
    private TagRun[] recordRun = new TagRun[16];
    /** For {@link RecordFormat#PROTOBUF_BATCH}: the runs the batch being sent uses, in first-seen order. */
    private TagRun[] touched = new TagRun[16];

    private KafkaForwarder(Builder b) {
        this.name = b.name;
        this.topic = b.topic;
        this.tags = b.tags;
        this.format = b.format;
        this.maxBatchSamples = b.maxBatchSamples;
        this.maxBatchDelay = b.maxBatchDelay;
        this.journalBudget = b.journalBudget;
        this.deadLetterCapacity = b.deadLetterCapacity;
        this.callTimeout = b.callTimeout;
        this.maxSamplesPerRecord = b.maxSamplesPerRecord;
        Map<String, Object> c = new LinkedHashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // With one request in flight, nothing sent after a record that failed can be acknowledged
        // before the failure stops the producer (see stopOnFailure): a tag's samples reach the topic
        // for the first time in the order written, even when an outage outlasts delivery.timeout.ms.
        c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        c.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        // A send blocks this long for metadata when the broker is away; the historian retries the batch after it.
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        c.putAll(b.properties);
        this.config = Map.copyOf(c);
    }

    /**
     * A builder; {@link Builder#bootstrapServers} and {@link Builder#topic} are required.
     *
     * @return a new builder with every other option at its default
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String tagPattern() {
        return tags;
    }

    @Override
    public int maxBatchSamples() {
        return maxBatchSamples;
    }

    @Override
    public Duration maxBatchDelay() {
        return maxBatchDelay;
    }

    @Override
    public DataSize journalBudget() {
        return journalBudget;
    }

    @Override
    public int deadLetterCapacity() {
        return deadLetterCapacity;
    }

    @Override
    public Duration callTimeout() {
        return callTimeout;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open() {
        if (producer == null) {
            KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(config, new ByteArraySerializer(),
                    new ByteArraySerializer());
            producer = p;
            // On the producer's own thread, before it sends what follows the failed record: a
            // producer whose batch expired would otherwise send later records of the same
            // partition under a new epoch, and they would land before the failed one is sent again.
            stopOnFailure = (metadata, e) -> {
                if (e != null && !isPermanent(e)) {
                    p.close(Duration.ZERO);
                }
            };
            if (futures == null) {
                futures = new Future[maxBatchSamples];
            }
        }
    }

    /** Drops a producer that failed (its unsent records are aborted); the next send opens a new one. */
    private void discardProducer() {
        KafkaProducer<byte[], byte[]> p = producer;
        producer = null;
        if (p != null) {
            p.close(Duration.ZERO);
        }
    }

    @Override
    public void send(Batch batch) throws Exception {
        open();
        try {
            sendOpen(batch);
        } catch (Exception e) {
            discardProducer();
            throw e;
        }
    }

    private void sendOpen(Batch batch) throws Exception {
        if (format == RecordFormat.PROTOBUF_BATCH) {
            sendRuns(batch);
            return;
        }
        int n = batch.size();
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            String tag = batch.tag(i);
            byte[] value;
            if (format == RecordFormat.JSON && !Double.isFinite(batch.value(i))) {
                batch.refuse(i, "serialization failed: JSON has no number for " + batch.value(i) + " [tag=" + tag
                        + ", topic=" + topic + "]");
                futures[i] = null;
                continue;
            }
            value = format == RecordFormat.JSON ? json(tag, batch.timestamp(i), batch.value(i), batch.quality(i))
                    : protobuf(tag, batch.timestamp(i), batch.value(i), batch.quality(i));
            byte[] key = keys.computeIfAbsent(tag, t -> t.getBytes(StandardCharsets.UTF_8));
            bytes += key.length + value.length;
            // The record's own timestamp is the send time: with the sample's, the topic's retention (by
            // record time) would delete samples forwarded late after an outage as soon as they land.
            futures[i] = producer.send(new ProducerRecord<>(topic, key, value), stopOnFailure);
            Future<RecordMetadata> f = futures[i];
            if (f.isDone() && !permanent(f)) {
                // The broker is away (metadata timed out): the rest of the batch would only wait as long again.
                failed(f);
            }
        }
        producer.flush();
        Exception transientFailure = null;
        for (int i = 0; i < n; i++) {
            Future<RecordMetadata> f = futures[i];
            futures[i] = null;
            if (f == null) {
                continue;
            }
            try {
                f.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (isPermanent(cause)) {
                    batch.refuse(i, cause.getClass().getSimpleName() + ": " + cause.getMessage() + " [topic=" + topic
                            + "]");
                } else if (transientFailure == null) {
                    transientFailure = cause instanceof Exception ex ? ex : e;
                }
            }
        }
        if (transientFailure != null) {
            throw transientFailure;
        }
        batch.bytesSent(bytes);
    }

    /** {@link RecordFormat#PROTOBUF_BATCH}: a record per tag and up to {@link #maxSamplesPerRecord} samples. */
    private void sendRuns(Batch batch) throws Exception {
        int n = batch.size();
        int tagsInBatch = 0;
        int records = 0;
        try {
            for (int i = 0; i < n; i++) {
                TagRun run = runs.computeIfAbsent(batch.tag(i), TagRun::new);
                if (run.count == 0) {
                    if (tagsInBatch == touched.length) {
                        touched = java.util.Arrays.copyOf(touched, tagsInBatch * 2);
                    }
                    touched[tagsInBatch++] = run;
                }
                run.add(i);
            }
            long bytes = 0;
            for (int t = 0; t < tagsInBatch; t++) {
                TagRun run = touched[t];
                for (int from = 0; from < run.count; from += maxSamplesPerRecord) {
                    int to = Math.min(run.count, from + maxSamplesPerRecord);
                    byte[] value = samples(run, from, to, batch);
                    bytes += run.key.length + value.length;
                    if (records == recordStart.length) {
                        int c = records * 2;
                        recordStart = java.util.Arrays.copyOf(recordStart, c);
                        recordEnd = java.util.Arrays.copyOf(recordEnd, c);
                        recordRun = java.util.Arrays.copyOf(recordRun, c);
                    }
                    if (records == futures.length) {
                        futures = java.util.Arrays.copyOf(futures, records * 2);
                    }
                    recordStart[records] = from;
                    recordEnd[records] = to;
                    recordRun[records] = run;
                    Future<RecordMetadata> f = producer.send(new ProducerRecord<>(topic, run.key, value),
                            stopOnFailure);
                    futures[records++] = f;
                    if (f.isDone() && !permanent(f)) {
                        // The broker is away (metadata timed out): the rest of the batch would only wait as long again.
                        failed(f);
                    }
                }
            }
            producer.flush();
            Exception transientFailure = null;
            for (int r = 0; r < records; r++) {
                try {
                    futures[r].get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (isPermanent(cause)) {
                        String reason = cause.getClass().getSimpleName() + ": " + cause.getMessage() + " [topic="
                                + topic + ", samples in the record=" + (recordEnd[r] - recordStart[r]) + "]";
                        TagRun run = recordRun[r];
                        for (int k = recordStart[r]; k < recordEnd[r]; k++) {
                            batch.refuse(run.indices[k], reason);
                        }
                    } else if (transientFailure == null) {
                        transientFailure = cause instanceof Exception ex ? ex : e;
                    }
                }
            }
            if (transientFailure != null) {
                throw transientFailure;
            }
            batch.bytesSent(bytes);
        } finally {
            java.util.Arrays.fill(futures, 0, records, null);
            java.util.Arrays.fill(recordRun, 0, records, null);
            resetRuns(tagsInBatch);
        }
    }

    /** Empties the runs of the batch just sent, so the next batch starts from none. */
    private void resetRuns(int tagsInBatch) {
        for (int t = 0; t < tagsInBatch; t++) {
            touched[t].count = 0;
            touched[t] = null;
        }
    }

    /** One tag's samples in a batch, by index; reused from send to send. */
    private static final class TagRun {
        final byte[] key;
        final byte[] tagField;
        int[] indices = new int[64];
        int count;

        TagRun(String tag) {
            this.key = tag.getBytes(StandardCharsets.UTF_8);
            this.tagField = key;
        }

        void add(int i) {
            if (count == indices.length) {
                indices = java.util.Arrays.copyOf(indices, count * 2);
            }
            indices[count++] = i;
        }
    }

    private static byte[] samples(TagRun run, int from, int to, Batch batch) {
        int n = to - from;
        boolean allGood = true;
        int timestampBytes = 0;
        int qualityBytes = 0;
        for (int k = from; k < to; k++) {
            int i = run.indices[k];
            timestampBytes += CodedOutputStream.computeInt64SizeNoTag(batch.timestamp(i));
            int q = batch.quality(i).code();
            allGood &= q == 0;
            qualityBytes += CodedOutputStream.computeUInt32SizeNoTag(q);
        }
        int valueBytes = n * 8;
        int size = CodedOutputStream.computeByteArraySize(1, run.tagField)
                + 1 + CodedOutputStream.computeUInt32SizeNoTag(timestampBytes) + timestampBytes
                + 1 + CodedOutputStream.computeUInt32SizeNoTag(valueBytes) + valueBytes
                + (allGood ? 0 : 1 + CodedOutputStream.computeUInt32SizeNoTag(qualityBytes) + qualityBytes);
        byte[] out = new byte[size];
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        try {
            o.writeByteArray(1, run.tagField);
            o.writeTag(2, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(timestampBytes);
            for (int k = from; k < to; k++) {
                o.writeInt64NoTag(batch.timestamp(run.indices[k]));
            }
            o.writeTag(3, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(valueBytes);
            for (int k = from; k < to; k++) {
                o.writeDoubleNoTag(batch.value(run.indices[k]));
            }
            if (!allGood) {
                o.writeTag(4, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
                o.writeUInt32NoTag(qualityBytes);
                for (int k = from; k < to; k++) {
                    o.writeUInt32NoTag(batch.quality(run.indices[k]).code());
                }
            }
            o.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("writing to an array of the computed size cannot fail", e);
        }
        return out;
    }

    /**
     * Reads a record value written in {@link RecordFormat#PROTOBUF_BATCH} or
     * {@link RecordFormat#PROTOBUF}, for consumers.
     *
     * @param value the record's value
     * @return the samples it carries, in the order written
     * @throws IllegalArgumentException if the bytes are not such a message, or its repeated fields
     *     disagree in length
     */
    public static java.util.List<Sample> decodeAll(byte[] value) {
        Objects.requireNonNull(value, "value");
        CodedInputStream in = CodedInputStream.newInstance(value);
        String tag = null;
        LongList timestamps = new LongList();
        LongList values = new LongList();
        LongList qualities = new LongList();
        try {
            for (int field = in.readTag(); field != 0; field = in.readTag()) {
                switch (field) {
                    case (1 << 3) | 2 -> tag = in.readStringRequireUtf8();
                    case 2 << 3 -> timestamps.add(in.readInt64());
                    case (2 << 3) | 2 -> readPacked(in, timestamps, CodedInputStream::readInt64);
                    case (3 << 3) | 1 -> values.add(Double.doubleToRawLongBits(in.readDouble()));
                    case (3 << 3) | 2 -> readPacked(in, values, x -> Double.doubleToRawLongBits(x.readDouble()));
                    case 4 << 3 -> qualities.add(in.readUInt32());
                    case (4 << 3) | 2 -> readPacked(in, qualities, CodedInputStream::readUInt32);
                    default -> in.skipField(field);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a samples message: " + e.getMessage(), e);
        }
        if (tag == null) {
            throw new IllegalArgumentException("samples without a tag");
        }
        int n = timestamps.size;
        // proto3 leaves a lone sample's default timestamp (0) or value (0.0) out.
        if (n == 0 && values.size == 1) {
            timestamps.add(0);
            n = 1;
        } else if (n == 1 && values.size == 0) {
            values.add(Double.doubleToRawLongBits(0.0));
        } else if (n == 0 && values.size == 0 && qualities.size <= 1) {
            timestamps.add(0);
            values.add(Double.doubleToRawLongBits(0.0));
            n = 1;
        }
        if (values.size != n || (qualities.size != 0 && qualities.size != n)) {
            throw new IllegalArgumentException("samples message with " + n + " timestamps, " + values.size
                    + " values and " + qualities.size + " qualities [tag=" + tag + "]");
        }
        java.util.List<Sample> out = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int q = qualities.size == 0 ? 0 : (int) qualities.values[i];
            out.add(new Sample(tag, Instant.ofEpochMilli(timestamps.values[i]),
                    Double.longBitsToDouble(values.values[i]), Quality.of(q)));
        }
        return out;
    }

    /** One element of a packed field. */
    private interface PackedElement {
        long read(CodedInputStream in) throws IOException;
    }

    private static void readPacked(CodedInputStream in, LongList into, PackedElement element) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        while (in.getBytesUntilLimit() > 0) {
            into.add(element.read(in));
        }
        in.popLimit(limit);
    }

    private static final class LongList {
        long[] values = new long[16];
        int size;

        void add(long v) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }

    private static boolean permanent(Future<RecordMetadata> f) {
        try {
            f.get();
            return true;
        } catch (ExecutionException e) {
            return isPermanent(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void failed(Future<RecordMetadata> f) throws Exception {
        try {
            f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof Exception ex ? ex : e;
        }
    }

    /** Failures that sending the same record again cannot cure. */
    private static boolean isPermanent(Throwable t) {
        return t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
                || t instanceof InvalidTopicException || t instanceof AuthorizationException
                || t instanceof SerializationException || t instanceof UnsupportedVersionException;
    }

    @Override
    public void close() {
        KafkaProducer<byte[], byte[]> p = producer;
        producer = null;
        if (p != null) {
            p.close(Duration.ofSeconds(5));
        }
    }

    static byte[] protobuf(String tag, long timestamp, double value, Quality quality) {
        byte[] tagBytes = tag.getBytes(StandardCharsets.UTF_8);
        int size = CodedOutputStream.computeByteArraySize(1, tagBytes)
                + CodedOutputStream.computeInt64Size(2, timestamp)
                + CodedOutputStream.computeDoubleSize(3, value)
                + (quality.code() == 0 ? 0 : CodedOutputStream.computeUInt32Size(4, quality.code()));
        byte[] out = new byte[size];
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        try {
            o.writeByteArray(1, tagBytes);
            o.writeInt64(2, timestamp);
            o.writeDouble(3, value);
            if (quality.code() != 0) {
                // proto3 leaves a default (0, Good) out.
                o.writeUInt32(4, quality.code());
            }
            o.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("writing to an array of the computed size cannot fail", e);
        }
        return out;
    }

    static byte[] json(String tag, long timestamp, double value, Quality quality) {
        StringBuilder s = new StringBuilder(tag.length() + 80).append("{\"tag\":\"");
        for (int i = 0; i < tag.length(); i++) {
            char c = tag.charAt(i);
            if (c == '"' || c == '\\') {
                s.append('\\').append(c);
            } else if (c < 0x20) {
                s.append(String.format("\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        s.append("\",\"timestamp\":").append(timestamp).append(",\"value\":").append(value)
                .append(",\"quality\":").append(Integer.toUnsignedLong(quality.code())).append(",\"status\":\"")
                .append(quality).append("\"}");
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a record value written in {@link RecordFormat#PROTOBUF}, for consumers.
     *
     * @param value the record's value
     * @return the sample it carries
     * @throws IllegalArgumentException if the bytes are not such a message
     */
    public static Sample decode(byte[] value) {
        Objects.requireNonNull(value, "value");
        CodedInputStream in = CodedInputStream.newInstance(value);
        String tag = null;
        long timestamp = 0;
        double v = 0;
        int quality = 0;
        try {
            while (true) {
                int field = in.readTag();
                switch (field) {
                    case 0:
                        if (tag == null) {
                            throw new IllegalArgumentException("sample without a tag");
                        }
                        return new Sample(tag, Instant.ofEpochMilli(timestamp), v, Quality.of(quality));
                    case (1 << 3) | 2:
                        tag = in.readStringRequireUtf8();
                        break;
                    case 2 << 3:
                        timestamp = in.readInt64();
                        break;
                    case (3 << 3) | 1:
                        v = in.readDouble();
                        break;
                    case 4 << 3:
                        quality = in.readUInt32();
                        break;
                    default:
                        in.skipField(field);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a sample message: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "KafkaForwarder[" + name + ", topic=" + topic + ", tags=" + tags + ", format=" + format + "]";
    }

    /**
     * Configures a {@link KafkaForwarder}.
     *
     * <p><b>Thread safety:</b> not thread-safe; the built forwarder's configuration is immutable.
     */
    public static final class Builder {
        private String name = "kafka";
        private String bootstrapServers;
        private String topic;
        private String tags = "*";
        private RecordFormat format = RecordFormat.PROTOBUF;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private int maxBatchSamples = 5_000;
        private Duration maxBatchDelay = Duration.ofMillis(100);
        private DataSize journalBudget = DataSize.ofGigabytes(1);
        private int deadLetterCapacity = 100_000;
        private Duration callTimeout = Duration.ofMinutes(2);
        private int maxSamplesPerRecord = 1_000;

        private Builder() {
        }

        /**
         * The forwarder's name, for the historian's API, logs and files (default {@code kafka}).
         *
         * @param name unique per historian
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The brokers to connect to first, {@code host:port} separated by commas (required).
         *
         * @param servers such as {@code broker1:9092,broker2:9092}
         * @return this builder
         */
        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = Objects.requireNonNull(servers, "servers");
            return this;
        }

        /**
         * The topic every record goes to (required).
         *
         * @param topic the topic's name
         * @return this builder
         */
        public Builder topic(String topic) {
            this.topic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /**
         * The tags forwarded (default every tag).
         *
         * @param pattern a tag name, or a pattern with {@code *} and {@code ?}
         * @return this builder
         */
        public Builder tags(String pattern) {
            this.tags = Objects.requireNonNull(pattern, "pattern");
            return this;
        }

        /**
         * How samples are written into record values (default {@link RecordFormat#PROTOBUF}).
         *
         * @param format the format
         * @return this builder
         */
        public Builder format(RecordFormat format) {
            this.format = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * Sets a Kafka producer property (security, compression, timeouts); it overrides this
         * forwarder's choices, except that the serializers stay byte arrays.
         *
         * @param key a producer configuration key, such as {@code security.protocol}
         * @param value its value
         * @return this builder
         */
        public Builder property(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (key.equals(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG)
                    || key.equals(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG)) {
                throw new IllegalArgumentException("the serializers are the forwarder's own: " + key);
            }
            properties.put(key, value);
            return this;
        }

        /**
         * The most samples in one batch sent (default 5,000).
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxBatchSamples(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxBatchSamples must be at least 1: " + max);
            }
            this.maxBatchSamples = max;
            return this;
        }

        /**
         * The most samples of one tag in one {@link RecordFormat#PROTOBUF_BATCH} record (default
         * 1,000: about 17 KB, far below Kafka's default 1 MB request limit); ignored by the other
         * formats.
         *
         * @param max at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code max} is below 1
         */
        public Builder maxSamplesPerRecord(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxSamplesPerRecord must be at least 1: " + max);
            }
            this.maxSamplesPerRecord = max;
            return this;
        }

        /**
         * How long a batch waits for more samples (default 100 ms).
         *
         * @param delay positive
         * @return this builder
         */
        public Builder maxBatchDelay(Duration delay) {
            this.maxBatchDelay = positive(delay, "maxBatchDelay");
            return this;
        }

        /**
         * How much journal the forwarder may keep unforwarded before it reads the store instead
         * (default 1 GiB).
         *
         * @param budget the budget
         * @return this builder
         */
        public Builder journalBudget(DataSize budget) {
            this.journalBudget = Objects.requireNonNull(budget, "budget");
            return this;
        }

        /**
         * The most dead letters kept (default 100,000).
         *
         * @param capacity at least 1
         * @return this builder
         */
        public Builder deadLetterCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("deadLetterCapacity must be at least 1: " + capacity);
            }
            this.deadLetterCapacity = capacity;
            return this;
        }

        /**
         * How long one send may take before the historian abandons it and starts the producer
         * over (default 2 minutes; keep it above {@code delivery.timeout.ms}, 30 s here).
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = positive(timeout, "callTimeout");
            return this;
        }

        /**
         * Builds the forwarder; hand it to {@code Historian.Builder.forwarder}.
         *
         * @return the forwarder
         * @throws IllegalStateException if the bootstrap servers or the topic are missing
         */
        public KafkaForwarder build() {
            if (bootstrapServers == null || topic == null) {
                throw new IllegalStateException("a Kafka forwarder needs bootstrapServers and topic [bootstrapServers="
                        + bootstrapServers + ", topic=" + topic + "]");
            }
            return new KafkaForwarder(this);
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }
    }
}
