package io.historian.kafka;

import io.historian.Historian;
import java.nio.file.Path;

/**
 * The child JVM of the crash test: a historian forwarding to Kafka, writing one batch of
 * {@link KafkaForwarderIT#TAGS} tags per simulated second until it is killed. After each write
 * returns (the batch is journaled) it prints the seconds written so far.
 */
public final class KafkaWriterChild {
    private KafkaWriterChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path dir = Path.of(args[0]);
        Historian h = Historian.builder().dataDirectory(dir).jmx(false)
                .forwarder(KafkaForwarderIT.forwarder(args[1], args[2]).build()).build();
        for (int s = 0; ; s++) {
            h.write(KafkaForwarderIT.second(s));
            System.out.println(s + 1);
            System.out.flush();
            // Paces the stream (about 10,000 samples/s), so that the test's topic stays small.
            Thread.sleep(1);
        }
    }
}
