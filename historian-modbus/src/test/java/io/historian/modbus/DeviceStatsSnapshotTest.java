package io.historian.modbus;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** {@link ModbusSource#stats()} is one consistent point, and the same figures are a JMX bean per device. */
class DeviceStatsSnapshotTest {
    private static final int POINTS = 40;

    @Test
    void everySnapshot_whilePolling_countsWholePolls_andEveryRequestsAnswer() {
        try (TestServer server = TestServer.of("j2mod")) {
            ModbusSource.Builder b = ModbusSource.tcp("127.0.0.1", server.port()).name("snap")
                    .pollEvery(Duration.ofMillis(5)).requestPerTag(true);
            ModbusSource.PointBuilder p = b.holdingRegister(40001).tag("snap.0");
            for (int i = 1; i < POINTS; i++) {
                p = p.holdingRegister(40001 + i).tag("snap." + i);
            }
            CollectingSink sink = new CollectingSink();
            try (ModbusSource src = p.build()) {
                assertEquals(POINTS, src.requestsPerPoll());
                src.start(sink);
                long reads = 0;
                long lastPolls = 0;
                // Read as fast as possible while requests are in flight: each snapshot must still balance.
                while (lastPolls < 30) {
                    DeviceStats s = src.stats();
                    reads++;
                    assertEquals(s.requests(), s.responses() + s.timeouts() + s.connectionErrors(), s::toString);
                    assertEquals(s.polls() * POINTS, s.requests(), s::toString);
                    assertTrue(s.polls() >= lastPolls, "counts never go back");
                    lastPolls = s.polls();
                }
                assertTrue(reads > 30);
                DeviceStats s = src.stats();
                assertNotNull(s.lastGoodPoll());
                assertNull(s.unreachableSince());
                assertNull(src.unreachableSince());
            }
        }
    }

    @Test
    void eachStartedDevice_isAJmxBean_withTheSnapshotsFigures_untilClosed() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.historian:type=ModbusDevice,name=\"jmx-plc\"");
        try (TestServer server = TestServer.of("j2mod");
                FaultProxy proxy = new FaultProxy(server.port())) {
            ModbusSource src = ModbusSource.tcp("127.0.0.1", proxy.port()).name("jmx-plc")
                    .pollEvery(Duration.ofMillis(20)).timeout(Duration.ofMillis(200))
                    .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
                    .holdingRegister(40001).tag("jmx.v").build();
            assertFalse(jmx.isRegistered(name), "not before start");
            src.start(new CollectingSink());
            assertTrue(jmx.isRegistered(name));
            await().atMost(Duration.ofSeconds(30)).until(() -> (Long) jmx.getAttribute(name, "Polls") >= 3);
            assertEquals("POLLING", jmx.getAttribute(name, "State"));
            assertTrue((Long) jmx.getAttribute(name, "LastGoodPollMillis") > 0);
            assertEquals(0L, jmx.getAttribute(name, "UnreachableSinceMillis"));

            Instant before = Instant.now().minusSeconds(1);
            proxy.mode(FaultProxy.Mode.STALL);
            await().atMost(Duration.ofSeconds(30)).until(() -> (Long) jmx.getAttribute(name, "Timeouts") >= 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> src.unreachableSince() != null);
            assertTrue(src.unreachableSince().isAfter(before));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> (Long) jmx.getAttribute(name, "UnreachableSinceMillis") > 0);
            proxy.mode(FaultProxy.Mode.PASS);
            await().atMost(Duration.ofSeconds(30)).until(() -> src.unreachableSince() == null);
            src.close();
            assertFalse(jmx.isRegistered(name), "gone after close");
            assertEquals(DeviceState.CLOSED, src.stats().state());
        }
    }
}
