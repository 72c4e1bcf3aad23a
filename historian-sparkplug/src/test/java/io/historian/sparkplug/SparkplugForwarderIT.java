package io.historian.sparkplug;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.DeadLetter;
import io.historian.ForwarderStatus;
import io.historian.Historian;
import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.sparkplug.SparkplugConsumer.Event;
import io.historian.sparkplug.SparkplugConsumer.Key;
import io.historian.sparkplug.SparkplugConsumer.Received;
import io.historian.testing.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Sparkplug B forwarder against a real MQTT broker (Moquette, in this JVM on 127.0.0.1) and a
 * host application written from the specification ({@link SparkplugConsumer}), which decodes every
 * message on its own and checks the session rules as they arrive: births, aliases, sequence
 * numbers, deaths. Every case ends with what such a host would see: deduplicated by (metric,
 * timestamp), exactly the samples written, each tag's in order, with their values and qualities.
 */
class SparkplugForwarderIT {
    static final int TAGS = 10;
    static final String GROUP = "site-a";
    static final String NODE = "line1-gw";
    static final String DEVICE = "historian";
    static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    @TempDir
    Path brokerDir;
    MqttBroker broker;
    SparkplugConsumer host;

    @BeforeEach
    void startBroker() throws Exception {
        broker = new MqttBroker(brokerDir);
        broker.start();
        host = new SparkplugConsumer(broker.uri(), GROUP);
    }

    @AfterEach
    void stopBroker() throws Exception {
        try {
            host.close();
        } finally {
            broker.stop();
        }
    }

    /** The forwarder every test uses: short timeouts, so that an outage is noticed within seconds. */
    static SparkplugForwarder.Builder forwarder(String broker) {
        return SparkplugForwarder.builder().broker(broker).groupId(GROUP).edgeNodeId(NODE).deviceId(DEVICE)
                .maxBatchDelay(Duration.ofMillis(20))
                .keepAlive(Duration.ofSeconds(5))
                .callTimeout(Duration.ofSeconds(10));
    }

    /** The quality of tag {@code t} at second {@code s}: mostly Good, some of each other kind. */
    static Quality quality(int s, int t) {
        return switch ((s * 7 + t) % 13) {
            case 0 -> Quality.BAD_NO_COMMUNICATION;
            case 1 -> Quality.UNCERTAIN_LAST_USABLE_VALUE;
            case 2 -> Quality.GOOD_LOCAL_OVERRIDE;
            case 3 -> Quality.BAD_CALCULATION_FAILED;
            default -> Quality.GOOD;
        };
    }

    static double value(int s, int t) {
        return s + t * 0.01;
    }

    /** Second {@code s}: one sample per tag from {@code firstTag} to {@code endTag}. */
    static SampleBatch second(int s, int firstTag, int endTag) {
        SampleBatch b = new SampleBatch();
        for (int t = firstTag; t < endTag; t++) {
            b.add("line1.tag" + t, Instant.ofEpochMilli(T0 + s * 1000L), value(s, t), quality(s, t));
        }
        return b;
    }

    static SampleBatch second(int s) {
        return second(s, 0, TAGS);
    }

    static Map<Key, Received> expected(int fromSecond, int toSecond, int firstTag, int endTag) {
        Map<Key, Received> m = new HashMap<>();
        for (int s = fromSecond; s < toSecond; s++) {
            for (int t = firstTag; t < endTag; t++) {
                String tag = "line1.tag" + t;
                long ts = T0 + s * 1000L;
                m.put(new Key(tag, ts), new Received(tag, ts, value(s, t), SparkplugForwarder.qualityCode(quality(s, t))));
            }
        }
        return m;
    }

    static Map<Key, Received> expected(int fromSecond, int toSecond) {
        return expected(fromSecond, toSecond, 0, TAGS);
    }

    static void write(Historian h, int fromSecond, int toSecond) {
        for (int s = fromSecond; s < toSecond; s++) {
            h.write(second(s));
        }
    }

    Historian.Builder builder() {
        return Historian.builder().dataDirectory(dir).jmx(false);
    }

