package io.historian.simulation;

import io.historian.DataSize;
import io.historian.DuplicatePolicy;
import io.historian.Historian;
import io.historian.OverflowPolicy;
import io.historian.TieringPolicy;
import io.historian.spi.ColdTier;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;

/**
 * How one simulated world's historian is configured: drawn from the seed when the world starts,
 * fixed for its life, and shared (through a properties file) with the child JVM that writes into
 * the same directory before it is killed, so both sides open the historian exactly alike.
 *
 * @param duplicates the duplicate policy
 * @param retentionMillis the retention, or 0 for none
 * @param tiering {@code none}, {@code age} or {@code size}
 * @param tierAgeMillis the age of {@code TieringPolicy.olderThan} (age tiering only)
 * @param tierSizeBytes the limit of {@code TieringPolicy.localSizeAbove} (size tiering only)
 * @param partitionMillis the tiering partition
 * @param journalReject a 16 MiB journal with {@link OverflowPolicy#REJECT}, where too-large writes are refused
 * @param chunkMaxSamples the chunk size
 * @param stalenessMillis the formula staleness
 */
record WorldConfig(DuplicatePolicy duplicates, long retentionMillis, String tiering, long tierAgeMillis,
        long tierSizeBytes, long partitionMillis, boolean journalReject, int chunkMaxSamples, long stalenessMillis) {

    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;
    /** The journal budget of {@link #journalReject} worlds. */
    static final DataSize SMALL_JOURNAL = DataSize.ofMegabytes(16);

    /** Raw tags: no formula reads them. */
    static final List<String> RAW_TAGS = List.of("plant.t0", "plant.t1", "plant.t2", "line 1/pump%speed", "ünï.cødé");
    /** Tags the formulas read. */
    static final List<String> INPUT_TAGS = List.of("in.a", "in.b", "in.c");
    /** Formula outputs, in dependency order: calc.chain reads calc.sum. */
    static final List<String> DERIVED_TAGS = List.of("calc.sum", "calc.ratio", "calc.chain");

    /** A configuration drawn from {@code random}. */
    static WorldConfig draw(SplittableRandom random) {
        DuplicatePolicy dup = DuplicatePolicy.values()[random.nextInt(3)];
        long retention = switch (random.nextInt(5)) {
            case 0 -> 0;
            case 1 -> 36 * HOUR;
            case 2 -> 2 * DAY;
            case 3 -> 3 * DAY;
            default -> DAY;
        };
        String tiering;
        long age = 0;
        long size = 0;
        long partition = DAY;
        switch (random.nextInt(6)) {
            case 0 -> tiering = "none";
            case 1 -> {
                tiering = "age";
                age = DAY;
            }
            case 2 -> {
                tiering = "age";
                age = 6 * HOUR;
                partition = HOUR;
            }
            case 3 -> {
                tiering = "age";
                age = 12 * HOUR;
                partition = 6 * HOUR;
            }
            case 4 -> {
                tiering = "size";
                size = 64 << 10;
                partition = 6 * HOUR;
            }
            default -> {
                tiering = "size";
                size = 256 << 10;
            }
        }
        boolean journalReject = random.nextInt(4) == 0;
        int chunk = new int[] {64, 256, 4096}[random.nextInt(3)];
        long staleness = random.nextBoolean() ? HOUR : 20 * 60_000L;
        return new WorldConfig(dup, retention, tiering, age, size, partition, journalReject, chunk, staleness);
    }

    boolean hasTier() {
        return !"none".equals(tiering);
    }

    boolean hasRetention() {
        return retentionMillis > 0;
    }

    /** The builder both the simulation and the child JVM open the world's directory with. */
    Historian.Builder builder(Path data, ColdTier tier, Clock clock) {
        Historian.Builder b = Historian.builder().dataDirectory(data).jmx(false).clock(clock)
                .duplicates(duplicates).chunkMaxSamples(chunkMaxSamples)
                .formulaStaleness(Duration.ofMillis(stalenessMillis))
                .formula("calc.sum", "in.a + in.b")
                .formula("calc.ratio", "in.a / in.b")
                .formula("calc.chain", "calc.sum * 2 - in.c");
        if (hasRetention()) {
            b.retention(Duration.ofMillis(retentionMillis));
        }
        if (hasTier()) {
            TieringPolicy policy = "age".equals(tiering) ? TieringPolicy.olderThan(Duration.ofMillis(tierAgeMillis))
                    : TieringPolicy.localSizeAbove(DataSize.ofBytes(tierSizeBytes));
            // One upload at a time: the tier's failure counts calls, so their order must replay with the seed.
            b.coldTier(tier).tiering(policy.checkEvery(Duration.ZERO).partition(Duration.ofMillis(partitionMillis))
                    .uploadConcurrency(1));
        }
        if (journalReject) {
            b.journalBudget(SMALL_JOURNAL).journalOverflow(OverflowPolicy.REJECT).maxBatchSize(2_000_000);
        }
        return b;
    }

    void save(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("duplicates", duplicates.name());
        p.setProperty("retentionMillis", Long.toString(retentionMillis));
        p.setProperty("tiering", tiering);
        p.setProperty("tierAgeMillis", Long.toString(tierAgeMillis));
        p.setProperty("tierSizeBytes", Long.toString(tierSizeBytes));
        p.setProperty("partitionMillis", Long.toString(partitionMillis));
        p.setProperty("journalReject", Boolean.toString(journalReject));
        p.setProperty("chunkMaxSamples", Integer.toString(chunkMaxSamples));
        p.setProperty("stalenessMillis", Long.toString(stalenessMillis));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "lifecycle simulation world");
        }
    }

    static WorldConfig load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return new WorldConfig(DuplicatePolicy.valueOf(p.getProperty("duplicates")),
                Long.parseLong(p.getProperty("retentionMillis")), p.getProperty("tiering"),
                Long.parseLong(p.getProperty("tierAgeMillis")), Long.parseLong(p.getProperty("tierSizeBytes")),
                Long.parseLong(p.getProperty("partitionMillis")), Boolean.parseBoolean(p.getProperty("journalReject")),
                Integer.parseInt(p.getProperty("chunkMaxSamples")), Long.parseLong(p.getProperty("stalenessMillis")));
    }

    @Override
    public String toString() {
        return "World[duplicates=" + duplicates + ", retention=" + (hasRetention() ? Duration.ofMillis(retentionMillis)
                : "none") + ", tiering=" + tiering + ("age".equals(tiering) ? " olderThan " + Duration.ofMillis(tierAgeMillis)
                : "size".equals(tiering) ? " localSizeAbove " + DataSize.ofBytes(tierSizeBytes) : "")
                + (hasTier() ? ", partition=" + Duration.ofMillis(partitionMillis) : "")
                + ", journal=" + (journalReject ? "16 MiB REJECT" : "default") + ", chunkMaxSamples=" + chunkMaxSamples
                + ", formulaStaleness=" + Duration.ofMillis(stalenessMillis) + "]";
    }
}
