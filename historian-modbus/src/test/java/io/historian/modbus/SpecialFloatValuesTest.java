package io.historian.modbus;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.Sample;
import io.historian.TagNotFoundException;
import io.historian.query.SampleCursor;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * -0.0, NaN and infinities placed in a real Modbus server, polled by {@link ModbusSource} into a
 * real historian: the stored bits are the device's (with scale 1 and offset 0), and NaN and
 * infinities are stored as read with Bad_SensorFailure.
 */
class SpecialFloatValuesTest {

    /** One point: where it is, how it is encoded, and the raw double bits the historian must return. */
    private record Case(String tag, DataType type, WordOrder order, long deviceBits, double scale, double offset,
                        long storedBits, Quality quality) {
    }

    private static long widened(int floatBits) {
        // what Java makes of a float32 as a double: the same value, sign and NaN-ness
        return Double.doubleToRawLongBits(Float.intBitsToFloat(floatBits));
    }

    private static final long NEG_ZERO = Double.doubleToRawLongBits(-0.0);
    private static final long POS_ZERO = Double.doubleToRawLongBits(0.0);
    private static final int F_NEG_ZERO = 0x8000_0000;
    private static final int F_NAN = 0x7FC0_0000;
    // a NaN with a payload, as some devices use to say why the value is missing
    private static final long D_NAN_PAYLOAD = 0x7FF8_0000_0000_0123L;
    // arithmetic keeps NaN a NaN but does not promise its payload: any NaN will do
    private static final long ANY_NAN = -1;