    /** Waits until the host holds {@code expected} (deduplicated); on a timeout, says what is missing. */
    void awaitHost(Historian h, String forwarder, Map<Key, Received> expected, boolean exactly) {
        try {
            await().atMost(WAIT).until(() -> {
                Map<Key, Received> got = host.distinct();
                return exactly ? got.equals(expected) : got.entrySet().containsAll(expected.entrySet());
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Map<Key, Received> got = host.distinct();
            long missing = expected.keySet().stream().filter(k -> !got.containsKey(k)).count();
            java.util.LongSummaryStatistics missingSeconds = expected.keySet().stream()
                    .filter(k -> !got.containsKey(k)).mapToLong(k -> (k.timestamp() - T0) / 1000).summaryStatistics();
            List<Key> wrong = expected.entrySet().stream()
                    .filter(x -> got.containsKey(x.getKey()) && !got.get(x.getKey()).equals(x.getValue()))
                    .map(Map.Entry::getKey).limit(5).toList();
            throw new AssertionError("host incomplete [messages=" + host.messages() + ", missing=" + missing
                    + " in seconds " + missingSeconds.getMin() + " to " + missingSeconds.getMax() + ", different=" + wrong + ", extra=" + (got.size() - (expected.size() - missing))
                    + ", violations=" + host.violations().stream().limit(5).toList() + ", status="
                    + (h == null ? "" : h.forwarder(forwarder).status()) + "]", e);
        }
        assertEquals(List.of(), host.violations());
    }

    static long count(List<Event> events, String type) {
        return events.stream().filter(e -> e.type().equals(type)).count();
    }

    @Test
    void everySampleOfSeveralTags_arrivesOnceDeduplicated_inOrder_withValueAndQuality() {
        try (Historian h = builder().forwarder(forwarder(broker.uri()).build()).build()) {
            write(h, 0, 2_000);
            awaitHost(h, "sparkplug", expected(0, 2_000), true);
            host.assertInOrderPerTag();
            await().atMost(WAIT).until(() -> h.forwarder("sparkplug").status().lagSamples() == 0);
            ForwarderStatus s = h.forwarder("sparkplug").status();
            assertEquals(0, s.deadLetteredSamples(), s.toString());
            assertTrue(s.sentBytes() > 20_000L * 20, "bytes published are counted: " + s);
            System.out.printf("published %d samples in %d bytes (%.1f bytes/sample, births included)%n",
                    s.sentSamples(), s.sentBytes(), (double) s.sentBytes() / s.sentSamples());
            List<Event> events = host.events();
            assertEquals("NBIRTH", events.get(0).type());
            assertEquals(0, events.get(0).bdSeq());
            assertEquals("DBIRTH", events.get(1).type());
            assertEquals(Set.copyOf(expected(0, 1).keySet().stream().map(Key::tag).toList()),
                    Set.copyOf(events.get(1).names()));
        }
        // Closing publishes DDEATH and NDEATH (bdSeq of the session) before disconnecting.
        await().atMost(WAIT).until(() -> count(host.events(), "NDEATH") == 1);
        List<Event> events = host.events();
        assertEquals("DDEATH", events.get(events.size() - 2).type());
        assertEquals(new Event("NDEATH", NODE, 0, List.of()), events.get(events.size() - 1));
        assertEquals(List.of(), host.violations());
    }

    /**
     * The broker stops while the historian is being written to, and starts again: the forwarder
     * retries, opens a new session with the next bdSeq, and nothing is lost. The stop comes when
     * the host has everything the forwarder had sent (the writer waits that long): Moquette keeps a
     * subscriber's in-flight window in memory only, so a stop with messages on their way to the
     * host would test the broker's durability, not the forwarder's.
     */
    @Test
    void brokerStoppedMidStream_thenStarted_newBirthWithTheNextBdSeq_andNoSampleLost() throws Exception {
        int seconds = 3_000;
        try (Historian h = builder().forwarder(forwarder(broker.uri()).build()).build()) {
            AtomicInteger next = new AtomicInteger();
            AtomicBoolean paused = new AtomicBoolean();
            // Writes on, about 10,000 samples/s, through the outage and after it.
            Thread writer = new Thread(() -> {
                for (int s = next.get(); s < seconds; s = next.incrementAndGet()) {
                    while (paused.get()) {
                        LockSupport.parkNanos(1_000_000);
                    }
                    h.write(second(s));
                    LockSupport.parkNanos(1_000_000);
                }
            }, "writer");
            writer.start();
            try {
                await().atMost(WAIT).until(() -> host.samples().size() > 500);
                paused.set(true);
                await().atMost(WAIT).until(() -> h.forwarder("sparkplug").status().lagSamples() == 0
                        && host.samples().size() >= h.forwarder("sparkplug").status().sentSamples());
                broker.stop();
                host.brokerRestarted();
                paused.set(false);
                try {
                    await().atMost(WAIT).until(() -> h.forwarder("sparkplug").status().retriedSamples() > 0);
                } finally {
                    broker.start();
                }
            } finally {
                paused.set(false);
                writer.join();
            }
            awaitHost(h, "sparkplug", expected(0, seconds), true);
            host.assertInOrderPerTag();
            List<Long> births = host.events().stream().filter(e -> e.type().equals("NBIRTH")).map(Event::bdSeq)
                    .distinct().toList();
            assertEquals(List.of(0L, 1L), births, "one connect before the outage, one after");
            assertEquals(0, h.forwarder("sparkplug").status().deadLetteredSamples());
        }
    }

    @Test
    void rebirthCommand_publishesNodeAndDeviceBirthsAgain() throws Exception {
        try (Historian h = builder().forwarder(forwarder(broker.uri()).build()).build()) {
            write(h, 0, 100);
            awaitHost(h, "sparkplug", expected(0, 100), true);
            assertEquals(1, count(host.events(), "NBIRTH"));
            host.requestRebirth(NODE);
            // The forwarder answers with its next batch; keep the samples coming until it has.
            int[] s = {100};
            await().atMost(WAIT).until(() -> {
                write(h, s[0], s[0] + 10);
                s[0] += 10;
                return count(host.events(), "NBIRTH") == 2 && count(host.events(), "DBIRTH") == 2;
            });
            awaitHost(h, "sparkplug", expected(0, s[0]), true);
            List<Event> events = host.events();
            Event rebirth = events.stream().filter(e -> e.type().equals("NBIRTH")).skip(1).findFirst().orElseThrow();
            assertEquals(0, rebirth.bdSeq(), "a rebirth keeps the connection and its bdSeq");
            Event deviceRebirth = events.get(events.indexOf(rebirth) + 1);
            assertEquals("DBIRTH", deviceRebirth.type());
            assertEquals(TAGS, deviceRebirth.names().size());
        }
    }

    @Test
    void tagFirstSeenAfterTheBirth_isBornBeforeItsData_nodeMetrics() {
        SparkplugForwarder nodeMetrics = SparkplugForwarder.builder().broker(broker.uri()).groupId(GROUP)
                .edgeNodeId(NODE).maxBatchDelay(Duration.ofMillis(20)).callTimeout(Duration.ofSeconds(10)).build();
        try (Historian h = builder().forwarder(nodeMetrics).build()) {
            for (int s = 0; s < 100; s++) {
                h.write(second(s, 0, 5));
            }
            awaitHost(h, "sparkplug", expected(0, 100, 0, 5), true);
            long births = count(host.events(), "NBIRTH");
            for (int s = 100; s < 200; s++) {
                h.write(second(s));
            }
            Map<Key, Received> all = expected(0, 100, 0, 5);
            all.putAll(expected(100, 200));
            // The host refuses data whose alias no birth of the session announced: awaitHost checks it.
            awaitHost(h, "sparkplug", all, true);
            List<Event> nodeBirths = host.events().stream().filter(e -> e.type().equals("NBIRTH")).toList();
            assertTrue(nodeBirths.size() > births, "a new NBIRTH for the new tags: " + nodeBirths);
            Event last = nodeBirths.get(nodeBirths.size() - 1);
            assertTrue(last.names().containsAll(all.keySet().stream().map(Key::tag).toList()), last.toString());
            assertTrue(last.names().containsAll(List.of("bdSeq", "Node Control/Rebirth")), last.toString());
            assertEquals(0, last.bdSeq(), "the same connection");
            assertEquals(0, count(host.events(), "DBIRTH"), "node metrics, no device");
        }
    }

    @Test
    void refusedSamples_becomeDeadLettersWithTheReason_theRestFlow() {
        String longTag = "line1." + "x".repeat(240);
        try (Historian h = builder()
                .forwarder(forwarder(broker.uri()).tags("line1.*").maxMessageSize(io.historian.DataSize.ofKilobytes(1))
                        .build())
                .forwarder(SparkplugForwarder.builder().name("node").broker(broker.uri()).groupId(GROUP)
                        .edgeNodeId("node2").maxBatchDelay(Duration.ofMillis(20)).callTimeout(Duration.ofSeconds(10))
                        .tags("bdSeq").build())
                .build()) {
            write(h, 0, 200);
            h.write(new SampleBatch().add(longTag, Instant.ofEpochMilli(T0 + 50_500), 1.0)
                    .add("bdSeq", Instant.ofEpochMilli(T0 + 50_600), 2.0));
            write(h, 200, 400);
            awaitHost(h, "sparkplug", expected(0, 400), true);
            await().atMost(WAIT).until(() -> h.forwarder("sparkplug").status().lagSamples() == 0
                    && h.forwarder("node").status().lagSamples() == 0);
            List<DeadLetter> letters = h.forwarder("sparkplug").readDeadLetters();
            assertEquals(1, letters.size(), letters.toString());
            assertEquals(longTag, letters.get(0).tag());
            assertTrue(letters.get(0).reason().startsWith("the birth certificate would exceed maxMessageSize"),
                    letters.get(0).reason());
            List<DeadLetter> node = h.forwarder("node").readDeadLetters();
            assertEquals(1, node.size(), node.toString());
            assertEquals("bdSeq", node.get(0).tag());
            assertTrue(node.get(0).reason().startsWith("the metric name is the edge node's own"), node.get(0).reason());
            ForwarderStatus s = h.forwarder("sparkplug").status();
            assertEquals(expected(0, 400).size(), s.sentSamples(), s.toString());
            assertEquals(1, s.deadLetteredSamples(), s.toString());
        }
    }

    @Test
    void historianKilledMidStream_willAnnouncesItsDeath_andAfterReopeningEverySampleArrives() throws Exception {
        Path log = dir.resolve("child.log");
        Process child = ChildJvm.start(SparkplugWriterChild.class, "512m", log, dir.resolve("data").toString(),
                broker.uri());
        ChildJvm.LastNumber written = ChildJvm.followLastNumber(child);
        try {
            // Mid-stream: samples reach the host and the child goes on writing.
            await().atMost(WAIT).until(() -> host.samples().size() > 2_000);
            long before = written.get();
            await().atMost(WAIT).until(() -> written.get() > before + 100);
            child.destroyForcibly().waitFor();
            written.awaitEnd(10_000);
            long acknowledged = written.get();
            // The broker publishes the will of the dead connection: NDEATH with the session's bdSeq.
            await().atMost(WAIT).until(() -> count(host.events(), "NDEATH") == 1);
            Event death = host.events().stream().filter(e -> e.type().equals("NDEATH")).findFirst().orElseThrow();
            Event birth = host.events().stream().filter(e -> e.type().equals("NBIRTH")).reduce((a, b) -> b)
                    .orElseThrow();
            assertEquals(birth.bdSeq(), death.bdSeq());
            assertEquals(List.of(), host.violations());
            try (Historian h = Historian.builder().dataDirectory(dir.resolve("data")).jmx(false)
                    .forwarder(forwarder(broker.uri()).build()).build()) {
                // The write in flight at the kill may or may not have been journaled.
                awaitHost(h, "sparkplug", expected(0, (int) acknowledged), false);
                await().atMost(WAIT).until(() -> h.forwarder("sparkplug").status().lagSamples() == 0);
                Map<Key, Received> mayHave = expected(0, (int) acknowledged + 1);
                assertTrue(mayHave.entrySet().containsAll(host.distinct().entrySet()), "only written samples arrive");
                host.assertInOrderPerTag();
            }
        } finally {
            child.destroyForcibly();
        }
    }
}
