package io.historian.examples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.Sample;
import io.historian.TagDefinition;
import io.historian.modbus.ModbusSource;
import io.historian.query.SampleCursor;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulated plant polled by real Modbus sources into a real historian. */
class SimulatedPlantTest {
    @TempDir
    Path dir;

    @Test
    void plant_isPolledGood_andTheRemoteRackDropsOutAsBadNoCommunication() {
        // A 3 s "minute" with a 1 s dropout, so the test sees several.
        try (SimulatedPlant plant = SimulatedPlant.start(Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ZERO,
                Duration.ofSeconds(1), 1)) {
            ModbusSource plc = plant.plcSource(Duration.ofMillis(100));
            ModbusSource rio = plant.rioSource(Duration.ofMillis(100));
            Instant from = Instant.now().minusSeconds(1);
            try (Historian h = Historian.builder().dataDirectory(dir).jmx(false).source(plc).source(rio).build()) {
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    List<Sample> field = read(h, "field.t3", from);
                    return field.stream().anyMatch(s -> s.quality() == Quality.BAD_NO_COMMUNICATION)
                            && field.stream().filter(s -> s.quality().isGood()).count() > 5
                            && last(field).quality().isGood();
                });
                for (Sample s : read(h, "tank1.level", from)) {
                    assertEquals(Quality.GOOD, s.quality(), "plc-1 never drops out: " + s);
                    assertTrue(s.value() >= 0 && s.value() <= 5, "tank level in 0..5 m: " + s);
                }
                double speed = last(read(h, "pump1.speed", from)).value();
                assertTrue(speed >= 0 && speed <= 1450, "pump speed " + speed);
                double running = last(read(h, "pump1.running", from)).value();
                assertTrue(running == 0 || running == 1, "a coil is 0 or 1: " + running);
                double field = last(read(h, "field.t3", from)).value();
                assertTrue(field > 0 && field < 60, "field temperature, int16 scaled by 0.1: " + field);
                assertEquals(SimulatedPlant.tagCount(), h.tags().size(), "every point polled: " + h.tags());
                assertTrue(rio.stats().connectFailures() + rio.stats().connectionErrors() > 0, rio.stats().toString());
                assertEquals(0, plc.stats().badSamples(), plc.stats().toString());
            }
        }
    }

    @Test
    void backfill_writesTheHistoryTheLiveRegistersContinue() {
        try (SimulatedPlant plant = SimulatedPlant.start(Duration.ofMinutes(1), Duration.ofSeconds(6),
                Duration.ofMinutes(30), Duration.ofSeconds(1), 5)) {
            ModbusSource plc = plant.plcSource(Duration.ofMillis(100));
            Historian.Builder b = Historian.builder().dataDirectory(dir).jmx(false).source(plc);
            for (TagDefinition d : SimulatedPlant.tagDefinitions()) {
                b.tag(d);
            }
            try (Historian h = b.build()) {
                assertEquals(30 * 60 * SimulatedPlant.tagCount(), plant.backfill(h));
                Instant start = plant.startTime();
                List<Sample> history = read(h, "field.t1", start.minus(Duration.ofMinutes(30)), start);
                assertEquals(1800, history.size());
                long bad = history.stream().filter(s -> s.quality() == Quality.BAD_NO_COMMUNICATION).count();
                assertEquals(180, bad, "6 s of every minute");
                assertEquals("°C", h.tag("reactor.temp").orElseThrow().unit());
                double lastHistory = last(read(h, "reactor.temp", start.minusSeconds(5), start)).value();
                await().atMost(Duration.ofSeconds(20)).until(() -> !read(h, "reactor.temp", start).isEmpty());
                double firstLive = read(h, "reactor.temp", start).get(0).value();
                assertTrue(Math.abs(firstLive - lastHistory) < 1.0, "live continues the history: " + lastHistory
                        + " then " + firstLive);
            }
        }
    }

    private static Sample last(List<Sample> samples) {
        assertTrue(!samples.isEmpty());
        return samples.get(samples.size() - 1);
    }

    private static List<Sample> read(Historian h, String tag, Instant from) {
        return read(h, tag, from, Instant.now().plusSeconds(60));
    }

    private static List<Sample> read(Historian h, String tag, Instant from, Instant to) {
        List<Sample> out = new ArrayList<>();
        if (h.tag(tag).isEmpty()) {
            return out;
        }
        try (SampleCursor c = h.query(tag).between(from, to).raw()) {
            while (c.next()) {
                out.add(c.sample());
            }
        }
        return out;
    }
}
