package io.historian.modbus;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Benchmark support, not API: a block of contiguous holding registers of one data type, planned
 * into requests by the production {@link RequestPlanner}, with the response bytes a device would
 * send, decoded by the production {@link Decoder} exactly as {@code DevicePoller} does.
 *
 * <p>It lives in the historian-bench module, never in the historian-modbus jar, and sits in
 * {@code io.historian.modbus} only to reach the package-private decoder, planner and point types
 * (the way Caffeine's JMH sources share its packages). A public class inside historian-modbus
 * could not reach them without reflection or a public hook, and with only an
 * {@code Automatic-Module-Name} every package of that jar is exported, {@code internal} ones too.
 * The split package is harmless on the class path, where the benchmarks jar always runs.
 */
public final class DecodeBenchSupport {
    private static final int FIRST_ADDRESS = 0;

    private final String label;
    private final List<ReadRequest> requests;
    private final byte[][] responses;
    private final double[] expected;

    private DecodeBenchSupport(String label, List<ReadRequest> requests, byte[][] responses, double[] expected) {
        this.label = label;
        this.requests = requests;
        this.responses = responses;
        this.expected = expected;
    }

    /**
     * {@code registers} contiguous holding registers from wire address 0, read as back-to-back
     * points of {@code type} ("uint16", "int32", "float32", "float64" ...) in {@code order}, each
     * with {@code scale} and offset 0, planned with the defaults (125 registers per request, no
     * gap). The register contents are plausible process values drawn from {@code seed}.
     */
    public static DecodeBenchSupport contiguous(String type, WordOrder order, double scale, int registers,
                                                long seed) {
        DataType t = DataType.parse(type);
        if (t == null || t == DataType.BOOL || t == DataType.BIT) {
            throw new IllegalArgumentException("not a register value type [type=" + type + "]");
        }
        int width = t.registers();
        if (registers <= 0 || registers % width != 0) {
            throw new IllegalArgumentException("registers must be a positive multiple of " + width
                    + " [type=" + t + ", registers=" + registers + "]");
        }
        String label = t.name().toLowerCase(Locale.ROOT) + " " + order + (scale == 1 ? "" : " x" + scale);
        int count = registers / width;
        List<Point> points = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            points.add(new Point("t" + i, 1, Table.HOLDING_REGISTER, FIRST_ADDRESS + i * width, t, order, -1,
                    scale, 0));
        }
        List<ReadRequest> requests = new RequestPlanner(0, Table.HOLDING_REGISTER.maxPerRequest, 2000, false, Map.of())
                .plan(points);

        SplittableRandom random = new SplittableRandom(seed);
        byte[][] responses = new byte[requests.size()][];
        double[] expected = new double[count];
        int k = 0;
        for (int r = 0; r < requests.size(); r++) {
            ReadRequest request = requests.get(r);
            byte[] data = new byte[request.count() * 2];
            for (Point p : request.points()) {
                double raw;
                long bits;
                switch (t) {
                    case UINT16 -> {
                        bits = random.nextInt(1 << 16);
                        raw = bits;
                    }
                    case INT16 -> {
                        bits = random.nextInt(-30_000, 30_000);
                        raw = bits;
                    }
                    case INT32, UINT32 -> {
                        bits = random.nextInt(0, 2_000_000) - (t == DataType.INT32 ? 1_000_000 : 0);
                        raw = bits;
                        bits &= 0xFFFF_FFFFL;
                    }
                    case INT64, UINT64 -> {
                        bits = random.nextLong(0, 1L << 40);
                        raw = bits;
                    }
                    case FLOAT32 -> {
                        float f = (float) random.nextDouble(-1000, 1000);
                        bits = Float.floatToRawIntBits(f) & 0xFFFF_FFFFL;
                        raw = f;
                    }
                    case FLOAT64 -> {
                        double d = random.nextDouble(0, 1e9);
                        bits = Double.doubleToRawLongBits(d);
                        raw = d;
                    }
                    default -> throw new AssertionError(t);
                }
                int[] words = Decoder.registersOf(bits, width, order);
                int at = (p.address() - request.address()) * 2;
                for (int w = 0; w < width; w++) {
                    data[at + 2 * w] = (byte) (words[w] >>> 8);
                    data[at + 2 * w + 1] = (byte) words[w];
                }
                expected[k++] = raw * scale + 0;
            }
            responses[r] = data;
        }
        return new DecodeBenchSupport(label, requests, responses, expected);
    }

    /** Values (points) in the block. */
    public int values() {
        return expected.length;
    }

    /** Read requests the block is planned into. */
    public int requests() {
        return requests.size();
    }

    /** For the setup's printout: {@code float32 CDAB x0.1: 500 values, 9 requests (62, 62, ... values)}. */
    public String describe() {
        StringBuilder s = new StringBuilder(label).append(": ").append(values()).append(" values, ")
                .append(requests()).append(" requests (");
        for (int r = 0; r < requests.size(); r++) {
            s.append(r == 0 ? "" : ", ").append(requests.get(r).points().size());
        }
        return s.append(" values)").toString();
    }

    /**
     * Decodes every value of every request into {@code out}, in address order, the loop of
     * {@code DevicePoller.pollOnce} with the batch replaced by an array; returns the number decoded.
     *
     * <p>The points are walked by index, not for-each: with float64's larger inlined decode, C2
     * stops scalar-replacing the list iterator, which then costs 32 B per request and would show
     * in {@code gc.alloc.rate.norm} as if the decoder allocated.
     */
    public int decodeInto(double[] out) {
        int k = 0;
        for (int r = 0; r < responses.length; r++) {
            ReadRequest request = requests.get(r);
            byte[] data = responses[r];
            List<Point> points = request.points();
            for (int i = 0; i < points.size(); i++) {
                out[k++] = Decoder.decode(points.get(i), data, 0, request.address());
            }
        }
        return k;
    }

    /** Throws, naming the first value that does not decode to what was placed in the registers. */
    public void verify() {
        double[] out = new double[values()];
        decodeInto(out);
        for (int i = 0; i < out.length; i++) {
            if (Double.doubleToRawLongBits(out[i]) != Double.doubleToRawLongBits(expected[i])) {
                throw new IllegalStateException("decoded " + out[i] + ", expected " + expected[i] + " [" + label
                        + ", value " + i + "]");
            }
        }
    }
}
