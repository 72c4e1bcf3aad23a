package io.historian.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.bench.peers.Peer;
import io.historian.testing.StandardDataset;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few thousand samples through every peer and through the whole comparison, so the peer runner
 * cannot rot. Each peer reads back what it was given, checked by count, order and exact sum.
 */
class CompareTest {

    @TempDir
    Path work;

    @Test
    void everyPeer_readsBackExactlyWhatItWasGiven() {
        int tags = 5;
        int perTag = 1000;
        StandardDataset data = StandardDataset.standard(tags, perTag);
        String[] names = new String[tags];
        double[][] values = new double[tags][perTag];
        for (int t = 0; t < tags; t++) {
            names[t] = data.tagName(t);
            data.fillValues(t, 0, values[t], 0, perTag);
        }
        for (String engine : List.of("historian", "questdb", "rocksdb")) {
            Path dir = work.resolve(engine);
            try (Peer peer = Peer.open(engine, dir, names)) {
                int[] tagColumn = new int[tags];
                long[] tsColumn = new long[tags];
                double[] valueColumn = new double[tags];
                for (int s = 0; s < perTag; s++) {
                    for (int t = 0; t < tags; t++) {
                        tagColumn[t] = t;
                        tsColumn[t] = data.timestamp(s);
                        valueColumn[t] = values[t][s];
                    }
                    peer.write(tagColumn, tsColumn, valueColumn, tags);
                }
                peer.finish();
                assertTrue(peer.bytesOnDisk() > 0 && peer.dataBytes() > 0, engine);
                for (int t = 0; t < tags; t++) {
                    Peer.ReadCheck check = new Peer.ReadCheck();
                    peer.read(t, check);
                    double expected = 0;
                    for (double v : values[t]) {
                        expected += v;
                    }
                    assertEquals(perTag, check.count(), engine + " " + names[t]);
                    assertTrue(check.ordered(), engine + " " + names[t]);
                    assertEquals(expected, check.sum(), 0.0, engine + " " + names[t]);
                }
            }
            assertFalse(Files.exists(dir), engine + " left its directory behind");
        }
    }

    @Test
    void main_writesAMarkdownTableAndJsonWithEveryEngine() throws Exception {
        Path out = work.resolve("out");
        Compare.Options options = Compare.Options.parse("--samples", "4000", "--tags", "4", "--batch", "500",
                "--out", out.toString(), "--work", work.resolve("data").toString(), "--warm-reads", "1", "--reads", "3");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<Compare.EngineResult> results;
        try (PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            results = Compare.run(options, ps);
        }
        assertEquals(List.of("historian", "questdb", "rocksdb"), results.stream().map(Compare.EngineResult::name).toList());
        for (Compare.EngineResult r : results) {
            assertEquals(4000, r.samples());
            assertEquals(1000, r.readSamples());
            assertTrue(r.ingestSeconds() > 0 && r.bytesOnDisk() > 0 && r.readMedianMillis() > 0, r.toString());
        }
        String md = Compare.markdown(options, results, Compare.environment(), "Compare --samples 4000");
        assertTrue(md.contains("| historian |") && md.contains("| questdb |") && md.contains("| rocksdb |"), md);
        assertTrue(md.contains("| 1.00x | 1.00x | 1.00x |"), "our own row compares to itself\n" + md);
        String json = Compare.json(options, results, Compare.environment(), "Compare --samples 4000");
        assertTrue(json.contains("\"name\": \"questdb\"") && json.contains("\"samplesPerTag\": 1000"), json);
        try (Stream<Path> left = Files.list(work.resolve("data"))) {
            assertFalse(left.findAny().isPresent(), "engine directories left behind");
        }

        Compare.main(new String[] {"--samples", "400", "--tags", "4", "--batch", "100", "--engines", "historian",
                "--out", out.toString(), "--work", work.resolve("data").toString(), "--warm-reads", "0", "--reads", "1"});
        assertTrue(Files.readString(out.resolve("compare.md")).contains("| historian |"));
        assertTrue(Files.readString(out.resolve("compare.json")).startsWith("{"));
    }

    @Test
    void parse_badOptions_failNamingTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Compare.Options.parse("--samples", "1001", "--tags", "100"));
        assertTrue(e.getMessage().contains("samples=1001"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Compare.Options.parse("--engines", "influx"));
        assertTrue(e.getMessage().contains("engines") || e.getMessage().contains("influx"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Peer.open("influx", work, new String[] {"a"}));
        assertTrue(e.getMessage().contains("influx"), e.getMessage());
    }
}
