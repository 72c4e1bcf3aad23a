package io.historian.bench;

import io.historian.bench.peers.Peer;
import io.historian.testing.StandardDataset;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Runs this product and its peers side by side, in one JVM, on the same samples, and writes a
 * Markdown table and a JSON file of the results.
 *
 * <p><b>Workload.</b> The standard dataset (DESIGN section 13): {@code --tags} tags (default 100),
 * {@code --samples} samples in all (default 10,000,000), 1 s period, 2-decimal analog values, all
 * Good, generated before any clock starts. Each engine in turn ({@code --engines}, default
 * {@code historian,questdb,rocksdb}, see {@link Peer}):
 * <ol>
 *   <li>warm-up: the first {@code --warmup} samples (default the smaller of 2M and a fifth of the
 *       run) into a throwaway directory, so the JIT has compiled the write path;</li>
 *   <li>ingest: every sample in live order (each second, one sample per tag), in batches of
 *       {@code --batch} (default 10,000), one commit per batch, no fsync, from the first write to
 *       the return of the last one;</li>
 *   <li>finish: the engine brought to rest (everything committed, compaction done), timed
 *       apart;</li>
 *   <li>disk: the blocks every file under the engine's directory occupies ({@code du}), and the data files alone where the engine
 *       tells them apart;</li>
 *   <li>read: every sample of the middle tag, {@code --warm-reads} (20) untimed passes, then the
 *       median of {@code --reads} (10); each pass is checked for count, time order and the exact
 *       sum of the values.</li>
 * </ol>
 * The ratios are always "how many times better this product is": peer time over ours, peer
 * bytes over ours. The engines' directories (under {@code --work}, default {@code java.io.tmpdir})
 * are deleted after each engine.
 *
 * <p><b>Run</b> (from the repository root; {@code historian-bench/compare.sh} builds and runs it):
 * <pre>
 * java -Xmx4g --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED \
 *   --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
 *   --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
 *   --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -Dchronicle.analytics.disable=true \
 *   -cp historian-bench/target/benchmarks.jar io.historian.bench.Compare --samples 10000000 --out target/compare
 * </pre>
 * Heap: 8 bytes per sample of pre-generated values ({@code -Xmx4g} is enough for 100M).
 */
public final class Compare {

