package io.historian.modbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigurationErrorTest {

    private static ModbusSource.Builder plc() {
        return ModbusSource.tcp("127.0.0.1", 502).name("plc-7");
    }

    private static void contains(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void duplicateTag_failsAtBuildNamingDeviceTagAndField() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> plc().holdingRegister(40001).tag("a").holdingRegister(40002).tag("a").build());
        contains(e, "duplicate", "device=plc-7", "tag=a", "field=tag");
    }

    @Test
    void pointWithoutTag_failsNamingThePoint() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> plc().holdingRegister(40001).build());
        contains(e, "no tag", "device=plc-7", "holding register 40001");
    }

    @Test
    void typeOnACoil_unitOutOfRange_badBitAndScale_failWithTheValue() {
        contains(assertThrows(IllegalArgumentException.class, () -> plc().coil(1).float32(WordOrder.ABCD)),
                "coil", "field=type");
        contains(assertThrows(IllegalArgumentException.class, () -> plc().unitId(256)), "unitId=256");
        contains(assertThrows(IllegalArgumentException.class, () -> plc().holdingRegister(40001).bit(16)), "bit=16");
        contains(assertThrows(IllegalArgumentException.class, () -> plc().holdingRegister(40001).scale(0)), "scale=0");
        contains(assertThrows(IllegalArgumentException.class, () -> plc().holdingRegister(40001).tag(" x")),
                "invalid tag name", "field=tag");
    }

    @Test
    void valueRunningPastTheLastAddress_orIntoAnExclusion_failsAtBuild() {
        contains(assertThrows(IllegalStateException.class,
                () -> plc().holdingRegister(465536).float32(WordOrder.ABCD).tag("x").build()), "65535", "tag=x");
        contains(assertThrows(IllegalStateException.class,
                () -> plc().excludeHoldingRegisters(40002, 40002).holdingRegister(40001).float32(WordOrder.ABCD)
                        .tag("y").build()), "excluded", "tag=y");
        contains(assertThrows(IllegalStateException.class, () -> plc().maxRegistersPerRequest(2)
                .holdingRegister(40001).float64(WordOrder.ABCD).tag("z").build()), "tag=z", "field=type");
        contains(assertThrows(IllegalStateException.class, () -> plc().build()), "no points", "device=plc-7");
    }

    @Test
    void lifecycle_startTwiceOrAfterClose_isAnIllegalState() {
        ModbusSource src = plc().holdingRegister(40001).tag("a").build();
        assertEquals(DeviceState.NEW, src.state());
        src.close();
        src.close();
        assertEquals(DeviceState.CLOSED, src.state());
        contains(assertThrows(IllegalStateException.class, () -> src.start(new CollectingSink())), "closed", "plc-7");
    }

    @Test
    void csvRegisterMap_addsEveryPoint() {
        ModbusSource.Builder b = plc();
        RegisterMaps.parse(List.of(
                "# plant register map",
                "name,address,type,order,scale,offset,unit,description",
                "boiler.temp,40001,float32,CDAB,0.1,0,degC,Boiler temperature",
                "pump.speed,30010,uint16,,,,rpm,",
                "pump.running,00001,bool,,,,,",
                "\"valve, open\",10002,,,,,,"), "map.csv", b);
        List<Point> points = b.build().plannedRequests().stream().flatMap(r -> r.points().stream()).toList();
        assertEquals(4, points.size());
        Point temp = points.stream().filter(p -> p.tag().equals("boiler.temp")).findFirst().orElseThrow();
        assertEquals(DataType.FLOAT32, temp.type());
        assertEquals(WordOrder.CDAB, temp.order());
        assertEquals(0.1, temp.scale());
        assertEquals(0, temp.address());
        assertTrue(points.stream().anyMatch(p -> p.tag().equals("valve, open") && p.table() == Table.DISCRETE_INPUT
                && p.address() == 1));
    }

    @Test
    void csvRegisterMap_errorsNameLineAndColumn() {
        String header = "name,address,type,order";
        contains(assertThrows(IllegalArgumentException.class, () -> RegisterMaps.parse(
                List.of(header, "a,40001,uint16,", "b,40002,flaot32,"), "map.csv", plc())),
                "unknown type 'flaot32'", "file=map.csv", "line=3", "column=3 (type)");
        contains(assertThrows(IllegalArgumentException.class, () -> RegisterMaps.parse(
                List.of(header, "a,40001,float32,XYZW"), "map.csv", plc())), "line=2", "column=4 (order)");
        contains(assertThrows(IllegalArgumentException.class, () -> RegisterMaps.parse(
                List.of(header, "a,17,uint16,"), "map.csv", plc())), "cannot tell the table", "column=2 (address)");
        contains(assertThrows(IllegalArgumentException.class, () -> RegisterMaps.parse(
                List.of("name,adress"), "map.csv", plc())), "unknown column 'adress'", "line=1", "column=2");
        contains(assertThrows(IllegalArgumentException.class, () -> RegisterMaps.parse(
                List.of(header, "a,40001,int16,", "a,40002,int16,"), "map.csv", plc())),
                "duplicate tag name 'a', also on line 2", "line=3", "column=1 (name)");
        contains(assertThrows(IllegalArgumentException.class, () -> RegisterMaps.parse(
                List.of(header, "serial,40001,string,"), "map.csv", plc())),
                "type 'string' is not supported", "samples are numbers", "line=2", "column=3 (type)");
    }
}
