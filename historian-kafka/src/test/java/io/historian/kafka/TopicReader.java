package io.historian.kafka;

import io.historian.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a topic from its start, as a consumer downstream of the historian would. */
final class TopicReader implements AutoCloseable {
    /** A sample's identity: what a consumer deduplicates by. */
    record Key(String tag, long timestamp) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    /** Per tag, the samples in the order they arrived (a tag's records share one partition). */
    private final Map<String, List<Sample>> byTag = new HashMap<>();
    private long records;

    TopicReader(String bootstrapServers, String topic) {
        consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrapServers, "group.id",
                "reader-" + UUID.randomUUID(), "auto.offset.reset", "earliest", "enable.auto.commit", "false", "max.poll.records", "100000"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
    }

    /** Polls until nothing more comes, at most 50 times (a live stream never pauses); returns how many records came. */
    int poll() {
        int total = 0;
        for (int i = 0, n = pollOnce(); n > 0 && i < 50; i++, n = pollOnce()) {
            total += n;
        }
        return total;
    }

    private int pollOnce() {
        int n = 0;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            for (Sample s : KafkaForwarder.decodeAll(r.value())) {
                if (!s.tag().equals(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8))) {
                    throw new AssertionError("record key " + new String(r.key()) + " is not the tag " + s.tag());
                }
                byTag.computeIfAbsent(s.tag(), t -> new ArrayList<>()).add(s);
            }
            n++;
        }
        records += n;
        return n;
    }

    /** The samples read of one tag, in the order they came. */
    List<Sample> samples(String tag) {
        return byTag.getOrDefault(tag, List.of());
    }

    long records() {
        return records;
    }

    /** The distinct samples received. */
    Set<Key> distinct() {
        Set<Key> keys = new HashSet<>();
        byTag.values().forEach(l -> l.forEach(s -> keys.add(new Key(s.tag(), s.timestamp().toEpochMilli()))));
        return keys;
    }

    /**
     * Checks that, counting each sample at its first arrival, every tag's samples came in time
     * order: a batch sent again repeats samples, it never reorders them.
     */
    void assertInOrderPerTag() {
        for (Map.Entry<String, List<Sample>> e : byTag.entrySet()) {
            Set<Long> seen = new LinkedHashSet<>();
            long last = Long.MIN_VALUE;
            for (Sample s : e.getValue()) {
                long t = s.timestamp().toEpochMilli();
                if (seen.add(t)) {
                    if (t <= last) {
                        throw new AssertionError("tag " + e.getKey() + " out of order: " + last + " then " + t);
                    }
                    last = t;
                }
            }
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
