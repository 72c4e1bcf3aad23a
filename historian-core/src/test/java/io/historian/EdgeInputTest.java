package io.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Timestamps at the ends of {@link Instant}'s range, and every call after {@code close()}. */
class EdgeInputTest {
    @TempDir
    Path dir;

    @Test
    void instantsBeyondTheMillisecondRange_areRejectedAsOutOfRange_andNothingAcceptedIsLost() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        try (Historian h = Historian.builder().dataDirectory(dir).jmx(false).build()) {
            h.write("edge.tag", t0, 1.0);
            for (Instant bad : List.of(Instant.MAX, Instant.MIN, Instant.ofEpochMilli(Long.MAX_VALUE).plusSeconds(1),
                    Instant.ofEpochMilli(Long.MIN_VALUE).minusSeconds(1))) {
                SampleRejectedException single = assertThrows(SampleRejectedException.class,
                        () -> h.write("edge.tag", bad, 2.0), bad.toString());
                assertEquals(RejectReason.TIMESTAMP_OUT_OF_RANGE, single.reason(), bad.toString());
                assertEquals(RejectReason.TIMESTAMP_OUT_OF_RANGE, assertThrows(SampleRejectedException.class,
                        () -> h.write(new Sample("edge.tag", bad, 2.0, Quality.GOOD))).reason(), bad.toString());
                SampleBatch batch = new SampleBatch().add("edge.tag", t0.plusSeconds(1), 3.0).add("edge.tag", bad, 2.0);
                assertEquals(RejectReason.TIMESTAMP_OUT_OF_RANGE,
                        assertThrows(SampleRejectedException.class, () -> h.write(batch)).reason(), bad.toString());
            }
            h.flush();
            List<Sample> stored = h.query("edge.tag").toList();
            assertEquals(List.of(new Sample("edge.tag", t0, 1.0, Quality.GOOD)), stored);
        }
    }

    @Test
    void everyCallAfterClose_throwsIllegalStateException() {
        Historian h = Historian.builder().dataDirectory(dir).jmx(false).build();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        h.write("edge.tag", t0, 1.0);
        h.close();
        h.close();
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("write(tag, instant, value)", () -> h.write("edge.tag", t0.plusSeconds(1), 1.0));
        calls.put("write(tag, instant, value, quality)", () -> h.write("edge.tag", t0.plusSeconds(1), 1.0, Quality.GOOD));
        calls.put("write(tag, millis, value, quality)", () -> h.write("edge.tag", t0.toEpochMilli() + 1, 1.0, Quality.GOOD));
        calls.put("write(sample)", () -> h.write(new Sample("edge.tag", t0.plusSeconds(1), 1.0, Quality.GOOD)));
        calls.put("write(batch)", () -> h.write(new SampleBatch().add("edge.tag", t0.plusSeconds(1), 1.0)));
        calls.put("flush()", h::flush);
        calls.put("query(tag).raw()", () -> h.query("edge.tag").raw());
        calls.put("query(tag).toList()", () -> h.query("edge.tag").toList());
        calls.put("latest(tag)", () -> h.latest("edge.tag"));
        calls.put("valueAt(tag, t, mode)", () -> h.valueAt("edge.tag", t0, ValueAt.PREVIOUS));
        calls.put("register(definition)", () -> h.register(TagDefinition.of("edge.other")));
        calls.put("tag(name)", () -> h.tag("edge.tag"));
        calls.put("tags()", h::tags);
        calls.put("stats()", h::stats);
        calls.put("stats(tag)", () -> h.stats("edge.tag"));
        calls.put("compression(tag)", () -> h.compression("edge.tag"));
        calls.put("applyRetention()", h::applyRetention);
        calls.put("compact()", h::compact);
        calls.put("tierNow()", h::tierNow);
        calls.put("subscribe(pattern, listener)", () -> h.subscribe("edge.*", (tag, ts, v, q) -> { }));
        calls.put("subscribeFrom(from, pattern, listener)",
                () -> h.subscribeFrom(t0.minus(Duration.ofDays(1)), "edge.*", (tag, ts, v, q) -> { }));
        StringBuilder wrong = new StringBuilder();
        calls.forEach((name, call) -> {
            try {
                call.execute();
                wrong.append(name).append(": returned normally\n");
            } catch (IllegalStateException expected) {
                if (!expected.getMessage().contains("closed")) {
                    wrong.append(name).append(": ").append(expected).append('\n');
                }
            } catch (Throwable other) {
                wrong.append(name).append(": ").append(other).append('\n');
            }
        });
        assertTrue(wrong.isEmpty(), "after close():\n" + wrong);
    }
}
