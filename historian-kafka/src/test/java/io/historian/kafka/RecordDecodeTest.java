package io.historian.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.historian.Quality;
import io.historian.Sample;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading record values back: one sample or a tag's run of them, and bytes that are neither. */
class RecordDecodeTest {

    @Test
    void aSingleSampleRecord_readsAsARunOfOne() {
        byte[] one = KafkaForwarder.protobuf("boiler.temp", 1_767_225_600_000L, 81.25, Quality.BAD_NO_COMMUNICATION);
        Sample expected = new Sample("boiler.temp", Instant.ofEpochMilli(1_767_225_600_000L), 81.25,
                Quality.BAD_NO_COMMUNICATION);
        assertEquals(expected, KafkaForwarder.decode(one));
        assertEquals(List.of(expected), KafkaForwarder.decodeAll(one));
    }

    @Test
    void aRunWhoseFieldsDisagreeInLength_isRefusedNamingTheCounts() {
        // tag "t", two packed timestamps, one packed double.
        byte[] bad = {0x0a, 0x01, 't', 0x12, 0x02, 0x01, 0x02, 0x1a, 0x08, 0, 0, 0, 0, 0, 0, (byte) 0xf0, 0x3f};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KafkaForwarder.decodeAll(bad));
        assertEquals("samples message with 2 timestamps, 1 values and 0 qualities [tag=t]", e.getMessage());
    }

    /** Random bytes: a clear IllegalArgumentException or a decoded run, never another exception. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1_234_567})
    void randomBytes_decodeOrAreRefusedCleanly(long seed) {
        System.out.println("RecordDecodeTest seed " + seed);
        Random random = new Random(seed);
        for (int i = 0; i < 2_000; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            try {
                List<Sample> samples = KafkaForwarder.decodeAll(bytes);
                for (Sample s : samples) {
                    assertEquals(samples.get(0).tag(), s.tag());
                }
            } catch (IllegalArgumentException expected) {
                // refused with a message; anything else fails the test
            }
        }
    }
}
