package io.historian;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The quality of a sample, as an OPC UA status code: Good, Uncertain or Bad, with a substatus.
 *
 * <pre>{@code
 * historian.write("boiler.temp", now, 81.4, Quality.GOOD);
 * historian.write("boiler.temp", now, Double.NaN, Quality.BAD_NO_COMMUNICATION);
 * }</pre>
 *
 * <p>The 32-bit code is the OPC UA {@code StatusCode}: the two top bits give the severity
 * ({@code 00} Good, {@code 01} Uncertain, {@code 10} Bad), the next 14 bits the substatus. Any code
 * can be stored; the constants below are the ones this library produces itself. Quality flows
 * through formulas and aggregates as the worst of the inputs ({@link #worst(int, int)}).
 *
 * <p><b>Thread safety:</b> immutable.
 */
public final class Quality implements Comparable<Quality> {

    /** The value is good. */
    public static final Quality GOOD = new Quality(0x0000_0000, "Good");
    /** The value was set by hand and overrides the source. */
    public static final Quality GOOD_LOCAL_OVERRIDE = new Quality(0x0096_0000, "Good_LocalOverride");
    /** Communication failed; the value is the last one the source delivered. */
    public static final Quality UNCERTAIN_LAST_USABLE_VALUE = new Quality(0x4090_0000, "Uncertain_LastUsableValue");
    /** The sensor is known to be inaccurate. */
    public static final Quality UNCERTAIN_SENSOR_NOT_ACCURATE = new Quality(0x4093_0000, "Uncertain_SensorNotAccurate");
    /** The source could not be reached. */
    public static final Quality BAD_NO_COMMUNICATION = new Quality(0x8031_0000, "Bad_NoCommunication");
    /** The source is configured wrongly (an illegal address, say). */
    public static final Quality BAD_CONFIGURATION_ERROR = new Quality(0x8089_0000, "Bad_ConfigurationError");
    /** The sensor failed. */
    public static final Quality BAD_SENSOR_FAILURE = new Quality(0x808C_0000, "Bad_SensorFailure");
    /** The device failed. */
    public static final Quality BAD_DEVICE_FAILURE = new Quality(0x808B_0000, "Bad_DeviceFailure");
    /** A calculation could not produce a value (division by zero, a Bad input, NaN from a function). */
    public static final Quality BAD_CALCULATION_FAILED = new Quality(0x80B7_0000, "Bad_CalculationFailed");

    /** No data exists for the requested time: an aggregate interval without a usable sample. */
    public static final Quality BAD_NO_DATA = new Quality(0x809B_0000, "Bad_NoData");

    private static final Map<Integer, Quality> KNOWN = new ConcurrentHashMap<>();

    static {
        for (Quality q : new Quality[] {GOOD, GOOD_LOCAL_OVERRIDE, UNCERTAIN_LAST_USABLE_VALUE,
                UNCERTAIN_SENSOR_NOT_ACCURATE, BAD_NO_COMMUNICATION, BAD_CONFIGURATION_ERROR,
                BAD_SENSOR_FAILURE, BAD_DEVICE_FAILURE, BAD_CALCULATION_FAILED, BAD_NO_DATA}) {
            KNOWN.put(q.code, q);
        }
    }

    private final int code;
    private final String name;

    private Quality(int code, String name) {
        this.code = code;
        this.name = name;
    }

    /**
     * Returns the quality for an OPC UA status code. Known codes return the constants above;
     * others return a new instance named after their severity and hex code.
     *
     * @param code the 32-bit OPC UA status code; any value
     * @return the quality
     */
    public static Quality of(int code) {
        Quality known = KNOWN.get(code);
        if (known != null) {
            return known;
        }
        String severity = switch (severity(code)) {
            case 0 -> "Good";
            case 1 -> "Uncertain";
            default -> "Bad";
        };
        return new Quality(code, severity + "_0x" + String.format("%08X", code));
    }

    /** {@return the 32-bit OPC UA status code} */
    public int code() {
        return code;
    }

    /** {@return true when the severity is Good} */
    public boolean isGood() {
        return severity(code) == 0;
    }

    /** {@return true when the severity is Uncertain} */
    public boolean isUncertain() {
        return severity(code) == 1;
    }

    /** {@return true when the severity is Bad} */
    public boolean isBad() {
        return severity(code) >= 2;
    }

    /**
     * The severity rank of a code: 0 for Good, 1 for Uncertain, 2 for Bad (3, reserved in OPC UA,
     * counts as Bad too).
     *
     * @param code the 32-bit OPC UA status code
     * @return the code's two top bits, 0 to 3
     */
    public static int severity(int code) {
        return code >>> 30;
    }

    /**
     * The worse of two codes: the one with the higher severity; at equal severity, the first.
     * This is how quality combines in formulas, aggregates and chunk headers.
     *
     * @param a a status code
     * @param b another status code
     * @return {@code a} or {@code b}, whichever is worse
     */
    public static int worst(int a, int b) {
        return Math.min(severity(b), 2) > Math.min(severity(a), 2) ? b : a;
    }

    /**
     * The worse of two qualities, as {@link #worst(int, int)}.
     *
     * @param a a quality
     * @param b another quality
     * @return {@code a} or {@code b}, whichever is worse; {@code a} at equal severity
     */
    public static Quality worst(Quality a, Quality b) {
        return worst(a.code, b.code) == a.code ? a : b;
    }

    /** Orders by severity, Good first, then by code. */
    @Override
    public int compareTo(Quality other) {
        int bySeverity = Integer.compare(Math.min(severity(code), 2), Math.min(severity(other.code), 2));
        return bySeverity != 0 ? bySeverity : Integer.compareUnsigned(code, other.code);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quality q && q.code == code;
    }

    @Override
    public int hashCode() {
        return code;
    }

    /** The OPC UA name, such as {@code Bad_NoCommunication}. */
    @Override
    public String toString() {
        return name;
    }
}
