package io.historian.modbus;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Quality;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Faults injected by a TCP proxy between our client and digitalpetri's server. */
class FaultTest {
    private TestServer server;
    private FaultProxy proxy;

    @BeforeEach
    void setUp() throws Exception {
        server = TestServer.of("digitalpetri");
        server.holding(0, 42);
        proxy = new FaultProxy(server.port());
    }

    @AfterEach
    void tearDown() throws Exception {
        proxy.close();
        server.close();
    }

    private ModbusSource source(String name, int port) {
        return ModbusSource.tcp("127.0.0.1", port).name(name).pollEvery(Duration.ofMillis(20))
                .timeout(Duration.ofMillis(200)).backoff(Duration.ofMillis(10), Duration.ofMillis(50))
                .holdingRegister(40001).tag(name + ".v").build();
    }

    private static void awaitQuality(CollectingSink sink, String tag, Quality q) {
        await().atMost(Duration.ofSeconds(20)).until(() -> sink.last(tag).map(s -> s.quality().equals(q)).orElse(false));
    }

    @Test
    void stalledDevice_writesBadNoCommunication_andPollingResumesWhenItAnswersAgain() {
        CollectingSink sink = new CollectingSink();
        try (ModbusSource src = source("stall", proxy.port())) {
            src.start(sink);
            awaitQuality(sink, "stall.v", Quality.GOOD);
            proxy.mode(FaultProxy.Mode.STALL);
            awaitQuality(sink, "stall.v", Quality.BAD_NO_COMMUNICATION);
            assertTrue(src.stats().timeouts() >= 1);
            proxy.mode(FaultProxy.Mode.PASS);
            awaitQuality(sink, "stall.v", Quality.GOOD);
            assertEquals(42, sink.last("stall.v").orElseThrow().value());
            assertTrue(src.stats().reconnects() >= 1);
        }
        assertEquals(DeviceState.CLOSED, sourceStateAfterClose());
    }

    private DeviceState sourceStateAfterClose() {
        ModbusSource s = source("closed", proxy.port());
        s.start(new CollectingSink());
        s.close();
        return s.state();
    }

    @Test
    void connectionCutMidResponse_writesBad_andReconnects() {
        CollectingSink sink = new CollectingSink();
        try (ModbusSource src = source("cut", proxy.port())) {
            src.start(sink);
            awaitQuality(sink, "cut.v", Quality.GOOD);
            proxy.mode(FaultProxy.Mode.CUT);
            awaitQuality(sink, "cut.v", Quality.BAD_NO_COMMUNICATION);
            await().atMost(Duration.ofSeconds(20)).until(() -> src.stats().connectionErrors() >= 1);
            proxy.mode(FaultProxy.Mode.PASS);
            awaitQuality(sink, "cut.v", Quality.GOOD);
        }
    }

    @Test
    void slowDevice_withinTheTimeoutIsGood_beyondItIsBad() {
        CollectingSink sink = new CollectingSink();
        try (ModbusSource src = source("slow", proxy.port())) {
            proxy.delayMillis = 50;
            proxy.mode(FaultProxy.Mode.SLOW);
            src.start(sink);
            awaitQuality(sink, "slow.v", Quality.GOOD);
            assertTrue(src.stats().maxLatency().toMillis() >= 50);
            proxy.delayMillis = 400;
            awaitQuality(sink, "slow.v", Quality.BAD_NO_COMMUNICATION);
            proxy.delayMillis = 0;
            awaitQuality(sink, "slow.v", Quality.GOOD);
        }
    }

    @Test
    void exceptionCodes_becomeTheMatchingBadQuality_andKeepTheConnection() {
        CollectingSink sink = new CollectingSink();
        try (ModbusSource src = source("exc", proxy.port())) {
            src.start(sink);
            awaitQuality(sink, "exc.v", Quality.GOOD);
            proxy.exceptionCode = 2;
            proxy.mode(FaultProxy.Mode.EXCEPTION);
            awaitQuality(sink, "exc.v", Quality.BAD_CONFIGURATION_ERROR);
            proxy.exceptionCode = 4;
            awaitQuality(sink, "exc.v", Quality.BAD_DEVICE_FAILURE);
            proxy.exceptionCode = 0x0B;
            awaitQuality(sink, "exc.v", Quality.BAD_NO_COMMUNICATION);
            proxy.mode(FaultProxy.Mode.PASS);
            awaitQuality(sink, "exc.v", Quality.GOOD);
            DeviceStats stats = src.stats();
            assertTrue(stats.exceptionsByCode().getOrDefault(2, 0L) >= 1);
            assertTrue(stats.exceptionsByCode().getOrDefault(4, 0L) >= 1);
            assertEquals(1, stats.connects(), "exception responses keep the connection");
        }
    }

    @Test
    void deadDevice_doesNotStopAnotherDevicesPollCountRising() {
        CollectingSink sink = new CollectingSink();
        proxy.mode(FaultProxy.Mode.STALL);
        try (ModbusSource dead = source("dead", proxy.port()); ModbusSource alive = source("alive", server.port())) {
            dead.start(sink);
            alive.start(sink);
            awaitQuality(sink, "dead.v", Quality.BAD_NO_COMMUNICATION);
            long before = alive.stats().polls();
            await().atMost(Duration.ofSeconds(20)).until(() -> alive.stats().polls() >= before + 20);
            assertEquals(0, dead.stats().polls());
            assertTrue(dead.stats().failedPolls() >= 1);
        }
    }

    @Test
    void unreachableDevice_backsOff_andWritesBadNoCommunication() throws Exception {
        CollectingSink sink = new CollectingSink();
        try (Socket reserved = TestServer.refusingPort();
             ModbusSource src = source("gone", reserved.getLocalPort())) {
            src.start(sink);
            awaitQuality(sink, "gone.v", Quality.BAD_NO_COMMUNICATION);
            await().atMost(Duration.ofSeconds(20)).until(() -> src.stats().connectFailures() >= 3);
            DeviceState s = src.state();
            assertTrue(s == DeviceState.BACKING_OFF || s == DeviceState.CONNECTING, s.toString());
        }
    }

}
