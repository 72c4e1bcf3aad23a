package io.historian.examples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TieringExampleTest {
    @TempDir
    Path dir;

    @Test
    void tieringExample_movesOldDaysToS3_answersAsBefore_andLeavesNoThreadBehind() throws Exception {
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            TieringExample.main(new String[] {dir.resolve("data").toString()});
        } finally {
            System.setOut(original);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        original.print(text);

        // From the UTC midnight 7 days ago to now at 5 s, 4 tags: 7 to 8 days of 69,120 samples.
        long written = number(find(text, "history: wrote ([\\d,]+) samples"));
        assertTrue(written >= 7 * 69_120 && written <= 8 * 69_120, "written " + written);
        Matcher report = Pattern.compile("tierNow: (\\d+) segments written \\((\\d+) adopted\\), ([\\d,]+) samples")
                .matcher(text);
        assertTrue(report.find(), text);
        int segments = Integer.parseInt(report.group(1));
        // Four tags times the four days before the day before the cutoff (two days ago, at midnight).
        assertTrue(segments >= 16, "segments " + segments + "\n" + text);
        long tiered = number(report.group(3));
        assertTrue(tiered >= 4 * 4 * 17_280 && tiered < written, "tiered samples " + tiered);

        long before = number(find(text, "local store before tiering: ([\\d,]+) bytes"));
        long after = number(find(text, "local store after tiering: ([\\d,]+) bytes"));
        assertTrue(after < before * 3 / 4, "local bytes " + before + " -> " + after);

        int rows = Integer.parseInt(find(text, "hourly aggregates: (\\d+) rows, same before and after tiering: true"));
        // Hours from midnight 7 days ago to the minute the run started.
        assertTrue(rows >= 7 * 24 && rows <= 8 * 24, "hourly rows " + rows);
        assertTrue(text.contains("(cold: S3)") && text.contains("(hot: local)"), text);
        assertEquals("96", find(text, "trend: (\\d+) points, same before and after tiering: true"));

        int objects = Integer.parseInt(find(text, "bucket: (\\d+) objects"));
        assertTrue(objects >= segments, "objects " + objects + ", segments " + segments);
        assertTrue(text.contains("segments/"), text);

        // The program must let the JVM exit: every thread it started ends.
        await("threads of the example end").pollInSameThread().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.isAlive() && !t.isDaemon() && !threadsBefore.contains(t)).map(Thread::getName).toList();
            assertEquals(List.of(), left);
        });
    }

    @Test
    void tieringExample_refusesADataDirectoryWithData() throws Exception {
        Path data = Files.createDirectories(dir.resolve("used"));
        Files.writeString(data.resolve("historian.lock"), "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TieringExample.main(new String[] {data.toString()}));
        assertTrue(e.getMessage().contains(data.toAbsolutePath().toString()), e.getMessage());
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for " + regex + " in\n" + text);
        return m.group(1);
    }

    private static long number(String digits) {
        return Long.parseLong(digits.replace(",", ""));
    }
}