    private static List<Case> cases() {
        Quality good = Quality.GOOD;
        Quality failed = Quality.BAD_SENSOR_FAILURE;
        List<Case> c = new ArrayList<>();
        for (WordOrder o : WordOrder.values()) {
            c.add(new Case("f32.negzero." + o, DataType.FLOAT32, o, F_NEG_ZERO, 1, 0, widened(F_NEG_ZERO), good));
            c.add(new Case("f64.negzero." + o, DataType.FLOAT64, o, NEG_ZERO, 1, 0, NEG_ZERO, good));
        }
        c.add(new Case("f32.nan.ABCD", DataType.FLOAT32, WordOrder.ABCD, F_NAN, 1, 0, widened(F_NAN), failed));
        c.add(new Case("f32.nan.CDAB", DataType.FLOAT32, WordOrder.CDAB, F_NAN, 1, 0, widened(F_NAN), failed));
        c.add(new Case("f32.posinf.CDAB", DataType.FLOAT32, WordOrder.CDAB, Float.floatToRawIntBits(
                Float.POSITIVE_INFINITY), 1, 0, Double.doubleToRawLongBits(Double.POSITIVE_INFINITY), failed));
        c.add(new Case("f32.neginf.BADC", DataType.FLOAT32, WordOrder.BADC, Float.floatToRawIntBits(
                Float.NEGATIVE_INFINITY), 1, 0, Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY), failed));
        c.add(new Case("f64.nan.ABCD", DataType.FLOAT64, WordOrder.ABCD, D_NAN_PAYLOAD, 1, 0, D_NAN_PAYLOAD, failed));
        c.add(new Case("f64.nan.DCBA", DataType.FLOAT64, WordOrder.DCBA, D_NAN_PAYLOAD, 1, 0, D_NAN_PAYLOAD, failed));
        c.add(new Case("f64.posinf.CDAB", DataType.FLOAT64, WordOrder.CDAB, Double.doubleToRawLongBits(
                Double.POSITIVE_INFINITY), 1, 0, Double.doubleToRawLongBits(Double.POSITIVE_INFINITY), failed));
        c.add(new Case("f64.neginf.DCBA", DataType.FLOAT64, WordOrder.DCBA, Double.doubleToRawLongBits(
                Double.NEGATIVE_INFINITY), 1, 0, Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY), failed));
        // non-identity scale and offset follow IEEE arithmetic, minus the additions of 0:
        // -0.0 * 0.1 is -0.0 and no offset is added; -0.0 * -2 is +0.0; -0.0 + 5 is 5
        c.add(new Case("f32.negzero.scaled", DataType.FLOAT32, WordOrder.CDAB, F_NEG_ZERO, 0.1, 0, NEG_ZERO, good));
        c.add(new Case("f32.negzero.negscale", DataType.FLOAT32, WordOrder.CDAB, F_NEG_ZERO, -2, 0, POS_ZERO, good));
        c.add(new Case("f32.negzero.offset", DataType.FLOAT32, WordOrder.CDAB, F_NEG_ZERO, 1, 5,
                Double.doubleToRawLongBits(5.0), good));
        c.add(new Case("f32.nan.scaled", DataType.FLOAT32, WordOrder.ABCD, F_NAN, 0.1, -40, ANY_NAN, failed));
        // a plain value next to the failed ones stays Good
        c.add(new Case("f32.plain", DataType.FLOAT32, WordOrder.ABCD, Float.floatToRawIntBits(1.5f), 1, 0,
                Double.doubleToRawLongBits(1.5), good));
        return c;
    }

    @ParameterizedTest
    @ValueSource(strings = {"j2mod", "digitalpetri"})
    void negativeZeroNanAndInfinities_fromADevice_areStoredBitExactly_failedSensorsBad(String kind,
            @TempDir Path dir) throws Exception {
        List<Case> cases = cases();
        try (TestServer server = TestServer.of(kind)) {
            ModbusSource.Builder b = ModbusSource.tcp("127.0.0.1", server.port()).name(kind)
                    .pollEvery(Duration.ofMillis(50));
            int wire = 0;
            for (Case c : cases) {
                int registers = c.type().registers();
                server.holding(wire, Decoder.registersOf(c.deviceBits(), registers, c.order()));
                // configuration is 1-based: wire address w is holding register 400001 + w
                b.holdingRegister(400001 + wire).type(c.type(), c.order()).tag(c.tag()).scale(c.scale())
                        .offset(c.offset());
                wire += registers;
            }
            ModbusSource plc = b.build();
            Instant from = Instant.now().minusSeconds(1);
            Map<String, List<Sample>> stored = new LinkedHashMap<>();
            try (Historian historian = Historian.builder().dataDirectory(dir).jmx(false).source(plc).build()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (Case c : cases) {
                        List<Sample> s = read(historian, c.tag(), from);
                        if (s.size() < 2) {
                            return false;
                        }
                        stored.put(c.tag(), s);
                    }
                    return true;
                });
            }
            for (Case c : cases) {
                for (Sample s : stored.get(c.tag())) {
                    if (c.storedBits() == ANY_NAN) {
                        assertTrue(Double.isNaN(s.value()), c.tag() + " stored " + s.value());
                    } else {
                        assertEquals(Long.toHexString(c.storedBits()), Long.toHexString(
                                Double.doubleToRawLongBits(s.value())), c.tag() + " stored " + s.value());
                    }
                    assertEquals(c.quality(), s.quality(), c.tag());
                }
            }
            // after close the counters are final; every poll writes one sample per point, and
            // the sensor failures count among the Bad samples
            DeviceStats stats = plc.stats();
            long failedPoints = cases.stream().filter(c -> c.quality().isBad()).count();
            assertEquals(0, stats.failedPolls());
            assertTrue(stats.samplesWritten() > 0);
            assertEquals(stats.samplesWritten() * failedPoints, stats.badSamples() * cases.size(), stats.toString());
        }
    }

    private static List<Sample> read(Historian h, String tag, Instant from) throws Exception {
        List<Sample> out = new ArrayList<>();
        try (SampleCursor c = h.query(tag).between(from, Instant.now().plusSeconds(60)).raw()) {
            while (c.next()) {
                out.add(c.sample());
            }
        } catch (TagNotFoundException e) {
            return out;
        }
        return out;
    }
}
