package io.historian.modbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AddressingTest {

    @Test
    void holdingRegister_fiveSixAndPlainSpellings_meanTheSameWireAddress() {
        assertEquals(0, Table.HOLDING_REGISTER.toWire(40001, "t"));
        assertEquals(9, Table.HOLDING_REGISTER.toWire(40010, "t"));
        assertEquals(9998, Table.HOLDING_REGISTER.toWire(49999, "t"));
        assertEquals(0, Table.HOLDING_REGISTER.toWire(400001, "t"));
        assertEquals(65535, Table.HOLDING_REGISTER.toWire(465536, "t"));
        assertEquals(0, Table.HOLDING_REGISTER.toWire(1, "t"));
        assertEquals(9, Table.HOLDING_REGISTER.toWire(10, "t"));
        assertEquals(9, Table.INPUT_REGISTER.toWire(30010, "t"));
        assertEquals(0, Table.DISCRETE_INPUT.toWire(10001, "t"));
        assertEquals(0, Table.COIL.toWire(1, "t"));
        assertEquals(65535, Table.COIL.toWire(65536, "t"));
    }

    @Test
    void holdingRegister_withAnInputRegisterNumber_failsNamingTheTable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModbusSource.tcp("127.0.0.1", 502).name("plc-7").holdingRegister(30010));
        assertTrue(e.getMessage().contains("input register number"), e.getMessage());
        assertTrue(e.getMessage().contains("device=plc-7"), e.getMessage());
        assertTrue(e.getMessage().contains("address=30010"), e.getMessage());
    }

    @Test
    void addressZeroOrBeyondTheTable_failsShowingTheValue() {
        assertThrows(IllegalArgumentException.class, () -> ModbusSource.tcp("127.0.0.1", 502).holdingRegister(0));
        assertThrows(IllegalArgumentException.class, () -> ModbusSource.tcp("127.0.0.1", 502).holdingRegister(465537));
        assertThrows(IllegalArgumentException.class, () -> ModbusSource.tcp("127.0.0.1", 502).coil(65537));
        assertThrows(IllegalArgumentException.class, () -> ModbusSource.tcp("127.0.0.1", 502).inputRegister(15000));
    }

    @Test
    void display_showsTheFiveDigitFormThenTheSixDigitForm() {
        assertEquals("40001", Table.HOLDING_REGISTER.display(0));
        assertEquals("410000", Table.HOLDING_REGISTER.display(9999));
        assertEquals("1", Table.COIL.display(0));
    }
}
