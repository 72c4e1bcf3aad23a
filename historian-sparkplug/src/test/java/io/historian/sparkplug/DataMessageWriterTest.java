package io.historian.sparkplug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Quality;
import io.historian.sparkplug.internal.proto.SparkplugB.Payload;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written data messages read back with the classes protoc generates from sparkplug_b.proto. */
class DataMessageWriterTest {

    @Test
    void dataMessage_readsBackWithTheGeneratedClasses_fieldForField() throws Exception {
        long seed = System.nanoTime();
        System.out.println("DataMessageWriterTest seed=" + seed);
        Random r = new Random(seed);
        double[] specials = {Double.NaN, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE};
        DataMessageWriter w = new DataMessageWriter(64 * 1024);
        w.start(1_767_225_600_123L);
        int n = 200;
        long[] alias = new long[n];
        long[] ts = new long[n];
        double[] v = new double[n];
        int[] q = new int[n];
        for (int i = 0; i < n; i++) {
            alias[i] = 1 + r.nextInt(i % 2 == 0 ? 100 : 1_000_000);
            ts[i] = 1_767_225_600_000L + r.nextInt(1_000_000);
            v[i] = i < specials.length ? specials[i] : r.nextGaussian() * 1e6;
            q[i] = SparkplugQuality.of(i % 3 == 0 ? Quality.BAD_NO_COMMUNICATION.code() : Quality.GOOD.code());
            assertTrue(w.append((int) alias[i], ts[i], v[i], q[i]));
        }
        Payload p = Payload.parseFrom(w.finish(255));
        assertEquals(1_767_225_600_123L, p.getTimestamp());
        assertEquals(255, p.getSeq());
        assertEquals(n, p.getMetricsCount());
        for (int i = 0; i < n; i++) {
            Payload.Metric m = p.getMetrics(i);
            assertFalse(m.hasName(), "data messages name metrics by alias only");
            assertEquals(alias[i], m.getAlias());
            assertEquals(ts[i], m.getTimestamp());
            assertEquals(Double.doubleToRawLongBits(v[i]), Double.doubleToRawLongBits(m.getDoubleValue()), "value " + i);
            assertEquals("Quality", m.getProperties().getKeys(0));
            assertEquals(3, m.getProperties().getValues(0).getType());
            assertEquals(q[i], m.getProperties().getValues(0).getIntValue());
        }
    }

    @Test
    void append_refusesAMetricThatWouldPassTheMaximum_andTheMessageStaysWithinIt() throws Exception {
        int max = 1024;
        DataMessageWriter w = new DataMessageWriter(max);
        w.start(System.currentTimeMillis());
        int appended = 0;
        while (w.append(1_000 + appended, 1_767_225_600_000L + appended, appended, SparkplugQuality.GOOD)) {
            appended++;
        }
        byte[] message = w.finish(255);
        assertTrue(message.length <= max, "message of " + message.length + " bytes");
        assertTrue(message.length > max - 60, "the message is cut only when the next metric does not fit: "
                + message.length);
        assertEquals(appended, Payload.parseFrom(message).getMetricsCount());
    }

    @Test
    void qualityCodes_areOpcDaCodesWithTheSeverityInTheTopBits() {
        assertEquals(192, SparkplugForwarder.qualityCode(Quality.GOOD));
        assertEquals(216, SparkplugForwarder.qualityCode(Quality.GOOD_LOCAL_OVERRIDE));
        assertEquals(68, SparkplugForwarder.qualityCode(Quality.UNCERTAIN_LAST_USABLE_VALUE));
        assertEquals(80, SparkplugForwarder.qualityCode(Quality.UNCERTAIN_SENSOR_NOT_ACCURATE));
        assertEquals(24, SparkplugForwarder.qualityCode(Quality.BAD_NO_COMMUNICATION));
        assertEquals(0, SparkplugForwarder.qualityCode(Quality.BAD_CALCULATION_FAILED));
        assertEquals(64, SparkplugForwarder.qualityCode(Quality.of(0x40AB_0000)));
        assertEquals(192, SparkplugForwarder.qualityCode(Quality.of(0x00A2_0000)));
        for (Quality quality : new Quality[] {Quality.GOOD, Quality.GOOD_LOCAL_OVERRIDE,
                Quality.UNCERTAIN_LAST_USABLE_VALUE, Quality.UNCERTAIN_SENSOR_NOT_ACCURATE, Quality.BAD_NO_COMMUNICATION,
                Quality.BAD_CONFIGURATION_ERROR, Quality.BAD_SENSOR_FAILURE, Quality.BAD_DEVICE_FAILURE,
                Quality.BAD_CALCULATION_FAILED, Quality.BAD_NO_DATA}) {
            int severity = SparkplugForwarder.qualityCode(quality) & 0xC0;
            assertEquals(quality.isGood() ? 0xC0 : quality.isUncertain() ? 0x40 : 0, severity, quality.toString());
        }
    }
}
