package io.historian.modbus;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Answers "why is my value wrong": given a register and one value the device is known to hold
 * (read off its display, say), reads the registers around it and reports every data type, word
 * order, address offset and scale that decodes to that value, best match first.
 *
 * <pre>{@code
 * // the HMI shows 123.456 for "temperature, 40011"
 * List<ModbusProbe.Match> m = ModbusProbe.tcp("127.0.0.1", 502).unitId(1)
 *         .holdingRegister(40011, 123.456);
 * m.get(0);  // float32 CDAB at 40010 (offset -1, scale 1): 123.456
 * m.get(0).configuration();  // holdingRegister(40010).float32(WordOrder.CDAB)
 * }</pre>
 *
 * <p>Candidates: int16, uint16, int32, uint32, int64, uint64, float32 and float64; the four orders
 * ABCD, DCBA, BADC, CDAB (for 16-bit types only the byte swap matters, so ABCD and BADC); the
 * first register at the given address, one lower or one higher (the off-by-one of 0- and
 * 1-based numbering); scales 1, 0.1 and 0.01 for the integer types. One window of up to six
 * registers is read (address - 1 .. address + 4); if the device refuses it (exception 02 at the
 * end of its map), each register is read alone and the ones it refuses are left out.
 *
 * <p>Ranking: closest relative error first; at equal error, offset 0 before -1 and +1, scale 1
 * before 0.1 before 0.01, float before integer types, narrower before wider, ABCD before the
 * other orders. A candidate is reported when its relative error is at most the
 * {@linkplain #tolerance tolerance} (default 1%); with a range, when it lies inside the range.
 * A range is weaker evidence than a value: many registers decode into a wide range, zeros
 * especially. Give a value the registers do not hold by chance (not 0 or 1).
 *
 * <p><b>Thread safety:</b> the builder methods are not thread-safe; each probe call opens its
 * own connection, reads, closes it and returns, and may be called from any thread.
 */
public final class ModbusProbe {
    private static final int[] OFFSETS = {0, -1, 1};
    private static final double[] SCALES = {1, 0.1, 0.01};
    private static final DataType[] TYPES = {DataType.FLOAT32, DataType.FLOAT64, DataType.INT16, DataType.UINT16,
        DataType.INT32, DataType.UINT32, DataType.INT64, DataType.UINT64};

    private final String host;
    private final int port;
    private final boolean rtu;
    private int unitId = 1;
    private Duration timeout = Duration.ofSeconds(2);
    private double tolerance = 0.01;

    private ModbusProbe(String host, int port, boolean rtu) {
        ModbusSource.tcp(host, port); // validates host and port with the builder's messages
        this.host = host;
        this.port = port;
        this.rtu = rtu;
    }

    /**
     * A probe of the Modbus TCP device at {@code host:port}.
     *
     * @param host the device's host name or IP address, not blank
     * @param port the TCP port, 1 to 65535
     * @return the probe; nothing is sent until a probe call
     */
    public static ModbusProbe tcp(String host, int port) {
        return new ModbusProbe(host, port, false);
    }

    /**
     * A probe of a serial (RTU) device behind a transparent TCP gateway at {@code host:port}.
     *
     * @param host the gateway's host name or IP address, not blank
     * @param port the gateway's TCP port, 1 to 65535
     * @return the probe; nothing is sent until a probe call
     */
    public static ModbusProbe rtuOverTcp(String host, int port) {
        return new ModbusProbe(host, port, true);
    }

    /**
     * The unit id (0..255) to address; default 1.
     *
     * @param unitId the unit (slave) id, 0 to 255
     * @return this probe
     */
    public ModbusProbe unitId(int unitId) {
        this.unitId = ModbusSource.checkUnit(unitId, "probe " + host + ":" + port);
        return this;
    }

    /**
     * The connect timeout and the deadline of each read; default 2 s.
     *
     * @param timeout the timeout, positive
     * @return this probe
     */
    public ModbusProbe timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive [probe " + host + ":" + port + ", timeout="
                    + timeout + "]");
        }
        this.timeout = timeout;
        return this;
    }

    /**
     * The largest relative error, {@code |decoded - expected| / |expected|}, that still counts as a
     * match (absolute when the expected value is 0); default 0.01. Displays round, so be generous.
     *
     * @param relative the tolerance, at least 0 and below 1
     * @return this probe
     */
    public ModbusProbe tolerance(double relative) {
        if (!(relative >= 0 && relative < 1)) {
            throw new IllegalArgumentException("tolerance out of range [0, 1) [probe " + host + ":" + port
                    + ", tolerance=" + relative + "]");
        }
        this.tolerance = relative;
        return this;
    }

    /**
     * The decodings of the holding registers around {@code number} (any spelling of
     * {@link ModbusSource}: 40010, 400010, 10) that give {@code expected}, best first; empty if
     * none does.
     *
     * @param number the 1-based register number where the value should start
     * @param expected the value the device is known to hold, finite; best not 0 or 1
     * @return the matching decodings, best first; empty if none matches
     * @throws IOException if the device cannot be reached, or refuses every register around it
     */
    public List<Match> holdingRegister(int number, double expected) throws IOException {
        return probe(Table.HOLDING_REGISTER, number, expected, expected);
    }

    /**
     * Like {@link #holdingRegister(int, double)}, for a value known to lie in {@code [min, max]}.
     *
     * @param number the 1-based register number where the value should start
     * @param min the lowest plausible value, finite
     * @param max the highest plausible value, finite and not below {@code min}
     * @return the matching decodings, best first; empty if none matches
     * @throws IOException if the device cannot be reached, or refuses every register around it
     */
    public List<Match> holdingRegister(int number, double min, double max) throws IOException {
        return probe(Table.HOLDING_REGISTER, number, min, max);
    }

    /**
     * Like {@link #holdingRegister(int, double)}, for input registers (30010, 300010, 10).
     *
     * @param number the 1-based input register number where the value should start
     * @param expected the value the device is known to hold, finite; best not 0 or 1
     * @return the matching decodings, best first; empty if none matches
     * @throws IOException if the device cannot be reached, or refuses every register around it
     */
    public List<Match> inputRegister(int number, double expected) throws IOException {
        return probe(Table.INPUT_REGISTER, number, expected, expected);
    }

    /**
     * Like {@link #holdingRegister(int, double, double)}, for input registers.
     *
     * @param number the 1-based input register number where the value should start
     * @param min the lowest plausible value, finite
     * @param max the highest plausible value, finite and not below {@code min}
     * @return the matching decodings, best first; empty if none matches
     * @throws IOException if the device cannot be reached, or refuses every register around it
     */
    public List<Match> inputRegister(int number, double min, double max) throws IOException {
        return probe(Table.INPUT_REGISTER, number, min, max);
    }

    private List<Match> probe(Table table, int number, double min, double max) throws IOException {
        String ctx = "probe " + host + ":" + port + ", unit=" + unitId + ", " + table.label + " " + number;
        if (!Double.isFinite(min) || !Double.isFinite(max) || max < min) {
            throw new IllegalArgumentException("expected value or range must be finite and ordered [" + ctx + ", min="
                    + min + ", max=" + max + "]");
        }
        int wire = table.toWire(number, ctx + ", field=address");
        int first = Math.max(0, wire - 1);
        int last = Math.min(65535, wire + 4);
        Integer[] words = read(table, first, last - first + 1, ctx);
        return rank(table, wire, first, words, min, max, tolerance);
    }

    /** The registers {@code first..first+count-1}; null where the device refused one. */
    private Integer[] read(Table table, int first, int count, String ctx) throws IOException {
        Integer[] words = new Integer[count];
        long timeoutNanos = timeout.toNanos();
        try (ModbusConnection c = ModbusConnection.open(host, port, rtu,
                (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)), "probe")) {
            try {
                byte[] data = c.read(unitId, table, first, count, System.nanoTime() + timeoutNanos, ctx);
                for (int i = 0; i < count; i++) {
                    words[i] = ((data[2 * i] & 0xFF) << 8) | (data[2 * i + 1] & 0xFF);
                }
                return words;
            } catch (ExceptionResponse whole) {
                ExceptionResponse lastRefusal = whole;
                boolean any = false;
                for (int i = 0; i < count; i++) {
                    try {
                        byte[] data = c.read(unitId, table, first + i, 1, System.nanoTime() + timeoutNanos, ctx);
                        words[i] = ((data[0] & 0xFF) << 8) | (data[1] & 0xFF);
                        any = true;
                    } catch (ExceptionResponse one) {
                        lastRefusal = one;
                    }
                }
                if (!any) {
                    throw new IOException("device refuses every register around the address: "
                            + lastRefusal.getMessage(), lastRefusal);
                }
                return words;
            }
        }
    }

    /** Every decoding of {@code words} (read from wire {@code first}) near {@code wire} that matches. */
    static List<Match> rank(Table table, int wire, int first, Integer[] words, double min, double max,
                            double tolerance) {
        List<Match> out = new ArrayList<>();
        double target = (min + max) / 2;
        for (int offset : OFFSETS) {
            int start = wire + offset;
            if (start < 0) {
                continue;
            }
            for (DataType type : TYPES) {
                int n = type.registers();
                byte[] data = window(words, start - first, n);
                if (data == null) {
                    continue;
                }
                boolean isFloat = type == DataType.FLOAT32 || type == DataType.FLOAT64;
                for (WordOrder order : WordOrder.values()) {
                    if (n == 1 && order.wordSwap()) {
                        continue; // for one register CDAB = ABCD and DCBA = BADC
                    }
                    Point p = new Point("probe", 0, table, 0, type, order, -1, 1, 0);
                    double raw = Decoder.raw(p, data, 0, 0);
                    if (!Double.isFinite(raw)) {
                        continue;
                    }
                    for (double scale : SCALES) {
                        if (isFloat && scale != 1) {
                            continue;
                        }
                        double value = raw * scale;
                        double error;
                        if (min == max) {
                            error = Math.abs(value - target) / (target == 0 ? 1 : Math.abs(target));
                            if (error > tolerance) {
                                continue;
                            }
                        } else {
                            if (value < min || value > max) {
                                continue;
                            }
                            error = 0;
                        }
                        out.add(new Match(type.name().toLowerCase(Locale.ROOT), order, offset,
                                Integer.parseInt(table.display(start)), scale, value, error));
                    }
                }
            }
        }
        out.sort(ORDER);
        return List.copyOf(out);
    }

    private static byte[] window(Integer[] words, int from, int n) {
        if (from < 0 || from + n > words.length) {
            return null;
        }
        byte[] data = new byte[2 * n];
        for (int i = 0; i < n; i++) {
            Integer w = words[from + i];
            if (w == null) {
                return null;
            }
            data[2 * i] = (byte) (w >> 8);
            data[2 * i + 1] = (byte) (int) w;
        }
        return data;
    }

    private static final List<String> TYPE_RANK = List.of("float32", "float64", "int16", "uint16", "int32",
            "uint32", "int64", "uint64");

    private static final Comparator<Match> ORDER = Comparator.comparingDouble(Match::error)
            .thenComparingInt(m -> Math.abs(m.offset()))
            .thenComparingInt(m -> m.offset() < 0 ? 0 : 1)
            .thenComparingDouble(m -> -m.scale())
            .thenComparingInt(m -> TYPE_RANK.indexOf(m.type()))
            .thenComparing(Match::order);

    /**
     * One decoding that gives the expected value.
     *
     * @param type the data type as the builder and the CSV name it: int16, uint16, int32, uint32,
     *     int64, uint64, float32, float64
     * @param order the byte and word order
     * @param offset where the value starts relative to the address given: -1 (one lower), 0, +1
     * @param register the 1-based register number where it starts, in the 5-digit form (40010)
     *     or the 6-digit form above 9,999 (400010 style)
     * @param scale the scale that makes the raw value match: 1, 0.1 or 0.01 (always 1 for floats)
     * @param value the decoded value, scale applied
     * @param error the relative error against the expected value (0 inside an expected range)
     */
    public record Match(String type, WordOrder order, int offset, int register, double scale, double value,
                        double error) {

        /**
         * Checks the components.
         *
         * @param type the data type's name, such as {@code float32}
         * @param order the byte and word order
         * @param offset where the value starts relative to the address given: -1, 0 or +1
         * @param register the 1-based register number where it starts
         * @param scale the scale that makes the raw value match
         * @param value the decoded value, scale applied
         * @param error the relative error against the expected value
         */
        public Match {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(order, "order");
        }

        /**
         * The {@link ModbusSource.Builder} calls that read this value, to paste into a configuration.
         *
         * @return the calls, such as {@code holdingRegister(40010).float32(WordOrder.CDAB)}
         */
        public String configuration() {
            // register numbers carry their table: 3xxxx(x) input, 4xxxx(x) holding
            String method = String.valueOf(register).startsWith("3") ? "inputRegister" : "holdingRegister";
            String call = switch (type) {
                case "int16", "uint16" -> order == WordOrder.ABCD ? type + "()" : type + "(WordOrder." + order + ")";
                default -> type + "(WordOrder." + order + ")";
            };
            return method + "(" + register + ")." + call + (scale == 1 ? "" : ".scale(" + scale + ")");
        }

        @Override
        public String toString() {
            return type + " " + order + " at " + register + " (offset " + (offset > 0 ? "+" : "") + offset
                    + ", scale " + scale + "): " + value + ", error " + String.format(Locale.ROOT, "%.2g", error);
        }
    }
}
