package io.historian.sparkplug;

import io.historian.Quality;

/**
 * The historian's OPC UA status codes as the OPC DA quality codes Sparkplug hosts read from a
 * metric's {@code Quality} property: the two top bits of the low byte say Good (192), Uncertain (64)
 * or Bad (0), the bits below a substatus where OPC DA has one.
 */
final class SparkplugQuality {
    static final int GOOD = 192;
    static final int GOOD_LOCAL_OVERRIDE = 216;
    static final int UNCERTAIN = 64;
    static final int UNCERTAIN_LAST_USABLE = 68;
    static final int UNCERTAIN_SENSOR_NOT_ACCURATE = 80;
    static final int BAD = 0;
    static final int BAD_CONFIG_ERROR = 4;
    static final int BAD_DEVICE_FAILURE = 12;
    static final int BAD_SENSOR_FAILURE = 16;
    static final int BAD_COMM_FAILURE = 24;

    private SparkplugQuality() {
    }

    static int of(int statusCode) {
        if (statusCode == Quality.GOOD.code()) {
            return GOOD;
        } else if (statusCode == Quality.GOOD_LOCAL_OVERRIDE.code()) {
            return GOOD_LOCAL_OVERRIDE;
        } else if (statusCode == Quality.UNCERTAIN_LAST_USABLE_VALUE.code()) {
            return UNCERTAIN_LAST_USABLE;
        } else if (statusCode == Quality.UNCERTAIN_SENSOR_NOT_ACCURATE.code()) {
            return UNCERTAIN_SENSOR_NOT_ACCURATE;
        } else if (statusCode == Quality.BAD_NO_COMMUNICATION.code()) {
            return BAD_COMM_FAILURE;
        } else if (statusCode == Quality.BAD_CONFIGURATION_ERROR.code()) {
            return BAD_CONFIG_ERROR;
        } else if (statusCode == Quality.BAD_DEVICE_FAILURE.code()) {
            return BAD_DEVICE_FAILURE;
        } else if (statusCode == Quality.BAD_SENSOR_FAILURE.code()) {
            return BAD_SENSOR_FAILURE;
        }
        int severity = Quality.severity(statusCode);
        return severity == 0 ? GOOD : severity == 1 ? UNCERTAIN : BAD;
    }
}
