package io.historian.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickStartTest {
    @TempDir
    Path dir;

    @Test
    void quickStart_writesADayAndReadsItBack() {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            QuickStart.main(new String[] {dir.resolve("data").toString()});
        } finally {
            System.setOut(original);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        original.print(text);
        assertTrue(text.contains("wrote 259,200 samples"), text);
        assertTrue(text.contains("n=3600"), text);
        assertTrue(text.contains("Bad_NoCommunication: 600"), text);
        assertTrue(text.contains("rejected=0"), text);
    }
}
