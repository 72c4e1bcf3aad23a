package io.historian.modbus;

import io.historian.testing.ApiSurface;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** This module's public types are exactly its API, in io.historian.modbus, showing nothing internal. */
class ApiSurfaceTest {
    @Test
    void publicTypes_areTheApiAndShowNothingInternal() {
        ApiSurface.check(ModbusSource.class, Set.of("io.historian.modbus"), new TreeSet<>("""
                io.historian.modbus.DeviceState
                io.historian.modbus.DeviceStats
                io.historian.modbus.ModbusDeviceMXBean
                io.historian.modbus.ModbusMetrics
                io.historian.modbus.ModbusProbe
                io.historian.modbus.ModbusProbe$Match
                io.historian.modbus.ModbusSource
                io.historian.modbus.ModbusSource$Builder
                io.historian.modbus.ModbusSource$PointBuilder
                io.historian.modbus.RegisterMap
                io.historian.modbus.WordOrder
                """.strip().lines().toList()));
    }
}
