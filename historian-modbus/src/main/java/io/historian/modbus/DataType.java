package io.historian.modbus;

import java.util.Locale;

/** How one point's registers or bits decode to a number. */
enum DataType {
    BOOL(0), INT16(1), UINT16(1), INT32(2), UINT32(2), INT64(4), UINT64(4), FLOAT32(2), FLOAT64(4),
    /** One bit of a 16-bit register; the point carries the bit index (0 = least significant). */
    BIT(1);

    private final int registers;

    DataType(int registers) {
        this.registers = registers;
    }

    /** Registers the type occupies; 0 for a coil or discrete input. */
    int registers() {
        return registers;
    }

    /** Parses a CSV type name case-insensitively ("float32", "FLOAT", "uint16" ...); null if unknown. */
    static DataType parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        switch (t) {
            case "FLOAT", "REAL" -> t = "FLOAT32";
            case "DOUBLE" -> t = "FLOAT64";
            case "INT", "SHORT" -> t = "INT16";
            case "UINT", "WORD" -> t = "UINT16";
            case "DINT" -> t = "INT32";
            case "UDINT", "DWORD" -> t = "UINT32";
            case "BOOLEAN", "COIL" -> t = "BOOL";
            default -> { }
        }
        try {
            return DataType.valueOf(t);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
