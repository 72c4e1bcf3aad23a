package io.historian.sparkplug;

import io.historian.Historian;
import java.nio.file.Path;

/**
 * The child JVM of the crash test: a historian forwarding to the MQTT broker, writing one batch
 * of {@link SparkplugForwarderIT#TAGS} tags per simulated second until it is killed. After each
 * write returns (the batch is journaled) it prints the seconds written so far.
 */
public final class SparkplugWriterChild {
    private SparkplugWriterChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path dir = Path.of(args[0]);
        Historian h = Historian.builder().dataDirectory(dir).jmx(false)
                .forwarder(SparkplugForwarderIT.forwarder(args[1]).build()).build();
        for (int s = 0; ; s++) {
            h.write(SparkplugForwarderIT.second(s));
            System.out.println(s + 1);
            System.out.flush();
            // Paces the stream (about 10,000 samples/s), so that the host's backlog stays small.
            Thread.sleep(1);
        }
    }
}
