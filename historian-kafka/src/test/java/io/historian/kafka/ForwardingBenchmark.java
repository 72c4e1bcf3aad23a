package io.historian.kafka;

import io.historian.DataSize;
import io.historian.spi.Forwarder;
import io.historian.testing.ForwardingHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Forwarding to a real Kafka broker on 127.0.0.1 (Kafka's own server in KRaft mode, in this JVM,
 * flushing as a production broker does, topics of 4 partitions): a plain {@code main}, not a
 * test. What it measures is in {@link ForwardingHarness}.
 *
 * <pre>
 * mvn -q -pl historian-kafka -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java $FLAGS -Xms4g -Xmx4g -cp historian-kafka/target/test-classes:historian-core/target/test-classes:historian-core/target/classes:historian-kafka/target/classes:$(cat historian-kafka/target/cp.txt) \
 *   io.historian.kafka.ForwardingBenchmark [samples=5000000] [runs=3] [rate=1000000] [seconds=30] [format=PROTOBUF_BATCH]
 * </pre>
 */
public final class ForwardingBenchmark {
    private ForwardingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        ForwardingHarness.Options options = ForwardingHarness.Options.parse(args);
        RecordFormat format = args.length > 4 ? RecordFormat.valueOf(args[4]) : RecordFormat.PROTOBUF_BATCH;
        Path work = Files.createTempDirectory("historian-forwarding-bench");
        try (KafkaBroker broker = new KafkaBroker(work.resolve("broker"), false)) {
            broker.start();
            System.out.println("target: Kafka on " + broker.bootstrapServers() + ", records " + format);
            ForwardingHarness.run(new ForwardingHarness.Target() {
                @Override
                public Forwarder forwarder(String name, String channel) {
                    return KafkaForwarder.builder().name(name).bootstrapServers(broker.bootstrapServers())
                            .topic(channel).format(format).journalBudget(DataSize.ofGigabytes(4)).build();
                }

                @Override
                public void prepare(List<String> topics) throws Exception {
                    try (Admin admin = admin(broker)) {
                        admin.createTopics(topics.stream().map(t -> new NewTopic(t, 4, (short) 1)).toList()).all()
                                .get(1, TimeUnit.MINUTES);
                    }
                }

                @Override
                public void cleanup(List<String> topics) throws Exception {
                    try (Admin admin = admin(broker)) {
                        admin.deleteTopics(topics).all().get(1, TimeUnit.MINUTES);
                    }
                }

                @Override
                public List<String> clientThreads() {
                    return List.of("kafka-producer-network-thread");
                }
            }, work, options);
        } finally {
            ForwardingHarness.deleteTree(work);
        }
    }

    private static Admin admin(KafkaBroker broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }
}
