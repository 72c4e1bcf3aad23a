package io.historian.sparkplug;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A real MQTT 3.1.1 broker for tests: Moquette, in this JVM, on a fixed port of 127.0.0.1 and with
 * its sessions and queues persisted in a directory, so that a stop and a start keep its address,
 * a persistent subscriber's session and the messages queued for it.
 */
final class MqttBroker implements AutoCloseable {
    private final Path dataDir;
    private final int port;
    private Server server;

    MqttBroker(Path dataDir) {
        this.dataDir = dataDir;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            this.port = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    synchronized void start() {
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", String.valueOf(port));
        p.setProperty("websocket_port", "disabled");
        p.setProperty("allow_anonymous", "true");
        p.setProperty("persistence_enabled", "true");
        p.setProperty("data_path", dataDir.toString());
        // Moquette reports usage to its authors unless told not to; tests stay on loopback.
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("netty.mqtt.message_size", String.valueOf(1 << 20));
        p.setProperty("immediate_buffer_flush", "true");
        p.setProperty("session_queue_size", "100000");
        Server s = new Server();
        try {
            s.startServer(new MemoryConfig(p));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the MQTT broker on " + uri(), e);
        }
        server = s;
    }

    synchronized void stop() {
        if (server != null) {
            server.stopServer();
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
