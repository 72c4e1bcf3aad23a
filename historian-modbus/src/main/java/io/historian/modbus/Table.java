package io.historian.modbus;

/**
 * The four Modbus data tables, with their read function code, the request size limit the
 * protocol allows and the leading digit of the traditional 5- and 6-digit register numbers.
 */
enum Table {
    COIL(0x01, 2000, 0, "coil"),
    DISCRETE_INPUT(0x02, 2000, 1, "discrete input"),
    INPUT_REGISTER(0x04, 125, 3, "input register"),
    HOLDING_REGISTER(0x03, 125, 4, "holding register");

    final int functionCode;
    final int maxPerRequest;
    final int prefix;
    final String label;

    Table(int functionCode, int maxPerRequest, int prefix, String label) {
        this.functionCode = functionCode;
        this.maxPerRequest = maxPerRequest;
        this.prefix = prefix;
        this.label = label;
    }

    boolean isBits() {
        return this == COIL || this == DISCRETE_INPUT;
    }

    /**
     * Converts a 1-based register number from configuration to the 0-based wire address.
     * Accepted: the 5-digit form ({@code 40001..49999} for holding registers: wire 0..9998), the
     * 6-digit form ({@code 400001..465536}: wire 0..65535) and plain numbers ({@code 1..9999}:
     * wire 0..9998). Coils have the prefix 0, so any number {@code 1..65536} is plain.
     *
     * @throws IllegalArgumentException naming the number and the accepted ranges
     */
    int toWire(int number, String context) {
        if (this == COIL) {
            if (number >= 1 && number <= 65536) {
                return number - 1;
            }
            throw new IllegalArgumentException("coil number out of range, expected 1..65536 (1-based) ["
                    + context + ", address=" + number + "]");
        }
        int five = prefix * 10_000;
        int six = prefix * 100_000;
        if (number >= 1 && number <= 9999) {
            return number - 1;
        }
        if (number >= five + 1 && number <= five + 9999) {
            return number - five - 1;
        }
        if (number >= six + 1 && number <= six + 65536) {
            return number - six - 1;
        }
        String hint = "";
        for (Table t : values()) {
            if (t != this && t != COIL && ((number > t.prefix * 10_000 && number <= t.prefix * 10_000 + 9999)
                    || (number > t.prefix * 100_000 && number <= t.prefix * 100_000 + 65536))) {
                hint = "; " + number + " is a " + t.label + " number";
            }
        }
        throw new IllegalArgumentException(label + " number out of range, expected 1..9999, "
                + (five + 1) + ".." + (five + 9999) + " or " + (six + 1) + ".." + (six + 65536)
                + " (1-based)" + hint + " [" + context + ", address=" + number + "]");
    }

    /** The 1-based number of a wire address, for messages: wire 0 of holding registers is 40001. */
    String display(int wire) {
        if (this == COIL) {
            return String.valueOf(wire + 1);
        }
        return String.valueOf(wire < 9999 ? prefix * 10_000 + wire + 1 : prefix * 100_000 + wire + 1);
    }
}
