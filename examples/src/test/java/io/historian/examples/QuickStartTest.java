package io.historian.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickStartTest {
    @TempDir
    Path dir;

    @Test
    void quickStart_backfillsPollsLiveAndReportsAggregatesTrendAndTheDropout() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            // 14 s of live polling cover rio-2's dropout (5 s to 11 s after the backfill ends).
            QuickStart.main(new String[] {dir.resolve("data").toString(), "14"});
        } finally {
            System.setOut(original);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        original.print(text);
        // 6 h at 1 s, 28 tags.
        assertTrue(text.contains("history: wrote 604,800 samples"), text);
        assertTrue(text.contains("14 s  plc-1 POLLING"), text);
        // One row per epoch hour the 6 h history plus the live seconds touch: 7 in most runs, 6 when
        // the range starts on the hour, 8 when the live seconds cross the next hour.
        int rows = count(text, "  mean= ");
        assertTrue(rows >= 6 && rows <= 8, "hourly rows: " + rows + "\n" + text);
        Matcher row = Pattern.compile("  (\\S+Z) \\.\\. (\\S+Z)  mean= .*field\\.t1 good=\\s*(\\d+\\.\\d)%").matcher(text);
        Instant previousEnd = null;
        Instant first = null;
        int seen = 0;
        int wholeHours = 0;
        while (row.find()) {
            Instant start = Instant.parse(row.group(1));
            Instant end = Instant.parse(row.group(2));
            if (first == null) {
                first = start;
            } else {
                assertEquals(previousEnd, start, "hourly rows must be contiguous\n" + text);
            }
            assertTrue(end.isAfter(start), text);
            assertTrue(end.minus(Duration.ofHours(1)).compareTo(start) <= 0, "a row longer than an hour\n" + text);
            if (Duration.between(start, end).equals(Duration.ofHours(1))) {
                // rio-2 is away 6 s of every 60 s: 90 % Good in every whole hour of history.
                double pct = Double.parseDouble(row.group(3));
                assertTrue(pct > 85 && pct < 95, "percent good " + pct + "\n" + text);
                wholeHours++;
            }
            previousEnd = end;
            seen++;
        }
        assertEquals(rows, seen, text);
        long hoursTouched = Duration.between(
                        first.truncatedTo(ChronoUnit.HOURS), previousEnd.minusNanos(1).truncatedTo(ChronoUnit.HOURS))
                .toHours() + 1;
        assertEquals(hoursTouched, rows, "one row per epoch hour touched\n" + text);
        assertTrue(wholeHours >= 5, "whole hourly rows " + wholeHours + "\n" + text);
        assertTrue(text.contains("(72 points"), text);
        Matcher live = Pattern.compile("field\\.t1 polled live: (\\d+) Good samples, (\\d+) Bad_NoCommunication").matcher(text);
        assertTrue(live.find(), text);
        assertTrue(Integer.parseInt(live.group(1)) > 10, "live Good samples\n" + text);
        assertTrue(Integer.parseInt(live.group(2)) > 0, "the dropout must be recorded as Bad_NoCommunication\n" + text);
        assertTrue(text.contains("rejected=0"), text);
        assertTrue(text.contains("data lives in " + dir.resolve("data").toAbsolutePath()), text);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
