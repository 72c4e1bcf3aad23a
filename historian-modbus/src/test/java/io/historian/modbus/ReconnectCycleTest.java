package io.historian.modbus;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import io.historian.Quality;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Many disconnect cycles through a proxy that cuts every response in half, against j2mod's
 * slave (a fixed handler pool, so the server's own thread count stays put). The number of
 * cycles is {@code -Dhistorian.modbus.reconnectCycles} (1,000 by default; a soak run raises it).
 */
class ReconnectCycleTest {

    private static List<String> threads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName).sorted()
                .collect(Collectors.toList());
    }

    private static long openFds() {
        return ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getOpenFileDescriptorCount();
    }

    @Test
    void manyDisconnectCycles_leaveThreadsAndSocketsWhereTheyStarted() throws Exception {
        int cycles = Integer.getInteger("historian.modbus.reconnectCycles", 1000);
        try (TestServer server = TestServer.of("j2mod"); FaultProxy proxy = new FaultProxy(server.port())) {
            server.holding(0, 42);
            // warm up the JVM's lazily started threads, the server's handler pool and the proxy
            for (int i = 0; i < 3; i++) {
                try (ModbusSource warm = ModbusSource.tcp("127.0.0.1", proxy.port()).name("warm" + i)
                        .pollEvery(Duration.ofMillis(10)).holdingRegister(40001).tag("warm.v").build()) {
                    CollectingSink s = new CollectingSink();
                    warm.start(s);
                    await().atMost(Duration.ofSeconds(20)).until(() -> s.last("warm.v").isPresent());
                }
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> proxy.openSockets() == 0);
            await().atMost(Duration.ofSeconds(20)).until(() -> !threads().contains("fault-proxy-conn"));
            List<String> before = threads();
            int threadsBefore = before.size();
            long fdsBefore = openFds();

            proxy.mode(FaultProxy.Mode.CUT);
            CollectingSink sink = new CollectingSink();
            try (ModbusSource src = ModbusSource.tcp("127.0.0.1", proxy.port()).name("cycle")
                    .pollEvery(Duration.ofMillis(1)).timeout(Duration.ofMillis(500))
                    .backoff(Duration.ofMillis(1), Duration.ofMillis(2)).holdingRegister(40001).tag("cycle.v")
                    .build()) {
                src.start(sink);
                await().atMost(Duration.ofSeconds(120)).until(() -> src.stats().connectionErrors() >= cycles);
                assertTrue(src.stats().connects() >= cycles);
            }
            assertTrue(threads().stream().noneMatch(n -> n.startsWith("historian-modbus-")), threads().toString());
            await().atMost(Duration.ofSeconds(20)).until(() -> proxy.openSockets() == 0);
            try {
                await().pollInSameThread().atMost(Duration.ofSeconds(30)).until(() -> threads().size() <= threadsBefore);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("threads before " + before + ", after " + threads(), e);
            }
            await().pollInSameThread().atMost(Duration.ofSeconds(30)).alias("file descriptors back to " + fdsBefore)
                    .until(() -> openFds() <= fdsBefore);
            assertTrue(sink.count("cycle.v", Quality.BAD_NO_COMMUNICATION) >= cycles);
        }
    }
}
