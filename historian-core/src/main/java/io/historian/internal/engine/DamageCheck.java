package io.historian.internal.engine;

import io.historian.internal.journal.ChronicleJournal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/**
 * Finds lost data in a data directory before it is opened, and again in the offline check: a
 * store that is missing, or lacks a file RocksDB needs to see what it holds; journal segments
 * that the {@link JournalLedger} says hold entries the store's checkpoint has not passed, but
 * that are missing, end early, or cannot be read at all.
 *
 * <p>It reads the journal with a queue of its own, read-only, closed before the journal opens,
 * so that a segment found damaged can still be set aside. It changes nothing on disk.
 */
final class DamageCheck {
    private DamageCheck() {
    }

    /**
     * What is lost, and where.
     *
     * @param file the missing or damaged file
     * @param what what is wrong with it, for the message
     * @param entries journal entries lost when known; when not, {@code -1 - n} where n is how many
     *     at least (a segment killed while written has an unknown end)
     * @param samples samples lost, or -1 if unknown
     * @param present true when the file is there but damaged (a salvaging open sets it aside)
     * @param cycle the journal segment, or -1 for a store file
     */
    record Loss(Path file, String what, long entries, long samples, boolean present, int cycle) {
        boolean exact() {
            return entries >= 0;
        }

        /** Entries lost, at least. */
        long atLeast() {
            return exact() ? entries : -1 - entries;
        }

        String describe() {
            String counts = exact() ? "entries=" + entries : atLeast() > 0 ? "entries>=" + atLeast() : "";
            if (samples >= 0) {
                counts += ", samples=" + samples;
            }
            return file + ": " + what + (counts.isEmpty() ? "" : " [" + counts + "]");
        }
    }

    /** The segment of a journal index. */
    static int cycleOf(long index) {
        return RollCycles.FAST_DAILY.toCycle(index);
    }

    /** The greatest index segment {@code cycle} can hold. */
    static long lastIndexOf(int cycle) {
        return RollCycles.FAST_DAILY.toIndex(cycle + 1, 0) - 1;
    }

    /**
     * The store's own damage: null when it is whole, or new (no journal history either).
     *
     * @param journalHasHistory whether the journal directory holds segments
     */
    static Loss inspectStore(Path storeDir, boolean journalHasHistory) {
        List<String> names = list(storeDir);
        boolean hasCurrent = names.contains("CURRENT");
        boolean hasData = names.stream().anyMatch(n -> n.startsWith("MANIFEST-") || n.endsWith(".sst"));
        if (!hasCurrent && !hasData) {
            return journalHasHistory ? new Loss(storeDir, "the store is missing while the journal holds history;"
                    + " the samples it had committed and the tag names are lost", -1, -1, Files.exists(storeDir), -1)
                    : null;
        }
        if (!hasCurrent) {
            return new Loss(storeDir.resolve("CURRENT"), "missing: the store's files are there, but without CURRENT"
                    + " RocksDB cannot find its manifest and would start an empty store", -1, -1, false, -1);
        }
        try {
            String manifest = Files.readString(storeDir.resolve("CURRENT")).strip();
            if (!names.contains(manifest)) {
                return new Loss(storeDir.resolve(manifest.isEmpty() ? "MANIFEST-?" : manifest),
                        "missing: store/CURRENT names it, and it lists the store's files", -1, -1, false, -1);
            }
        } catch (IOException e) {
            return new Loss(storeDir.resolve("CURRENT"), "unreadable: " + e, -1, -1, true, -1);
        }
        return null;
    }

    /** The newest {@code MANIFEST-*} file of a store directory, or null. */
    static String newestManifest(Path storeDir) {
        return list(storeDir).stream().filter(n -> n.startsWith("MANIFEST-"))
                .max((a, b) -> Long.compare(number(a), number(b))).orElse(null);
    }

