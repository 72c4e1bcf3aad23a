package io.historian.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.DataSize;
import io.historian.DeadLetter;
import io.historian.ForwarderStatus;
import io.historian.Historian;
import io.historian.Quality;
import io.historian.Sample;
import io.historian.SampleBatch;
import io.historian.internal.engine.Internals;
import io.historian.kafka.TopicReader.Key;
import io.historian.testing.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka forwarder against a real broker (Kafka's own, KRaft, in this JVM on 127.0.0.1):
 * broker outages, a killed historian, refused records, an outage longer than the journal budget.
 * Every case ends with the same check a downstream consumer would make: deduplicated by (tag,
 * timestamp), the topic holds exactly the samples written, each tag's in order.
 */
class KafkaForwarderIT {
    static final int TAGS = 10;
    static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    static Path brokerDir;
    static KafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void formatBroker() {
        broker = new KafkaBroker(brokerDir);
    }

    /** Per test: the broker's threads, lazily started ones too, end with each test. */
    @BeforeEach
    void startBroker() {
        broker.start();
    }

    @AfterEach
    void stopBroker() {
        broker.stop();
    }

    /** Waits until the topic holds {@code expected} (deduplicated); on a timeout, says what is missing. */
    static void awaitTopic(TopicReader reader, Historian h, String forwarder, Set<Key> expected, boolean exactly) {
        try {
            await().atMost(WAIT).until(() -> {
                reader.poll();
                Set<Key> got = reader.distinct();
                return exactly ? got.equals(expected) : got.containsAll(expected);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Set<Key> missing = new java.util.TreeSet<>(java.util.Comparator.comparing(Key::timestamp)
                    .thenComparing(Key::tag));
            missing.addAll(expected);
            missing.removeAll(reader.distinct());
            Set<Key> extra = new HashSet<>(reader.distinct());
            extra.removeAll(expected);
            throw new AssertionError("topic incomplete [records=" + reader.records() + ", missing=" + missing.size()
                    + " first " + missing.stream().limit(5).toList() + ", extra=" + extra.size() + ", status="
                    + h.forwarder(forwarder).status() + "]", e);
        }
    }

    /** The forwarder every test uses: short producer timeouts, so that an outage is noticed within seconds. */
    static KafkaForwarder.Builder forwarder(String bootstrap, String topic) {
        return KafkaForwarder.builder().bootstrapServers(bootstrap).topic(topic)
                .maxBatchDelay(Duration.ofMillis(20))
                .property("max.block.ms", "2000")
                .property("request.timeout.ms", "2000")
                .property("delivery.timeout.ms", "4000")
                .property("reconnect.backoff.max.ms", "200");
    }

    /** Second {@code s}: one sample per tag. */
    static SampleBatch second(int s) {
        SampleBatch b = new SampleBatch();
        for (int t = 0; t < TAGS; t++) {
            b.add("line1.tag" + t, Instant.ofEpochMilli(T0 + s * 1000L), s + t * 0.01);
        }
        return b;
    }

    static Set<Key> keys(int fromSecond, int toSecond) {
        Set<Key> keys = new HashSet<>();
        for (int s = fromSecond; s < toSecond; s++) {
            for (int t = 0; t < TAGS; t++) {
                keys.add(new Key("line1.tag" + t, T0 + s * 1000L));
            }
        }
        return keys;
    }

    static void write(Historian h, int fromSecond, int toSecond) {
        for (int s = fromSecond; s < toSecond; s++) {
            h.write(second(s));
        }
    }

    Historian.Builder builder() {
        return Historian.builder().dataDirectory(dir).jmx(false);
    }

    /**
     * The broker is down for {@code historian.kafkaOutageSeconds} (default 30) while ingest goes
     * on at about 10 batches a second: no write is refused or held, and once the broker is back
     * every sample arrives, in order per tag.
     */
    @Test
    void brokerStoppedMidStream_thenRestarted_everySampleArrivesInOrderPerTag() {
        long outageNanos = TimeUnit.SECONDS.toNanos(Long.getLong("historian.kafkaOutageSeconds", 30));
        int second;
        try (Historian h = builder().forwarder(forwarder(broker.bootstrapServers(), "outage").build()).build();
                TopicReader reader = new TopicReader(broker.bootstrapServers(), "outage")) {
            write(h, 0, 1_000);
            await().atMost(WAIT).until(() -> reader.poll() >= 0 && reader.records() > 0);
            broker.stop();
            long stoppedAt = System.nanoTime();
            second = 1_000;
            try {
                while (System.nanoTime() - stoppedAt < outageNanos) {
                    h.write(second(second++));
                    // Paces ingest like a poller would; nothing is asserted about time.
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
                assertTrue(h.forwarder("kafka").status().retriedSamples() > 0, h.forwarder("kafka").status()
                        .toString());
                assertTrue(h.forwarder("kafka").status().lagSamples() > 0, h.forwarder("kafka").status().toString());
                assertEquals(0, h.stats().journalFullEvents(), "the outage does not hold up ingest");
            } finally {
                broker.start();
            }
            int resumed = second;
            write(h, resumed, resumed + 1_000);
            Set<Key> written = keys(0, resumed + 1_000);
            awaitTopic(reader, h, "kafka", written, true);
            reader.assertInOrderPerTag();
            await().atMost(WAIT).until(() -> h.forwarder("kafka").status().lagSamples() == 0);
            ForwarderStatus s = h.forwarder("kafka").status();
            assertTrue(s.sentSamples() >= written.size(), s.toString());
            assertTrue(s.sentBytes() > 0, s.toString());
            assertEquals(0, s.deadLetteredSamples(), s.toString());
            assertEquals(written.size(), h.stats().journaledSamples());
        }
    }

    @Test
    void batchRecords_carryEverySampleWithItsQuality_inOrderPerTag_inFewRecords() {
        try (Historian h = builder().forwarder(forwarder(broker.bootstrapServers(), "runs")
                        .format(RecordFormat.PROTOBUF_BATCH).maxSamplesPerRecord(40).build()).build();
                TopicReader reader = new TopicReader(broker.bootstrapServers(), "runs")) {
            write(h, 0, 2_000);
            SampleBatch odd = new SampleBatch();
            odd.add("line1.tag0", Instant.ofEpochMilli(T0 + 2_000_000L), Double.NaN, Quality.BAD_NO_COMMUNICATION);
            odd.add("line1.tag1", Instant.ofEpochMilli(T0 + 2_000_000L), -0.0, Quality.UNCERTAIN_LAST_USABLE_VALUE);
            h.write(odd);
            write(h, 2_001, 3_000);
            Set<Key> written = keys(0, 2_000);
            written.addAll(keys(2_001, 3_000));
            written.add(new Key("line1.tag0", T0 + 2_000_000L));
            written.add(new Key("line1.tag1", T0 + 2_000_000L));
            awaitTopic(reader, h, "kafka", written, true);
            reader.assertInOrderPerTag();
            assertTrue(reader.records() * 5 < written.size(), reader.records() + " records for " + written.size()
                    + " samples");
            Sample bad = reader.samples("line1.tag0").stream().filter(x -> x.timestamp().toEpochMilli()
                    == T0 + 2_000_000L).findFirst().orElseThrow();
            assertTrue(Double.isNaN(bad.value()));
            assertEquals(Quality.BAD_NO_COMMUNICATION, bad.quality());
            Sample uncertain = reader.samples("line1.tag1").stream().filter(x -> x.timestamp().toEpochMilli()
                    == T0 + 2_000_000L).findFirst().orElseThrow();
            assertEquals(Quality.UNCERTAIN_LAST_USABLE_VALUE, uncertain.quality());
            Sample plain = reader.samples("line1.tag3").get(7);
            assertEquals(T0 + 7_000L, plain.timestamp().toEpochMilli());
            assertEquals(7 + 3 * 0.01, plain.value());
            assertEquals(Quality.GOOD, plain.quality());
        }
    }

    @Test
    void historianKilledMidStream_thenReopened_everyJournaledSampleArrives() throws Exception {
        String topic = "killed";
        Path log = dir.resolve("child.log");
        Process child = ChildJvm.start(KafkaWriterChild.class, "512m", log, dir.resolve("data").toString(),
                broker.bootstrapServers(), topic);
        ChildJvm.LastNumber written = ChildJvm.followLastNumber(child);
        try (TopicReader reader = new TopicReader(broker.bootstrapServers(), topic)) {
            // Mid-stream: records are on the topic and the child goes on writing.
            await().atMost(WAIT).until(() -> reader.poll() >= 0 && reader.records() > 2_000);
            long before = written.get();
            await().atMost(WAIT).until(() -> written.get() > before + 100);
            child.destroyForcibly().waitFor();
            written.awaitEnd(10_000);
            long acknowledged = written.get();
            try (Historian h = Historian.builder().dataDirectory(dir.resolve("data")).jmx(false)
                    .forwarder(forwarder(broker.bootstrapServers(), topic).build()).build()) {
                Set<Key> mustHave = keys(0, (int) acknowledged);
                // The write in flight at the kill may or may not have been journaled.
                Set<Key> mayHave = keys(0, (int) acknowledged + 1);
                awaitTopic(reader, h, "kafka", mustHave, false);
                await().atMost(WAIT).until(() -> h.forwarder("kafka").status().lagSamples() == 0);
                reader.poll();
                Set<Key> got = reader.distinct();
                assertTrue(mayHave.containsAll(got), "only written samples arrive");
                reader.assertInOrderPerTag();
            }
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void recordsTheBrokerRefusesForGood_becomeDeadLetters_theRestFlow() {
        String longTag = "line1." + "x".repeat(240);
        try (Historian h = builder()
                .forwarder(forwarder(broker.bootstrapServers(), "refused").property("max.request.size", "400").build())
                .forwarder(forwarder(broker.bootstrapServers(), "refused-json").name("json")
                        .format(RecordFormat.JSON).build())
                .forwarder(forwarder(broker.bootstrapServers(), "refused-batch").name("batch")
                        .format(RecordFormat.PROTOBUF_BATCH).maxSamplesPerRecord(5)
                        .property("max.request.size", "400").build())
                .build();
                TopicReader reader = new TopicReader(broker.bootstrapServers(), "refused")) {
            write(h, 0, 200);
            h.write(new SampleBatch().add(longTag, Instant.ofEpochMilli(T0 + 50_500), 1.0)
                    .add("line1.tag0", Instant.ofEpochMilli(T0 + 50_600), Double.NaN));
            write(h, 200, 400);
            Set<Key> written = keys(0, 400);
            written.add(new Key("line1.tag0", T0 + 50_600));
            awaitTopic(reader, h, "kafka", written, true);
            List<DeadLetter> letters = h.forwarder("kafka").readDeadLetters();
            assertEquals(1, letters.size());
            assertEquals(longTag, letters.get(0).tag());
            assertTrue(letters.get(0).reason().startsWith("RecordTooLargeException"), letters.get(0).reason());

            await().atMost(WAIT).until(() -> h.forwarder("json").status().lagSamples() == 0);
            List<DeadLetter> json = h.forwarder("json").readDeadLetters();
            assertEquals(1, json.size());
            assertTrue(Double.isNaN(json.get(0).value()));
            assertTrue(json.get(0).reason().contains("JSON has no number for NaN"), json.get(0).reason());
            assertEquals(keys(0, 400).size() + 1, h.forwarder("json").status().sentSamples());

            // A batch record too large: every sample in it (here the long tag's one) is a dead letter.
            await().atMost(WAIT).until(() -> h.forwarder("batch").status().lagSamples() == 0);
            List<DeadLetter> batch = h.forwarder("batch").readDeadLetters();
            assertEquals(1, batch.size());
            assertEquals(longTag, batch.get(0).tag());
            assertTrue(batch.get(0).reason().startsWith("RecordTooLargeException"), batch.get(0).reason());
            assertEquals(written.size(), h.forwarder("batch").status().sentSamples());
        }
    }

    @Test
    void brokerDownLongerThanTheJournalBudget_afterRecoveryNothingIsMissing() {
        try (Historian h = builder().journalBudget(DataSize.ofMegabytes(16))
                .forwarder(forwarder(broker.bootstrapServers(), "budget").journalBudget(DataSize.ofMegabytes(1))
                        .build())
                .build();
                TopicReader reader = new TopicReader(broker.bootstrapServers(), "budget")) {
            write(h, 0, 100);
            await().atMost(WAIT).until(() -> reader.poll() >= 0 && reader.records() > 0);
            int end = 100;
            broker.stop();
            try {
                // Beyond the forwarder's budget, its hold on the journal is given up; then as much again.
                while (Internals.journal(h).pinCount() > 0 && end < 200_000) {
                    write(h, end, end + 1_000);
                    end += 1_000;
                }
                assertEquals(0, Internals.journal(h).pinCount(), "the forwarder still holds the journal");
                write(h, end, 2 * end);
                end *= 2;
            } finally {
                broker.start();
            }
            Set<Key> written = keys(0, end);
            awaitTopic(reader, h, "kafka", written, true);
            reader.assertInOrderPerTag();
        }
    }
}
