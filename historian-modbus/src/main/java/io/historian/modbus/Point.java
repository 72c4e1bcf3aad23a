package io.historian.modbus;

/**
 * One configured tag: where it lives on the device and how it decodes.
 *
 * @param tag the historian tag name
 * @param unitId the Modbus unit id (slave id) to address
 * @param table the data table
 * @param address the 0-based wire address of the first register or bit
 * @param type the data type
 * @param order the byte and word order (registers only)
 * @param bit the bit index for {@link DataType#BIT}, else -1
 * @param scale multiplied into the raw value
 * @param offset added after scaling
 */
record Point(String tag, int unitId, Table table, int address, DataType type, WordOrder order, int bit,
             double scale, double offset) {

    /** Registers (or bits, for coils and discrete inputs) the point reads. */
    int width() {
        return table.isBits() ? 1 : type.registers();
    }

    /** One past the last wire address the point reads. */
    int end() {
        return address + width();
    }

    /** For messages: {@code [tag=boiler.temp, holding register 40001, unit=1]}. */
    String describe() {
        return "tag=" + tag + ", " + table.label + " " + table.display(address) + ", unit=" + unitId;
    }
}
