package io.historian.modbus;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Quality;
import io.historian.Sample;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our client against two independent real servers on 127.0.0.1 (and j2mod's RTU-over-TCP slave). */
class ServerReadTest {

    private static void awaitGood(CollectingSink sink, Iterable<String> tags) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (String t : tags) {
                if (sink.last(t).map(s -> !s.quality().isGood()).orElse(true)) {
                    return false;
                }
            }
            return true;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"j2mod", "digitalpetri", "j2mod-rtu"})
    void everyTypeInEveryOrder_readsTheValuePlacedInTheServer(String kind) {
        try (TestServer server = TestServer.of(kind)) {
            ModbusSource.Builder b = (kind.endsWith("rtu") ? ModbusSource.rtuOverTcp("127.0.0.1", server.port())
                    : ModbusSource.tcp("127.0.0.1", server.port())).name(kind).pollEvery(Duration.ofMillis(50));
            Map<String, Double> expected = new LinkedHashMap<>();
            int wire = 100;
            for (WordOrder order : WordOrder.values()) {
                Object[][] cases = {
                    {DataType.INT16, 1, (long) (short) -1234, -1234.0},
                    {DataType.UINT16, 1, 60000L, 60000.0},
                    {DataType.INT32, 2, (long) -70000, -70000.0},
                    {DataType.UINT32, 2, 4_000_000_000L, 4_000_000_000.0},
                    {DataType.INT64, 4, -5_000_000_000L, -5_000_000_000.0},
                    {DataType.UINT64, 4, 9_000_000_000_000L, 9_000_000_000_000.0},
                    {DataType.FLOAT32, 2, (long) Float.floatToIntBits(123.456f), (double) 123.456f},
                    {DataType.FLOAT64, 4, Double.doubleToLongBits(-2.718281828), -2.718281828},
                };
                for (Object[] c : cases) {
                    DataType type = (DataType) c[0];
                    int regs = (Integer) c[1];
                    String tag = type + "." + order;
                    server.holding(wire, Decoder.registersOf((Long) c[2], regs, order));
                    b.holdingRegister(400001 + wire).type(type, order).tag(tag);
                    expected.put(tag, (Double) c[3]);
                    wire += regs + 1;
                }
            }
            // both ends of the address convention: wire 9 is 40010, wire 0 is 40001
            server.holding(9, 4242);
            server.holding(0, 7);
            b.holdingRegister(40010).tag("hr40010");
            b.holdingRegister(40001).tag("hr40001");
            expected.put("hr40010", 4242.0);
            expected.put("hr40001", 7.0);
            server.input(9, 0x42F6, 0xE979);
            b.inputRegister(30010).float32(WordOrder.ABCD).tag("ir30010").scale(10).offset(1);
            expected.put("ir30010", (double) 123.456f * 10 + 1.0);
            server.coil(0, true);
            server.coil(5, false);
            server.discrete(2, true);
            b.coil(1).tag("coil1").coil(6).tag("coil6").discreteInput(10003).tag("di3");
            expected.put("coil1", 1.0);
            expected.put("coil6", 0.0);
            expected.put("di3", 1.0);
            server.holding(50, 0b1000_0000_0000_0100);
            b.holdingRegister(40051).bit(2).tag("bit2").holdingRegister(40051).bit(15).tag("bit15")
                    .holdingRegister(40051).bit(3).tag("bit3");
            expected.put("bit2", 1.0);
            expected.put("bit15", 1.0);
            expected.put("bit3", 0.0);

            CollectingSink sink = new CollectingSink();
            try (ModbusSource src = b.build()) {
                src.start(sink);
                awaitGood(sink, expected.keySet());
                for (Map.Entry<String, Double> e : expected.entrySet()) {
                    Sample s = sink.last(e.getKey()).orElseThrow();
                    assertEquals(e.getValue(), s.value(), Math.abs(e.getValue()) * 1e-12, kind + " " + e.getKey());
                    assertEquals(Quality.GOOD, s.quality());
                }
                assertEquals(DeviceState.POLLING, src.state());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"j2mod", "digitalpetri"})
    void thousandContiguousRegisters_arePolledInEightRequestsCountedAtTheServer(String kind) {
        try (TestServer server = TestServer.of(kind)) {
            ModbusSource.Builder b = ModbusSource.tcp("127.0.0.1", server.port()).name(kind)
                    .pollEvery(Duration.ofSeconds(30));
            for (int i = 0; i < 1000; i++) {
                server.holding(i, i * 3);
                b.holdingRegister(400001 + i).tag("r" + i);
            }
            CollectingSink sink = new CollectingSink();
            try (ModbusSource src = b.build()) {
                assertEquals(8, src.requestsPerPoll());
                src.start(sink);
                await().atMost(Duration.ofSeconds(20)).until(() -> src.stats().polls() >= 1);
                assertEquals(8, server.requests.get(), "requests counted at the server for one poll");
                assertTrue(server.maxQuantity.get() <= 125);
                assertEquals(999 * 3.0, sink.last("r999").orElseThrow().value());
                assertEquals(1000, sink.all().size());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"j2mod", "digitalpetri"})
    void gapsAndExclusions_areRespectedAtTheServer(String kind) {
        try (TestServer server = TestServer.of(kind)) {
            ModbusSource.Builder b = ModbusSource.tcp("127.0.0.1", server.port()).name(kind)
                    .pollEvery(Duration.ofSeconds(30)).maxGap(5).excludeHoldingRegisters(40020, 40020);
            b.holdingRegister(40001).tag("a").holdingRegister(40006).tag("b") // gap 4: merged
                    .holdingRegister(40018).tag("c").holdingRegister(40022).tag("d") // 40020 excluded: split
                    .coil(1).tag("c1").coil(2000).tag("c2000").coil(2001).tag("c2001"); // 2,000 bits limit
            CollectingSink sink = new CollectingSink();
            try (ModbusSource src = b.build()) {
                src.start(sink);
                await().atMost(Duration.ofSeconds(20)).until(() -> src.stats().polls() >= 1);
                assertEquals(5, server.requests.get());
                assertTrue(server.maxQuantity.get() <= 2000);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void perTagUnitIds_shareOneConnectionAndReadTheirOwnImage() {
        try (TestServer.J2mod server = new TestServer.J2mod(false)) {
            server.holding(1, 0, 11);
            server.holding(2, 0, 22);
            CollectingSink sink = new CollectingSink();
            try (ModbusSource src = ModbusSource.tcp("127.0.0.1", server.port()).pollEvery(Duration.ofMillis(50))
                    .holdingRegister(40001).tag("u1").holdingRegister(40001).unitId(2).tag("u2").build()) {
                src.start(sink);
                awaitGood(sink, java.util.List.of("u1", "u2"));
                assertEquals(11, sink.last("u1").orElseThrow().value());
                assertEquals(22, sink.last("u2").orElseThrow().value());
                assertEquals(1, src.stats().connects());
            }
        }
    }
}
