package io.historian.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
        // Seven hourly rows (6 h history plus the live minutes straddle 7 epoch hours, or 6 on the hour).
        int rows = count(text, "  mean= ");
        assertTrue(rows == 6 || rows == 7, "hourly rows: " + rows + "\n" + text);
        Matcher good = Pattern.compile("field\\.t1 good=\\s*(\\d+\\.\\d)%").matcher(text);
        assertTrue(good.find(), text);
        // rio-2 is away 6 s of every 60 s: 90 % Good.
        double pct = Double.parseDouble(good.group(1));
        assertTrue(pct > 85 && pct < 95, "percent good " + pct);
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
