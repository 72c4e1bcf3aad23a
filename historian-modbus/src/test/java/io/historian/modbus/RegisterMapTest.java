package io.historian.modbus;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Quality;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ModbusSource.fromCsv}: one map, checked once, applied to several devices. */
class RegisterMapTest {

    @Test
    void fromCsv_givesAMapThatSeveralDevicesShare_andTheyPollIt(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("register-map.csv");
        Files.writeString(csv, String.join("\n",
                "name,address,type,order,scale,offset,unit,description",
                "boiler.temp,40001,float32,CDAB,0.1,0,degC,Boiler temperature",
                "pump.speed,30010,uint16,,,,rpm,",
                "pump.running,00001,bool,,,,,"));
        RegisterMap map = ModbusSource.fromCsv(csv);
        assertEquals(List.of("boiler.temp", "pump.speed", "pump.running"), map.tags());
        assertEquals(3, map.size());
        assertEquals(csv.toString(), map.file());

        try (TestServer server = TestServer.of("j2mod")) {
            server.holding(0, Decoder.registersOf(Float.floatToIntBits(814.0f), 2, WordOrder.CDAB));
            server.input(9, 1450);
            server.coil(0, true);
            CollectingSink sink = new CollectingSink();
            try (ModbusSource plc = ModbusSource.tcp("127.0.0.1", server.port()).name("plc-7")
                    .pollEvery(Duration.ofMillis(50)).registerMap(map).build()) {
                assertEquals(2, plc.requestsPerPoll() - 1); // holding, input, coil: three requests
                plc.start(sink);
                await().atMost(Duration.ofSeconds(20)).until(() -> sink.last("pump.running").isPresent()
                        && sink.last("boiler.temp").isPresent() && sink.last("pump.speed").isPresent());
                assertEquals(81.4, sink.last("boiler.temp").orElseThrow().value(), 1e-4);
                assertEquals(1450.0, sink.last("pump.speed").orElseThrow().value());
                assertEquals(1.0, sink.last("pump.running").orElseThrow().value());
                assertEquals(Quality.GOOD, sink.last("boiler.temp").orElseThrow().quality());
            }
        }
        // the same map builds a second device, and the names are prefixed by nothing: tags collide
        // only when two maps (or a map and a point) meet in one builder
        ModbusSource other = ModbusSource.tcp("127.0.0.1", 1502).registerMap(map).build();
        assertEquals(3, other.plannedRequests().stream().mapToInt(r -> r.points().size()).sum());
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> ModbusSource.tcp("127.0.0.1", 1502).registerMap(map).registerMap(map).build());
        assertTrue(twice.getMessage().contains("duplicate"), twice.getMessage());
    }

    @Test
    void fromCsv_checksEveryRowAtOnce_namingFileLineAndColumn(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "name,address,type\nok,40001,int16\nserial,40002,string\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModbusSource.fromCsv(csv));
        assertTrue(e.getMessage().contains("line=3") && e.getMessage().contains("column=3 (type)")
                && e.getMessage().contains("not supported") && e.getMessage().contains("bad.csv"), e.getMessage());
        assertThrows(UncheckedIOException.class, () -> ModbusSource.fromCsv(dir.resolve("missing.csv")));
    }
}
