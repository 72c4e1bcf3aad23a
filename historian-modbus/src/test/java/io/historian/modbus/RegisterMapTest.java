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

    /** Writes {@code lines} to {@code dir/name} and returns the message fromCsv fails with. */
    private static String loadFails(Path dir, String name, String... lines) throws Exception {
        Path csv = dir.resolve(name);
        Files.writeString(csv, String.join("\n", lines) + "\n");
        return assertThrows(IllegalArgumentException.class, () -> ModbusSource.fromCsv(csv)).getMessage();
    }

    private static void assertNames(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + part + "' missing in: " + message);
        }
    }

    private static final String HEADER = "name,address,type,order,bit";

    @Test
    void fromCsv_anOrderWithoutAType_orAnUnknownOrder_failsAtLoad(@TempDir Path dir) throws Exception {
        // the author meant a float32 in CDAB and forgot the type: one uint16 would be read silently
        assertNames(loadFails(dir, "no-type.csv", HEADER, "ok,40001,float32,CDAB,", "flow,40003,,CDAB,"),
                "no-type.csv", "line=3", "column=4 (order)", "'CDAB'", "without a type");
        // a typo in the order is caught whether or not a type is given
        assertNames(loadFails(dir, "typo.csv", HEADER, "flow,40003,,XXXX,"),
                "typo.csv", "line=2", "column=4 (order)", "unknown order 'XXXX'");
        assertNames(loadFails(dir, "typo-typed.csv", HEADER, "flow,40003,float32,XXXX,"),
                "typo-typed.csv", "line=2", "column=4 (order)", "unknown order 'XXXX'");
        // an order means nothing to a coil or a bit
        assertNames(loadFails(dir, "coil-order.csv", HEADER, "run,00001,bool,BADC,"),
                "coil-order.csv", "line=2", "column=4 (order)", "'BADC'", "does not apply to type 'bool'");
        assertNames(loadFails(dir, "bit-order.csv", HEADER, "alarm,40001,bit,DCBA,3"),
                "bit-order.csv", "line=2", "column=4 (order)", "'DCBA'", "does not apply to type 'bit'");
    }

    @Test
    void fromCsv_boolOnARegister_failsAtLoad_pointingToTypeBit(@TempDir Path dir) throws Exception {
        assertNames(loadFails(dir, "bool.csv", HEADER, "# alarms", "alarm,40005,bool,,"),
                "bool.csv", "line=3", "column=3 (type)", "type 'bool'", "not a holding register", "type bit");
        assertNames(loadFails(dir, "boolean.csv", HEADER, "alarm,30005,Boolean,,"),
                "boolean.csv", "line=2", "column=3 (type)", "type 'Boolean'", "input register");
    }

    @Test
    void fromCsv_aBitWithAnotherType_orAFieldBeyondTheHeader_failsAtLoad(@TempDir Path dir) throws Exception {
        assertNames(loadFails(dir, "bit-uint16.csv", HEADER, "alarm,40005,uint16,,3"),
                "bit-uint16.csv", "line=2", "column=5 (bit)", "bit '3'", "type 'uint16'", "only to type bit");
        assertNames(loadFails(dir, "bit-default.csv", HEADER, "alarm,40005,,,7"),
                "bit-default.csv", "line=2", "column=5 (bit)", "bit '7'", "uint16 (the default)");
        assertNames(loadFails(dir, "bit-coil.csv", HEADER, "run,00001,,,2"),
                "bit-coil.csv", "line=2", "column=5 (bit)", "bit '2'", "bool (the default)");
        // an unquoted comma in a description shifts its second half beyond the header
        assertNames(loadFails(dir, "extra.csv", "name,address,type,description",
                        "boiler.temp,40001,float32,Boiler temperature, main loop"),
                "extra.csv", "line=2", "column=5 (beyond the header)", "extra field 'main loop'",
                "4 columns", "5 fields");
    }

    @Test
    void fromCsv_aValuePastTheLastRegister_failsAtLoad_notAtBuild(@TempDir Path dir) throws Exception {
        // 465536 is wire 65535, the last register: a float32 there would need 65536 too
        assertNames(loadFails(dir, "end.csv", HEADER, "ok,465535,float32,,", "last,465536,float32,,"),
                "end.csv", "line=3", "column=2 (address)", "address '465536'", "float32", "2 registers",
                "runs past the last one (465536)");
        assertNames(loadFails(dir, "end64.csv", HEADER, "last,365534,float64,CDAB,"),
                "end64.csv", "line=2", "column=2 (address)", "address '365534'", "4 registers", "(365536)");
        // maps that do not come from a file name their source the same way
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RegisterMap.of("plant-a/boilers", List.of(HEADER, "last,465536,uint32,ABCD,")));
        assertNames(e.getMessage(), "file=plant-a/boilers", "line=2", "column=2 (address)", "'465536'");
    }

    @Test
    void fromCsv_theValidCombinations_load(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("valid.csv");
        Files.writeString(csv, String.join("\n", HEADER,
                "swapped,40001,uint16,BADC,",
                "alarm,40002,bit,,15",
                "run,00001,,,",
                "open,10001,bool,,",
                "temp,365535,float32,CDAB,",
                "energy,465533,float64,DCBA,,,",   // trailing blank fields carry nothing and pass
                "plain,30001,,,"));
        RegisterMap map = ModbusSource.fromCsv(csv);
        assertEquals(List.of("swapped", "alarm", "run", "open", "temp", "energy", "plain"), map.tags());
        ModbusSource.Builder b = ModbusSource.tcp("127.0.0.1", 1502).registerMap(map);
        List<Point> points = b.build().plannedRequests().stream().flatMap(r -> r.points().stream()).toList();
        Point swapped = points.stream().filter(p -> p.tag().equals("swapped")).findFirst().orElseThrow();
        assertEquals(DataType.UINT16, swapped.type());
        assertEquals(WordOrder.BADC, swapped.order());
        Point alarm = points.stream().filter(p -> p.tag().equals("alarm")).findFirst().orElseThrow();
        assertEquals(DataType.BIT, alarm.type());
        assertEquals(15, alarm.bit());
        Point temp = points.stream().filter(p -> p.tag().equals("temp")).findFirst().orElseThrow();
        assertEquals(65534, temp.address());
        assertEquals(65536, temp.end());
    }
}
