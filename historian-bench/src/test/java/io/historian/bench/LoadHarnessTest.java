package io.historian.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.DataSize;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short, slow run of the load harness against a real historian, so the harness cannot rot. */
class LoadHarnessTest {

    @TempDir
    Path work;

    @Test
    void run_atAFixedRate_writesEveryBatch_andCountsEverySampleBack() throws Exception {
        LoadHarness.Options options = new LoadHarness.Options(20_000, Duration.ofMillis(1500), Duration.ofMillis(500),
                10, 100, Duration.ofMillis(500), DataSize.ofMegabytes(64), work);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        LoadHarness.Result result;
        try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
            result = LoadHarness.run(options, out);
        }
        String printed = text.toString(StandardCharsets.UTF_8);

        assertEquals(300, options.batches());
        assertEquals(100, options.warmupBatches());
        assertEquals(30_000, result.measuredSamples(), printed);
        assertEquals(40_000, result.handedOut(), "warm-up included\n" + printed);
        assertEquals(40_000, result.countedBack(), printed);
        assertEquals(0, result.lost(), printed);
        assertEquals(40_000, result.stats().journaledSamples(), printed);
        assertEquals(0, result.stats().rejectedSamples(), printed);
        assertEquals(300, result.latencyNanos().getTotalCount(), "one latency per measured batch\n" + printed);
        assertTrue(result.latencyNanos().getValueAtPercentile(50) > 0, printed);
        // Paced: 1.5 s of batches cannot be written in much less than 1.5 s.
        assertTrue(result.seconds() >= 1.45, "finished in " + result.seconds() + " s\n" + printed);
        assertTrue(result.intervals().size() >= 3, printed);
        assertTrue(result.maxRssBytes() > 0 && result.maxHeapBytes() > 0, printed);
        assertTrue(printed.contains("lost=0"), printed);
        assertTrue(printed.contains("p99.9"), printed);
        try (Stream<Path> left = Files.list(work)) {
            assertFalse(left.findAny().isPresent(), "data directory left behind");
        }
    }

    @Test
    void parse_badOptions_failNamingTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoadHarness.Options.parse("--rate", "0"));
        assertTrue(e.getMessage().contains("--rate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LoadHarness.Options.parse("--duration", "soon"));
        assertTrue(e.getMessage().contains("--duration") && e.getMessage().contains("soon"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LoadHarness.Options.parse("--warmup", "-1s"));
        assertTrue(e.getMessage().contains("--warmup"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LoadHarness.Options.parse("--speed", "1"));
        assertTrue(e.getMessage().contains("--speed"), e.getMessage());
        assertEquals(Duration.ofMinutes(10), LoadHarness.Options.parse("--duration", "600s").duration());
        assertEquals(600_000_000L, LoadHarness.Options.parse("--duration", "10m").batches() * 1000);
    }
}