    /** The settings of one comparison. */
    record Options(long samples, int tags, int batch, List<String> engines, Path out, Path work, long warmup,
            int warmReads, int reads) {
        Options {
            if (tags < 1) {
                throw new IllegalArgumentException("--tags must be positive [tags=" + tags + "]");
            }
            if (samples < tags || samples % tags != 0 || samples / tags > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("--samples must be a multiple of --tags, at least one per tag"
                        + " [samples=" + samples + ", tags=" + tags + "]");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("--batch must be positive [batch=" + batch + "]");
            }
            if (engines.isEmpty() || !Peer.NAMES.containsAll(engines)) {
                throw new IllegalArgumentException("--engines must name known engines [engines=" + String.join(",", engines)
                        + ", known=" + String.join(",", Peer.NAMES) + "]");
            }
            if (reads < 1 || warmReads < 0 || warmup < 0) {
                throw new IllegalArgumentException("--reads must be positive, --warm-reads and --warmup not negative"
                        + " [reads=" + reads + ", warmReads=" + warmReads + ", warmup=" + warmup + "]");
            }
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(work, "work");
        }

        int samplesPerTag() {
            return (int) (samples / tags);
        }

        static Options parse(String... args) {
            long samples = 10_000_000;
            int tags = 100;
            int batch = 10_000;
            List<String> engines = Peer.NAMES;
            Path out = Path.of("target", "compare");
            Path work = Path.of(System.getProperty("java.io.tmpdir"));
            long warmup = -1;
            int warmReads = 20;
            int reads = 10;
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException("option without a value [option=" + name + "]");
                }
                String value = args[++i];
                try {
                    switch (name) {
                        case "--samples" -> samples = Long.parseLong(value.replace("_", ""));
                        case "--tags" -> tags = Integer.parseInt(value);
                        case "--batch" -> batch = Integer.parseInt(value.replace("_", ""));
                        case "--engines" -> engines = List.of(value.split(","));
                        case "--out" -> out = Path.of(value);
                        case "--work" -> work = Path.of(value);
                        case "--warmup" -> warmup = Long.parseLong(value.replace("_", ""));
                        case "--warm-reads" -> warmReads = Integer.parseInt(value);
                        case "--reads" -> reads = Integer.parseInt(value);
                        default -> throw new IllegalArgumentException("unknown option [option=" + name
                                + ", known=--samples --tags --batch --engines --out --work --warmup --warm-reads --reads]");
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a number [option=" + name + ", value=" + value + "]", e);
                }
            }
            if (warmup < 0) {
                warmup = Math.min(2_000_000, samples / 5 / tags * tags);
            }
            return new Options(samples, tags, batch, engines, out, work, warmup, warmReads, reads);
        }
    }

    /** What one engine did. */
    record EngineResult(String name, String description, long samples, double ingestSeconds, double finishSeconds,
            long bytesOnDisk, long dataBytes, int readSamples, double readMedianMillis, double readBestMillis,
            double readWorstMillis) {

        double ingestRate() {
            return samples / ingestSeconds;
        }

        double settledRate() {
            return samples / (ingestSeconds + finishSeconds);
        }

        double bytesPerSample() {
            return bytesOnDisk / (double) samples;
        }

        double dataBytesPerSample() {
            return dataBytes / (double) samples;
        }
    }

    private Compare() {
    }

    public static void main(String[] args) throws IOException {
        Options options = Options.parse(args);
        List<EngineResult> results = run(options, System.out);
        String environment = environment();
        String command = "Compare " + String.join(" ", args);
        Files.createDirectories(options.out());
        Path md = options.out().resolve("compare.md");
        Path json = options.out().resolve("compare.json");
        Files.writeString(md, markdown(options, results, environment, command), StandardCharsets.UTF_8);
        Files.writeString(json, json(options, results, environment, command), StandardCharsets.UTF_8);
        System.out.println();
        System.out.print(Files.readString(md));
        System.out.println("wrote " + md + " and " + json);
    }

    /** Runs every engine of {@code options} in turn; progress goes to {@code log}. */
    static List<EngineResult> run(Options options, PrintStream log) {
        int tags = options.tags();
        int perTag = options.samplesPerTag();
        StandardDataset data = StandardDataset.standard(tags, perTag);
        log.printf(Locale.ROOT, "generating %d tags x %,d samples (%,d)...%n", tags, perTag, options.samples());
        String[] names = new String[tags];
        double[][] values = new double[tags][perTag];
        for (int t = 0; t < tags; t++) {
            names[t] = data.tagName(t);
            data.fillValues(t, 0, values[t], 0, perTag);
        }
        int readTag = tags / 2;
        double expectedSum = 0;
        for (double v : values[readTag]) {
            expectedSum += v;
        }
        List<EngineResult> results = new ArrayList<>();
        for (String engine : options.engines()) {
            if (options.warmup() > 0) {
                try (Peer warm = Peer.open(engine, newDirectory(options.work(), engine + "-warmup"), names)) {
                    ingest(warm, values, options.warmup() / tags, options.batch());
                }
            }
            System.gc();
            try (Peer peer = Peer.open(engine, newDirectory(options.work(), engine), names)) {
                log.printf(Locale.ROOT, "[%s] ingesting %,d samples...%n", engine, options.samples());
                long start = System.nanoTime();
                ingest(peer, values, perTag, options.batch());
                long ingested = System.nanoTime();
                peer.finish();
                long finished = System.nanoTime();
                long bytes = peer.bytesOnDisk();
                long dataBytes = peer.dataBytes();
                double[] millis = new double[options.reads()];
                Peer.ReadCheck check = new Peer.ReadCheck();
                for (int i = 0; i < options.warmReads() + options.reads(); i++) {
                    check.reset();
                    long r0 = System.nanoTime();
                    peer.read(readTag, check);
                    long r1 = System.nanoTime();
                    if (check.count() != perTag || !check.ordered() || check.sum() != expectedSum) {
                        throw new IllegalStateException("read back wrong samples [engine=" + engine + ", tag="
                                + names[readTag] + ", count=" + check.count() + ", expected=" + perTag + ", ordered="
                                + check.ordered() + ", sum=" + check.sum() + ", expectedSum=" + expectedSum + "]");
                    }
                    if (i >= options.warmReads()) {
                        millis[i - options.warmReads()] = (r1 - r0) / 1e6;
                    }
                }
                Arrays.sort(millis);
                EngineResult r = new EngineResult(engine, peer.description(), options.samples(),
                        (ingested - start) / 1e9, (finished - ingested) / 1e9, bytes, dataBytes, perTag,
                        millis[millis.length / 2], millis[0], millis[millis.length - 1]);
                log.printf(Locale.ROOT, "[%s] ingest %.2f M samples/s (%.2f s), finish %.2f s, %.3f B/sample on disk"
                        + " (data %.3f), read %s: median %.2f ms (best %.2f, worst %.2f)%n", engine,
                        r.ingestRate() / 1e6, r.ingestSeconds(), r.finishSeconds(), r.bytesPerSample(),
                        r.dataBytesPerSample(), names[readTag], r.readMedianMillis(), r.readBestMillis(),
                        r.readWorstMillis());
                results.add(r);
            }
        }
        return results;
    }

    /** Writes samples {@code [0, perTag)} of every tag in live order, {@code batch} per write. */
    private static void ingest(Peer peer, double[][] values, long perTag, int batch) {
        int tags = values.length;
        int[] tagColumn = new int[batch];
        long[] tsColumn = new long[batch];
        double[] valueColumn = new double[batch];
        int n = 0;
        for (int s = 0; s < perTag; s++) {
            long ts = StandardDataset.T0 + s * StandardDataset.PERIOD_MS;
            for (int t = 0; t < tags; t++) {
                tagColumn[n] = t;
                tsColumn[n] = ts;
                valueColumn[n] = values[t][s];
                if (++n == batch) {
                    peer.write(tagColumn, tsColumn, valueColumn, n);
                    n = 0;
                }
            }
        }
        if (n > 0) {
            peer.write(tagColumn, tsColumn, valueColumn, n);
        }
    }

    private static Path newDirectory(Path work, String engine) {
        try {
            Files.createDirectories(work);
            return Files.createTempDirectory(work, "compare-" + engine + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for " + engine + " under " + work, e);
        }
    }

    static String markdown(Options o, List<EngineResult> results, String environment, String command) {
        EngineResult ours = results.stream().filter(r -> r.name().equals("historian")).findFirst().orElse(null);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Standard dataset, %d tags x %,d samples = %,d samples, live order, "
                + "batches of %,d, one commit per batch, no fsync. %s.%n%n", o.tags(), o.samplesPerTag(), o.samples(),
                o.batch(), environment));
        sb.append("| engine | ingest, M samples/s | ingest + finish, M samples/s | finish (s) | disk, B/sample (all files)"
                + " | disk, B/sample (data only) | read one tag, ms (median) | ingest: ours / peer | disk: peer / ours"
                + " | read: peer / ours |\n");
        sb.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (EngineResult r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.1f | %.3f | %.3f | %.1f | %s | %s | %s |%n",
                    r.name(), r.ingestRate() / 1e6, r.settledRate() / 1e6, r.finishSeconds(), r.bytesPerSample(),
                    r.dataBytesPerSample(), r.readMedianMillis(),
                    ours == null ? "-" : ratio(ours.ingestRate(), r.ingestRate()),
                    ours == null ? "-" : ratio(r.bytesPerSample(), ours.bytesPerSample()),
                    ours == null ? "-" : ratio(r.readMedianMillis(), ours.readMedianMillis())));
        }
        sb.append('\n');
        for (EngineResult r : results) {
            sb.append(String.format(Locale.ROOT, "- %s: %s. Read: %,d samples, best %.1f ms, worst %.1f ms.%n",
                    r.name(), r.description(), r.readSamples(), r.readBestMillis(), r.readWorstMillis()));
        }
        sb.append(String.format(Locale.ROOT, "%nCommand: `%s`%n", command));
        return sb.toString();
    }

    private static String ratio(double numerator, double denominator) {
        return String.format(Locale.ROOT, "%.2fx", numerator / denominator);
    }

    static String json(Options o, List<EngineResult> results, String environment, String command) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\n");
        sb.append("  \"command\": ").append(quote(command)).append(",\n");
        sb.append("  \"environment\": ").append(quote(environment)).append(",\n");
        sb.append(String.format(Locale.ROOT, "  \"dataset\": {\"name\": \"standard\", \"tags\": %d, \"samplesPerTag\": %d,"
                + " \"samples\": %d, \"batch\": %d, \"seed\": %d},%n", o.tags(), o.samplesPerTag(), o.samples(), o.batch(),
                StandardDataset.DEFAULT_SEED));
        sb.append("  \"engines\": [\n");
        for (int i = 0; i < results.size(); i++) {
            EngineResult r = results.get(i);
            sb.append(String.format(Locale.ROOT, "    {\"name\": %s, \"description\": %s, \"samples\": %d,"
                    + " \"ingestSeconds\": %.4f, \"ingestSamplesPerSecond\": %.0f, \"finishSeconds\": %.4f,"
                    + " \"bytesOnDisk\": %d, \"bytesPerSample\": %.4f, \"dataBytes\": %d, \"dataBytesPerSample\": %.4f,"
                    + " \"readSamples\": %d, \"readMedianMillis\": %.3f, \"readBestMillis\": %.3f,"
                    + " \"readWorstMillis\": %.3f}%s%n", quote(r.name()), quote(r.description()), r.samples(),
                    r.ingestSeconds(), r.ingestRate(), r.finishSeconds(), r.bytesOnDisk(), r.bytesPerSample(),
                    r.dataBytes(), r.dataBytesPerSample(), r.readSamples(), r.readMedianMillis(), r.readBestMillis(),
                    r.readWorstMillis(), i + 1 < results.size() ? "," : ""));
        }
        sb.append("  ]\n}\n");
        return sb.toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** Machine, JDK and date, one line. */
    static String environment() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (IOException | UncheckedIOException e) {
            // Not Linux: the CPU stays unnamed.
        }
        return String.format(Locale.ROOT, "%s, %d cores; %s %s; max heap %d MiB; %s UTC", cpu,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), Runtime.getRuntime().maxMemory() >> 20,
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }
}
