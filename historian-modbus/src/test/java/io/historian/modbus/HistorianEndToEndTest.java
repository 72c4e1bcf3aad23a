package io.historian.modbus;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.Sample;
import io.historian.query.SampleCursor;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real historian fed by a real Modbus server through our source. */
class HistorianEndToEndTest {

    @Test
    void modbusSource_inAHistorian_storesScaledValuesThatQueriesReturn(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.of("j2mod")) {
            server.holding(0, Decoder.registersOf(Float.floatToIntBits(814.0f), 2, WordOrder.CDAB));
            server.input(9, 1450);
            server.coil(0, true);
            ModbusSource plc = ModbusSource.tcp("127.0.0.1", server.port()).name("plc-7").unitId(1)
                    .pollEvery(Duration.ofMillis(50)).timeout(Duration.ofSeconds(1))
                    .holdingRegister(40001).float32(WordOrder.CDAB).tag("boiler.temp").scale(0.1)
                    .inputRegister(30010).uint16().tag("pump.speed")
                    .coil(1).tag("pump.running")
                    .build();
            Instant from = Instant.now().minusSeconds(1);
            try (Historian historian = Historian.builder().dataDirectory(dir).jmx(false).source(plc).build()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> read(historian, "pump.running", from).size() >= 3);
                List<Sample> temp = read(historian, "boiler.temp", from);
                assertTrue(temp.size() >= 1);
                assertEquals(81.4, temp.get(0).value(), 1e-4);
                assertEquals(Quality.GOOD, temp.get(0).quality());
                assertEquals(1450.0, read(historian, "pump.speed", from).get(0).value());
                assertEquals(1.0, read(historian, "pump.running", from).get(0).value());
                assertEquals(DeviceState.POLLING, plc.state());
            }
            assertEquals(DeviceState.CLOSED, plc.state());
        }
    }

    private static List<Sample> read(Historian h, String tag, Instant from) throws Exception {
        List<Sample> out = new ArrayList<>();
        try (SampleCursor c = h.query(tag).between(from, Instant.now().plusSeconds(60)).raw()) {
            while (c.next()) {
                out.add(c.sample());
            }
        } catch (io.historian.TagNotFoundException e) {
            return out;
        }
        return out;
    }
}
