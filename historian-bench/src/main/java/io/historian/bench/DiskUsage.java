package io.historian.bench;

import io.historian.DataSize;
import io.historian.HistorianStats;
import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.query.SampleCursor;
import io.historian.testing.StandardDataset;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * Writes the standard dataset once, the way DESIGN section 13 states its targets, and reports
 * ingest rate, bytes per sample on disk and the hot read time of one tag, as a Markdown row.
 *
 * <p><b>Workload.</b> 100 tags (or the second argument) x N samples per tag (the first argument,
 * default 1,000,000: 100M samples), 1 s period, in live order through {@code write(SampleBatch)}
 * with batches of 10,000 and the journal on (default durability {@code PROCESS_CRASH}). The values
 * are generated before the clock starts (8 bytes per sample of heap: give the JVM {@code -Xmx3g}
 * for 100M). Then:
 * <ol>
 *   <li>ingest: wall clock from the first {@code write} to the return of the last one, journal
 *       included; the store writer runs concurrently and throttles the writer through the journal
 *       budget when it falls behind;</li>
 *   <li>drain and compact: wait until the store writer has applied the whole journal, then
 *       {@code Historian.compact()} (seal and commit every open chunk, full RocksDB compaction);
 *       its time is reported apart;</li>
 *   <li>disk: {@code rocksdb.total-sst-files-size} per sample, and every file under the store
 *       directory and under the whole data directory (journal included) per sample;</li>
 *   <li>hot read: the full history of {@code std.tag050} through the raw cursor, 20 passes to warm
 *       up and then the median and best of 10.</li>
 * </ol>
 * The data directory (under {@code java.io.tmpdir}) is deleted at the end, also on failure.
 *
 * <p><b>Run</b> (from the repository root, after {@code mvn -pl historian-bench -am package -DskipTests}):
 * <pre>
 * java -Xmx3g --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED \
 *   --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
 *   --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
 *   --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -Dchronicle.analytics.disable=true \
 *   -cp historian-bench/target/benchmarks.jar io.historian.bench.DiskUsage 1000000
 * </pre>
 * A smaller first argument (say 100000) gives a quick run.
 */
public final class DiskUsage {
    private static final int BATCH = 10_000;
    private static final int WARM_READS = 20;
    private static final int TIMED_READS = 10;

    private DiskUsage() {
    }

