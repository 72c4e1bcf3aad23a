package io.historian.simulation;

import io.historian.FileSystemColdTier;
import io.historian.Historian;
import io.historian.HistorianException;
import io.historian.JournalFullException;
import io.historian.SampleRejectedException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The child side of the simulation's kill step: opens the world's directory exactly as the
 * simulation does (its {@link WorldConfig}, a clock fixed at the simulation's now), then runs a
 * script of write calls, printing {@code READY} once open, {@code BEGIN i} before call {@code i}
 * and {@code ACK i} after it returned, until the parent kills it with {@code destroyForcibly()}. A refused call prints
 * {@code REFUSED i <exception>} and the script goes on; {@code DONE} means every call ran.
 *
 * <p>args: data directory, tier directory, world config file, script file, clock epoch millis.
 */
public final class KillChild {
    private KillChild() {
    }

    /** The tag table of script files: every tag a script may name, by index. */
    static List<String> tagTable() {
        List<String> all = new ArrayList<>(WorldConfig.RAW_TAGS);
        all.addAll(WorldConfig.INPUT_TAGS);
        all.addAll(WorldConfig.DERIVED_TAGS);
        return all;
    }

    static List<SimWrite> readScript(Path file) throws IOException {
        List<String> table = tagTable();
        List<SimWrite> script = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                script.add(SimWrite.readExternal(in, table));
            }
        }
        return script;
    }

    public static void main(String[] args) throws IOException {
        Path data = Path.of(args[0]);
        Path tierDir = Path.of(args[1]);
        WorldConfig config = WorldConfig.load(Path.of(args[2]));
        List<SimWrite> script = readScript(Path.of(args[3]));
        Clock clock = Clock.fixed(Instant.ofEpochMilli(Long.parseLong(args[4])), ZoneOffset.UTC);
        try (Historian h = config.builder(data, FileSystemColdTier.of(tierDir), clock).build()) {
            System.out.println("READY");
            System.out.flush();
            for (int i = 0; i < script.size(); i++) {
                System.out.println("BEGIN " + i);
                System.out.flush();
                try {
                    script.get(i).writeTo(h);
                    System.out.println("ACK " + i);
                } catch (SampleRejectedException | JournalFullException e) {
                    System.out.println("REFUSED " + i + " " + e.getClass().getSimpleName() + ": " + e.getMessage());
                } catch (HistorianException e) {
                    System.out.println("ERROR " + i + " " + e);
                    e.printStackTrace();
                    System.out.flush();
                    System.exit(2);
                }
                System.out.flush();
            }
        }
        System.out.println("DONE");
        System.out.flush();
    }
}
