package io.historian.internal.engine;

import io.historian.DamagedDataException;
import io.historian.HistorianException;
import io.historian.Recovery;
import io.historian.TagDefinition;
import io.historian.internal.journal.ChronicleJournal;
import io.historian.internal.journal.CorruptEntryException;
import io.historian.internal.store.RocksChunkStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.openhft.chronicle.queue.ExcerptTailer;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open's guard against forgetting: before the store writer replays anything it looks for
 * lost data with {@link DamageCheck}. Under {@link Recovery#STRICT} any loss is a
 * {@link DamagedDataException} naming the file; under {@link Recovery#SALVAGE} the open repairs
 * what it can, sets the rest aside, and counts what it could not recover.
 *
 * <p>Salvaging: a damaged journal segment is renamed {@code <segment>.damaged} (before the journal
 * opens, so Chronicle never maps it); a store without {@code CURRENT} gets one naming its newest
 * manifest; a store that is missing, or that RocksDB reports corrupt at open, is renamed
 * {@code store.damaged-<millis>}, a fresh one is created, and the journal's entries are replayed
 * into it under placeholder tags {@code recovered.tag<id>} (the tag names lived in the store).
 * A segment that cannot be read but whose entries the store has all committed loses nothing: it
 * is set aside with a warning in either mode.
 *
 * <p><b>Threads.</b> The opening thread only, before any other part runs.
 */
final class OpenRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(OpenRecovery.class);
    static final String PLACEHOLDER_PREFIX = "recovered.tag";

    private final Path dataDirectory;
    private final Path storeDir;
    private final Path journalDir;
    private final Recovery mode;
    private final List<String> notes = new ArrayList<>();
    private boolean rebuild;
    private long lostEntries;
    private long lostSamples;
    private int unknownCounts;

    OpenRecovery(Path dataDirectory, Recovery mode) {
        this.dataDirectory = dataDirectory;
        this.storeDir = dataDirectory.resolve("store");
        this.journalDir = dataDirectory.resolve("journal");
        this.mode = mode;
    }

    /** Opens the store, refusing or repairing a damaged one. */
    RocksChunkStore openStore() {
        boolean journalHistory = !ChronicleJournal.segmentFiles(journalDir).isEmpty();
        DamageCheck.Loss loss = DamageCheck.inspectStore(storeDir, journalHistory);
        if (loss != null) {
            refuseUnlessSalvaging(List.of(loss), null);
            repairStore(loss);
        }
        try {
            return new RocksChunkStore(storeDir);
        } catch (HistorianException e) {
            if (!(e.getCause() instanceof RocksDBException r) || r.getStatus() == null
                    || r.getStatus().getCode() != org.rocksdb.Status.Code.Corruption) {
                throw e;
            }
            DamageCheck.Loss corrupt = new DamageCheck.Loss(namedFile(r.getMessage()), "RocksDB cannot open the store: "
                    + r.getMessage(), -1, -1, true, -1);
            refuseUnlessSalvaging(List.of(corrupt), e);
            setStoreAside(corrupt);
            return new RocksChunkStore(storeDir);
        }
    }

    /** The store file RocksDB's message names (a missing table file, say), or the store directory. */
    private Path namedFile(String message) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\S+\\.(?:sst|log|blob))").matcher(
                message == null ? "" : message);
        while (m.find()) {
            Path p = Path.of(m.group(1).replaceAll("[:,]+$", ""));
            if (p.isAbsolute() && p.startsWith(storeDir)) {
                return p;
            }
        }
        return storeDir;
    }

    private void repairStore(DamageCheck.Loss loss) {
        String manifest = DamageCheck.newestManifest(storeDir);
        if (loss.file().getFileName().toString().equals("CURRENT") && manifest != null) {
            try {
                Path tmp = storeDir.resolve("CURRENT.salvage");
                Files.writeString(tmp, manifest + "\n", StandardCharsets.US_ASCII);
                Files.move(tmp, storeDir.resolve("CURRENT"), StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new HistorianException("cannot rewrite the store's CURRENT file [dir=" + storeDir + "]: " + e, e);
            }
            note("store/CURRENT was missing; rewrote it to name " + manifest);
            return;
        }
        setStoreAside(loss);
    }

    private void setStoreAside(DamageCheck.Loss loss) {
        rebuild = true;
        if (Files.exists(storeDir)) {
            Path aside = dataDirectory.resolve("store.damaged-" + System.currentTimeMillis());
            try {
                Files.move(storeDir, aside);
            } catch (IOException e) {
                throw new HistorianException("cannot set the damaged store aside [dir=" + storeDir + "]: " + e, e);
            }
            note(loss.describe() + "; set it aside as " + aside.getFileName() + " and rebuilt the store from the"
                    + " journal: the samples it had committed are lost (their number is unknown)");
        } else {
            note(loss.describe() + "; rebuilt the store from the journal: the samples it had committed are lost"
                    + " (their number is unknown)");
        }
    }

    /** Compares the journal with the store's checkpoint; call before the journal opens. */
    void checkJournal(RocksChunkStore store) {
        long[] checkpoint = store.readCheckpoint();
        TreeMap<Integer, JournalLedger.Segment> ledger = JournalLedger.read(store);
        List<DamageCheck.Loss> losses = DamageCheck.checkJournal(journalDir, checkpoint, ledger,
                JournalLedger.coveredFrom(store), false);
        List<DamageCheck.Loss> real = losses.stream().filter(l -> l.entries() != 0).toList();
        if (!real.isEmpty()) {
            refuseUnlessSalvaging(real, null);
        }
        Map<Integer, JournalLedger.Segment> forget = new TreeMap<>();
        for (DamageCheck.Loss l : losses) {
            if (l.present()) {
                Path aside = l.file().resolveSibling(l.file().getFileName() + ".damaged");
                try {
                    Files.move(l.file(), aside, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new HistorianException("cannot set a damaged journal segment aside [file=" + l.file() + "]: "
                            + e, e);
                }
                LOG.warn("journal segment set aside as {}: {}", aside.getFileName(), l.describe());
            }
            if (l.entries() == 0) {
                continue;
            }
            lostEntries += l.atLeast();
            if (!l.exact()) {
                unknownCounts++;
            }
            if (l.samples() >= 0) {
                lostSamples += l.samples();
            } else {
                unknownCounts++;
            }
            note(l.describe() + (l.present() ? "; set aside as " + l.file().getFileName() + ".damaged" : ""));
            JournalLedger.Segment s = ledger.get(l.cycle());
            if (s != null) {
                forget.put(l.cycle(), s);
            }
        }
        JournalLedger.forget(store, forget);
        if (checkpoint != null && !real.isEmpty() && forget.containsKey(DamageCheck.cycleOf(checkpoint[0]))) {
            // The checkpoint's segment is gone: replay resumes with the next segment there is, and
            // the next open finds the checkpoint consistent with the journal again.
            int cycle = DamageCheck.cycleOf(checkpoint[0]);
            try (WriteBatch batch = new WriteBatch()) {
                store.putCheckpoint(batch, DamageCheck.lastIndexOf(cycle), true);
                store.write(batch, true);
            }
        }
        if (checkpoint != null) {
            JournalLedger.forgetBefore(store, DamageCheck.cycleOf(checkpoint[0]));
        }
    }

    /**
     * With the store rebuilt, registers a placeholder tag for every tag id the journal names, so
     * that the replay restores the samples it still holds.
     */
    void registerJournalTags(TagRegistry registry, ChronicleJournal journal) {
        if (!rebuild || registry.size() > 0) {
            return;
        }
        EntryScan scan = new EntryScan();
        ExcerptTailer tailer = journal.createTailer();
        try {
            tailer.toStart();
            while (scan.read(tailer)) {
                try {
                    scan.decode(Integer.MAX_VALUE);
                } catch (CorruptEntryException e) {
                    // The replay counts and logs it.
                }
            }
        } finally {
            tailer.close();
        }
        int maxId = scan.maxTagId();
        if (maxId < 0) {
            return;
        }
        List<TagDefinition> placeholders = new ArrayList<>();
        for (int id = 0; id <= maxId; id++) {
            placeholders.add(TagDefinition.of(PLACEHOLDER_PREFIX + id));
        }
        registry.register(placeholders, true);
        note("the journal names " + (maxId + 1) + " tag ids; their samples are restored under the names "
                + PLACEHOLDER_PREFIX + "0.." + PLACEHOLDER_PREFIX + maxId);
    }

    private void refuseUnlessSalvaging(List<DamageCheck.Loss> losses, Throwable cause) {
        if (mode == Recovery.SALVAGE) {
            return;
        }
        StringBuilder message = new StringBuilder("the data directory has lost data: ");
        for (int i = 0; i < losses.size(); i++) {
            message.append(i == 0 ? "" : "; ").append(losses.get(i).describe());
        }
        message.append(" [dir=").append(dataDirectory).append(", recovery=STRICT]; restore the file from a backup, or"
                + " open with Recovery.SALVAGE to keep what is left");
        throw new DamagedDataException(message.toString(), losses.get(0).file(), cause);
    }

    private void note(String what) {
        notes.add(what);
        LOG.warn("salvaging open [dir={}]: {}", dataDirectory, what);
    }

    /** Logs the totals; once the open is done. */
    void report() {
        if (!notes.isEmpty()) {
            LOG.warn("salvaging open done [dir={}]: {} journal entries and {} samples could not be recovered{}",
                    dataDirectory, lostEntries, lostSamples, unknownCounts > 0 ? " (at least; some counts are unknown)"
                    : "");
        }
    }

    long lostEntries() {
        return lostEntries;
    }

    long lostSamples() {
        return lostSamples;
    }

    /** What the salvage found and did, or null when the open found no damage. */
    String summary() {
        return notes.isEmpty() ? null : String.join("; ", notes) + (unknownCounts > 0
                ? " (the counts of lost entries and samples are lower bounds)" : "");
    }
}
