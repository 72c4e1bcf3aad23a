package io.historian.modbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The probe against real servers: "why is my float wrong" answered by reading the device. */
class ModbusProbeTest {
    private static final float VALUE = 123.456f;

    /** 123.456f in CDAB at wire 9-10 (40010), with non-zero neighbours as on a real device. */
    private static void place(TestServer server) {
        server.holding(8, 1000);
        server.holding(9, Decoder.registersOf(Float.floatToIntBits(VALUE), 2, WordOrder.CDAB));
        server.holding(11, 7, 0x1234);
    }

    private static ModbusProbe probe(TestServer server) {
        return ModbusProbe.tcp("127.0.0.1", server.port()).unitId(1).timeout(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @ValueSource(strings = {"j2mod", "digitalpetri"})
    void floatInCdab_atTheGivenAddress_isRankedFirstWithOffsetZero(String kind) throws IOException {
        try (TestServer server = TestServer.of(kind)) {
            place(server);
            List<ModbusProbe.Match> matches = probe(server).holdingRegister(40010, 123.456);
            assertFalse(matches.isEmpty());
            ModbusProbe.Match best = matches.get(0);
            assertEquals("float32", best.type(), matches.toString());
            assertEquals(WordOrder.CDAB, best.order(), matches.toString());
            assertEquals(0, best.offset());
            assertEquals(40010, best.register());
            assertEquals(1.0, best.scale());
            assertEquals(123.456, best.value(), 1e-4);
            assertTrue(best.error() < 1e-6, best.toString());
            assertEquals("holdingRegister(40010).float32(WordOrder.CDAB)", best.configuration());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"j2mod", "digitalpetri"})
    void addressOneTooHigh_isFoundAtOffsetMinusOne(String kind) throws IOException {
        try (TestServer server = TestServer.of(kind)) {
            place(server);
            List<ModbusProbe.Match> matches = probe(server).holdingRegister(40011, 123.456);
            ModbusProbe.Match best = matches.get(0);
            assertEquals("float32", best.type(), matches.toString());
            assertEquals(WordOrder.CDAB, best.order());
            assertEquals(-1, best.offset());
            assertEquals(40010, best.register());
            // the near miss at the given address (0x42F6_0007, about 123.0 in ABCD) ranks below it
            assertTrue(matches.stream().anyMatch(m -> m.offset() == 0 && m.type().equals("float32")
                    && m.order() == WordOrder.ABCD && Math.abs(m.value() - 123.0) < 1e-3), matches.toString());
        }
    }

    @Test
    void scaledInteger_inAnInputRegister_isFoundWithItsScale() throws IOException {
        try (TestServer server = TestServer.of("j2mod")) {
            server.input(18, 5, 1234, 5); // 1234 at wire 19 = 30020
            List<ModbusProbe.Match> matches = probe(server).inputRegister(30020, 123.4);
            ModbusProbe.Match best = matches.get(0);
            assertEquals(0.1, best.scale(), matches.toString());
            assertEquals(0, best.offset());
            assertEquals("int16", best.type());
            assertEquals("inputRegister(30020).int16().scale(0.1)", best.configuration());
        }
    }

    @Test
    void expectedRange_reportsTheDecodingsInside() throws IOException {
        try (TestServer server = TestServer.of("digitalpetri")) {
            server.holding(30, Decoder.registersOf(Float.floatToIntBits(55.5f), 2, WordOrder.ABCD));
            List<ModbusProbe.Match> matches = probe(server).holdingRegister(40031, 50, 60);
            assertTrue(matches.stream().allMatch(m -> m.value() >= 50 && m.value() <= 60), matches.toString());
            ModbusProbe.Match best = matches.get(0);
            assertEquals("float32", best.type(), matches.toString());
            assertEquals(WordOrder.ABCD, best.order());
            assertEquals(0, best.offset());
        }
    }

    @Test
    void atTheEndOfTheDeviceMap_readsRegisterByRegister() throws IOException {
        try (TestServer server = TestServer.of("j2mod")) {
            int last = TestServer.SIZE - 1; // the window runs past the image: j2mod answers exception 02
            server.holding(last, 4242);
            List<ModbusProbe.Match> matches = probe(server).holdingRegister(last + 1, 4242);
            ModbusProbe.Match best = matches.get(0);
            assertEquals(0, best.offset(), matches.toString());
            assertEquals(1.0, best.scale());
            assertTrue(best.type().endsWith("int16"), best.toString());
        }
    }

    @Test
    void unreachableDevice_isAnIOException_andBadInputIsRefused() throws IOException {
        try (Socket reserved = TestServer.refusingPort()) {
            ModbusProbe p = ModbusProbe.tcp("127.0.0.1", reserved.getLocalPort()).timeout(Duration.ofSeconds(2));
            assertThrows(IOException.class, () -> p.holdingRegister(40001, 1.5));
            assertThrows(IllegalArgumentException.class, () -> p.holdingRegister(30001, 1.5));
            assertThrows(IllegalArgumentException.class, () -> p.holdingRegister(40001, 5, 1));
            assertThrows(IllegalArgumentException.class, () -> p.tolerance(1.5));
        }
    }
}