    public static void main(String[] args) {
        int samplesPerTag = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
        int tags = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        long total = (long) tags * samplesPerTag;
        StandardDataset data = StandardDataset.standard(tags, samplesPerTag);

        System.out.printf(Locale.ROOT, "generating %d tags x %,d samples (%,d)...%n", tags, samplesPerTag, total);
        String[] names = new String[tags];
        // By second, then tag, the order they are written in: with 100,000 tags a layout by tag
        // would make each sample a cache miss of the harness, counted in the ingest time.
        double[][] values = new double[samplesPerTag][tags];
        double[] series = new double[samplesPerTag];
        for (int t = 0; t < tags; t++) {
            names[t] = data.tagName(t);
            data.fillValues(t, 0, series, 0, samplesPerTag);
            for (int s = 0; s < samplesPerTag; s++) {
                values[s][t] = series[s];
            }
        }

        try (ScratchHistorian scratch = ScratchHistorian.open(DataSize.ofGigabytes(8))) {
            System.out.printf(Locale.ROOT, "data directory %s%n", scratch.directory());
            SampleBatch batch = new SampleBatch(BATCH);
            long start = System.nanoTime();
            for (int s = 0; s < samplesPerTag; s++) {
                long ts = StandardDataset.T0 + s * StandardDataset.PERIOD_MS;
                for (int t = 0; t < tags; t++) {
                    batch.add(names[t], ts, values[s][t], Quality.GOOD);
                    if (batch.size() == BATCH) {
                        scratch.historian().write(batch);
                        batch.clear();
                    }
                }
            }
            if (!batch.isEmpty()) {
                scratch.historian().write(batch);
            }
            long ingested = System.nanoTime();
            HistorianStats afterIngest = scratch.historian().stats();
            HistorianStats stats = scratch.commitAndCompact(names[0]);
            long compacted = System.nanoTime();
            if (stats.journaledSamples() != total || stats.rejectedSamples() != 0) {
                throw new IllegalStateException("not every sample was journaled [expected=" + total + ", stats=" + stats + "]");
            }

            long sst = stats.storeBytes();
            Path storeDir = scratch.directory().resolve("store");
            long storeBytes = ScratchHistorian.sizeOf(storeDir);
            long dirBytes = ScratchHistorian.sizeOf(scratch.directory());

            String tag = data.tagName(tags / 2);
            Instant from = Instant.ofEpochMilli(data.timestamp(0));
            Instant to = Instant.ofEpochMilli(data.timestamp(samplesPerTag));
            double[] readMillis = new double[TIMED_READS];
            double checksum = 0;
            for (int i = 0; i < WARM_READS + TIMED_READS; i++) {
                long r0 = System.nanoTime();
                long count = 0;
                double sum = 0;
                try (SampleCursor c = scratch.historian().query(tag).between(from, to).raw()) {
                    while (c.next()) {
                        sum += c.value();
                        count++;
                    }
                }
                long r1 = System.nanoTime();
                if (count != samplesPerTag) {
                    throw new IllegalStateException("read " + count + " samples of " + tag + ", expected " + samplesPerTag);
                }
                checksum += sum;
                if (i >= WARM_READS) {
                    readMillis[i - WARM_READS] = (r1 - r0) / 1e6;
                }
            }
            Arrays.sort(readMillis);

            double ingestSeconds = (ingested - start) / 1e9;
            double compactSeconds = (compacted - ingested) / 1e9;
            System.out.printf(Locale.ROOT, "ingest: %,d samples in %.2f s = %.2f M samples/s (wall, journal on)%n",
                    total, ingestSeconds, total / ingestSeconds / 1e6);
            System.out.printf(Locale.ROOT, "  at the last write's return: stored=%,d in memory=%,d not yet applied=%,d"
                    + " journalBytes=%,d journalFullEvents=%,d%n", afterIngest.storedSamples(),
                    afterIngest.pendingSamples(), total - afterIngest.storedSamples() - afterIngest.pendingSamples(),
                    afterIngest.journalBytes(), afterIngest.journalFullEvents());
            System.out.printf(Locale.ROOT, "drain + compact (store writer catches up, commits open chunks, full compaction): %.2f s%n", compactSeconds);
            System.out.printf(Locale.ROOT, "after compact(): stored=%,d pending=%,d chunks=%,d journalBytes=%,d%n",
                    stats.storedSamples(), stats.pendingSamples(), stats.committedChunks(), stats.journalBytes());
            System.out.printf(Locale.ROOT, "disk: SST %,d B = %.3f B/sample; store dir %,d B = %.3f B/sample;"
                    + " data dir (journal included) %,d B = %.3f B/sample%n", sst, sst / (double) total,
                    storeBytes, storeBytes / (double) total, dirBytes, dirBytes / (double) total);
            System.out.printf(Locale.ROOT, "read %s (%,d samples) hot: median %.2f ms, best %.2f ms, worst %.2f ms"
                    + " (checksum %.2f)%n", tag, samplesPerTag, readMillis[TIMED_READS / 2], readMillis[0],
                    readMillis[TIMED_READS - 1], checksum);
            System.out.println();
            System.out.println("| samples | ingest (M samples/s, wall) | drain + compact (s) | SST B/sample"
                    + " | store dir B/sample | data dir B/sample | read 1 tag hot, median (ms) |");
            System.out.println("|---|---|---|---|---|---|---|");
            System.out.printf(Locale.ROOT, "| %d x %,d | %.2f | %.1f | %.3f | %.3f | %.3f | %.2f |%n", tags,
                    samplesPerTag, total / ingestSeconds / 1e6, compactSeconds, sst / (double) total,
                    storeBytes / (double) total, dirBytes / (double) total, readMillis[TIMED_READS / 2]);
        }
    }
}