    private static long number(String manifest) {
        try {
            return Long.parseLong(manifest.substring("MANIFEST-".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static List<String> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The journal's losses: entries the store's checkpoint has not passed that the journal lacks.
     *
     * @param checkpoint the store's checkpoint {index, after}, or null
     * @param ledger the segments recorded as holding entries
     * @param ledgerFrom the first segment the ledger covers: one from there on without a record
     *     holds no acknowledged entry
     * @param thorough false at open: only what the store writer will read (the segments with
     *     entries not yet committed, the checkpoint's entry), so that a segment another part
     *     repairs at open is not read first; true for the offline check: every segment from the
     *     checkpoint's on, read-only
     */
    static List<Loss> checkJournal(Path journalDir, long[] checkpoint, TreeMap<Integer, JournalLedger.Segment> ledger,
            int ledgerFrom, boolean thorough) {
        TreeMap<Integer, Path> files = ChronicleJournal.segmentFiles(journalDir);
        int cpCycle = checkpoint == null ? 0 : cycleOf(checkpoint[0]);
        long cpFrom = checkpoint == null ? -1 : checkpoint[0] + (checkpoint[1] != 0 ? 1 : 0);
        List<Loss> losses = new ArrayList<>();
        Set<Integer> found = new HashSet<>();
        SingleChronicleQueue queue = files.isEmpty() ? null : open(journalDir, thorough);
        try {
            ExcerptTailer tailer = queue == null ? null : queue.createTailer();
            for (JournalLedger.Segment s : ledger.tailMap(cpCycle, true).values()) {
                long from = s.cycle() == cpCycle ? Math.max(s.first(), cpFrom) : s.first();
                if (s.finished() && from > s.last()) {
                    continue;
                }
                // Unfinished, the first entry is known to be there, and so is the checkpoint's if not yet applied.
                boolean knownThere = from == s.first() || (checkpoint != null && s.cycle() == cpCycle
                        && checkpoint[1] == 0);
                long entries = s.finished() ? s.last() - from + 1 : knownThere ? -2 : -1;
                long samples = s.finished() && from == s.first() ? s.samples() : -1;
                Path file = files.get(s.cycle());
                if (file == null) {
                    losses.add(new Loss(journalDir.resolve(ChronicleJournal.segmentFileName(s.cycle())),
                            "missing: the journal segment held entries the store has not committed", entries, samples,
                            false, s.cycle()));
                    found.add(s.cycle());
                } else if (s.finished() ? !readable(tailer, from) || !readable(tailer, s.last())
                        : from == s.first() && !readable(tailer, from)) {
                    // A segment killed while written has an unknown end: past its first entry, only
                    // the checkpoint's own entry (probed below) is known to be there.
                    losses.add(new Loss(file, "truncated or damaged: it lacks entries the store has not committed"
                            + (s.finished() ? " (up to index " + Long.toHexString(s.last()) + ")" : ""), entries,
                            samples, true, s.cycle()));
                    found.add(s.cycle());
                }
            }
            if (checkpoint != null && !found.contains(cpCycle) && files.containsKey(cpCycle)
                    && !readable(tailer, checkpoint[0])) {
                // The store writer starts reading there: Chronicle would refuse it without naming the file.
                losses.add(unreadable(files.get(cpCycle), cpCycle, "it lacks the entry at the store's checkpoint ("
                        + Long.toHexString(checkpoint[0]) + ")", ledger, cpCycle, cpFrom, Integer.MAX_VALUE));
                found.add(cpCycle);
            } else if (checkpoint != null && checkpoint[1] == 0 && !ledger.containsKey(cpCycle)
                    && !files.containsKey(cpCycle)) {
                // A segment recorded before the ledger existed: the checkpoint's entry had not been applied.
                losses.add(new Loss(journalDir.resolve(ChronicleJournal.segmentFileName(cpCycle)), "missing: it held the"
                        + " entry at the store's checkpoint (" + Long.toHexString(checkpoint[0]) + ") and any after it",
                        -2, -1, false, cpCycle));
                found.add(cpCycle);
            }
            if (!thorough || queue == null) {
                return losses;
            }
            // The offline check looks at every segment the store may still need, and at what Chronicle reads at open.
            for (Map.Entry<Integer, Path> f : files.tailMap(cpCycle, true).entrySet()) {
                if (found.contains(f.getKey())) {
                    continue;
                }
                try {
                    tailer.excerptsInCycle(f.getKey());
                } catch (RuntimeException | InternalError e) {
                    losses.add(unreadable(f.getValue(), f.getKey(), "unreadable: " + e.getMessage(), ledger, cpCycle,
                            cpFrom, ledgerFrom));
                    found.add(f.getKey());
                }
            }
            if (losses.isEmpty()) {
                try {
                    queue.lastIndex();
                } catch (RuntimeException | InternalError e) {
                    Map.Entry<Integer, Path> last = files.lastEntry();
                    losses.add(unreadable(last.getValue(), last.getKey(), "unreadable: " + e.getMessage(), ledger,
                            cpCycle, cpFrom, ledgerFrom));
                }
            }
            return losses;
        } finally {
            if (queue != null) {
                queue.close();
            }
        }
    }

    /**
     * A segment Chronicle cannot read. When the ledger shows that the store committed every entry
     * it held, nothing is lost ({@code entries == 0}) and the open sets it aside.
     */
    private static Loss unreadable(Path file, int cycle, String what, Map<Integer, JournalLedger.Segment> ledger,
            int cpCycle, long cpFrom, int ledgerFrom) {
        JournalLedger.Segment s = ledger.get(cycle);
        if (s != null && s.finished() && (cycle < cpCycle || (cycle == cpCycle && cpFrom > s.last()))) {
            return new Loss(file, what + "; the store has committed every entry it held", 0, 0, true, cycle);
        }
        if (s == null && cycle >= ledgerFrom) {
            // The ledger records a segment before its first write is acknowledged: this one holds none.
            return new Loss(file, what + "; it holds no acknowledged entry", 0, 0, true, cycle);
        }
        return new Loss(file, what, -1, -1, true, cycle);
    }

    private static boolean readable(ExcerptTailer tailer, long index) {
        if (tailer == null) {
            return false;
        }
        try {
            return tailer.moveToIndex(index);
        } catch (RuntimeException | InternalError e) {
            // Chronicle reads an index that points past a truncation as "Meta data not ready" (zeros
            // where a writable queue extended the file) or, read-only, as a fault of the mapping.
            return false;
        }
    }

    /**
     * A queue over the journal's segments, in the journal's roll cycle. Writable, Chronicle extends
     * a truncated segment with zeros, which reads as damage; read-only (the offline check, which
     * must not change anything), it maps past the end of such a file, and the JVM reports the
     * fault as an {@link InternalError} that the readers here catch.
     */
    static SingleChronicleQueue open(Path journalDir, boolean readOnly) {
        if (readOnly) {
            try {
                return SingleChronicleQueueBuilder.binary(journalDir).rollCycle(RollCycles.FAST_DAILY).readOnly(true)
                        .build();
            } catch (RuntimeException e) {
                // Read-only needs the queue's metadata file, which the next open rebuilds; read as a writer would.
            }
        }
        return SingleChronicleQueueBuilder.binary(journalDir).rollCycle(RollCycles.FAST_DAILY).build();
    }
}
