/**
 * Modbus TCP and RTU-over-TCP sample sources: {@link io.historian.modbus.ModbusSource} polls one
 * device (Modbus TCP through j2mod's transport, RTU over TCP with our own framing) with our own
 * request planner, deadline and reconnect loop, and writes samples (Bad ones on
 * failure) into the historian; {@link io.historian.modbus.ModbusSource#fromCsv} reads a CSV
 * register map into a {@link io.historian.modbus.RegisterMap}; {@link io.historian.modbus.ModbusProbe}
 * finds the type, word order and address offset that decode a known value. See the module
 * README for the address convention and settings.
 */
package io.historian.modbus;
