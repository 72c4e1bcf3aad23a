package io.historian.sparkplug;

import io.historian.DataSize;
import io.historian.spi.Forwarder;
import io.historian.testing.ForwardingHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Forwarding to a real MQTT broker on 127.0.0.1 as Sparkplug B edge nodes (Moquette in this JVM,
 * with its persistence on, and no subscriber, so the broker only acknowledges and drops): a plain
 * {@code main}, not a test. Each forwarder is an edge node of group {@code bench} publishing the
 * tags as metrics of device {@code historian} with QoS 1. What it measures is in
 * {@link ForwardingHarness}.
 *
 * <pre>
 * mvn -q -pl historian-sparkplug -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java $FLAGS -Xms4g -Xmx4g -cp historian-sparkplug/target/test-classes:historian-core/target/test-classes:historian-core/target/classes:historian-sparkplug/target/classes:$(cat historian-sparkplug/target/cp.txt) \
 *   io.historian.sparkplug.ForwardingBenchmark [samples=5000000] [runs=3] [rate=1000000] [seconds=30] [maxBatchSamples=5000]
 * </pre>
 */
public final class ForwardingBenchmark {
    private ForwardingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        ForwardingHarness.Options options = ForwardingHarness.Options.parse(args);
        int batchSamples = args.length > 4 ? Integer.parseInt(args[4]) : 5_000;
        Path work = Files.createTempDirectory("historian-sparkplug-bench");
        try (MqttBroker broker = new MqttBroker(work.resolve("broker"))) {
            broker.start();
            System.out.println("target: Sparkplug B over MQTT to Moquette on " + broker.uri()
                    + ", QoS 1, batches of up to " + batchSamples + " samples");
            ForwardingHarness.run(new ForwardingHarness.Target() {
                @Override
                public Forwarder forwarder(String name, String channel) {
                    return SparkplugForwarder.builder().name(name).broker(broker.uri()).groupId("bench")
                            .edgeNodeId(channel).deviceId("historian").journalBudget(DataSize.ofGigabytes(4))
                            .maxBatchSamples(batchSamples).build();
                }

                @Override
                public List<String> clientThreads() {
                    return List.of("MQTT ");
                }
            }, work, options);
        } finally {
            ForwardingHarness.deleteTree(work);
        }
    }
}
