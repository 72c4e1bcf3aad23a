package io.historian.modbus;

import io.historian.Quality;

/** The device answered a request with a Modbus exception code; the connection stays usable. */
final class ExceptionResponse extends Exception {
    private static final long serialVersionUID = 1L;
    final int code;

    ExceptionResponse(int code, String context) {
        super("modbus exception " + String.format("%02X", code) + " (" + name(code) + ") [" + context + "]",
                null, false, false);
        this.code = code;
    }

    static String name(int code) {
        return switch (code) {
            case 0x01 -> "illegal function";
            case 0x02 -> "illegal data address";
            case 0x03 -> "illegal data value";
            case 0x04 -> "server device failure";
            case 0x05 -> "acknowledge";
            case 0x06 -> "server device busy";
            case 0x08 -> "memory parity error";
            case 0x0A -> "gateway path unavailable";
            case 0x0B -> "gateway target device failed to respond";
            default -> "unknown";
        };
    }

    /**
     * The quality written for the points of a request answered with {@code code}: a request the
     * device cannot serve as configured is a configuration error; a failing device is a device
     * failure; a gateway that cannot reach the device is no communication.
     */
    static Quality quality(int code) {
        return switch (code) {
            case 0x01, 0x02, 0x03 -> Quality.BAD_CONFIGURATION_ERROR;
            case 0x0A, 0x0B -> Quality.BAD_NO_COMMUNICATION;
            default -> Quality.BAD_DEVICE_FAILURE;
        };
    }
}
