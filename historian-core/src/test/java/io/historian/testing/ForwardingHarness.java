package io.historian.testing;

import io.historian.DataSize;
import io.historian.ForwarderStatus;
import io.historian.Historian;
import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.spi.Forwarder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The forwarding benchmark's body, for any target: a plain harness, not a test. A module's
 * {@code main} (such as {@code io.historian.kafka.ForwardingBenchmark}) starts its broker on
 * 127.0.0.1 and hands it over as a {@link Target}.
 *
 * <p>For each of 0, 1 and 4 forwarders (one channel each: a topic, an edge node), {@code runs}
 * times, alternating, after one warm-up of each: a fresh historian takes {@code samples} samples
 * of 100 tags in batches of 10,000 as fast as one writer thread can, and the harness reports
 * <ul>
 * <li>ingest samples/s: the writes alone, timed until the last {@code write} returns;
 * <li>forwarding samples/s per forwarder: from the first write until every forwarder's target
 *     acknowledged the last sample;
 * <li>CPU per forwarded sample: the CPU time of the forwarders' threads (the historian's
 *     {@code historian-forwarder-*} and the client library's own threads) over the samples
 *     forwarded.
 * </ul>
 * Then one forwarder with the writer paced at {@code rate} samples/s for {@code seconds}: the
 * rate achieved, batches more than 100 ms late, the forwarder's lag at the end and its largest,
 * and how long it takes to drain.
 */
public final class ForwardingHarness {
    private static final int TAGS = 100;
    private static final int BATCH = 10_000;
    private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * The command line's first four arguments: {@code [samples=5000000] [runs=3] [rate=1000000] [seconds=30]}.
     *
     * @param samples samples per run
     * @param runs runs of each configuration
     * @param rate the paced run's offered samples/s
     * @param seconds the paced run's length
     */
    public record Options(long samples, int runs, long rate, int seconds) {
        /**
         * Reads the options from a {@code main}'s arguments; later arguments are the target's.
         *
         * @param args the arguments
         * @return the options, with defaults for those not given
         */
        public static Options parse(String[] args) {
            return new Options(args.length > 0 ? Long.parseLong(args[0]) : 5_000_000,
                    args.length > 1 ? Integer.parseInt(args[1]) : 3,
                    args.length > 2 ? Long.parseLong(args[2]) : 1_000_000,
                    args.length > 3 ? Integer.parseInt(args[3]) : 30);
        }
    }

    /** What the harness forwards to: a broker already running on 127.0.0.1. */
    public interface Target {
        /**
         * A forwarder named {@code name} that sends to {@code channel} (a topic, an edge node).
         *
         * @param name the forwarder's name
         * @param channel where it sends, unique per forwarder and run
         * @return a new forwarder
         */
        Forwarder forwarder(String name, String channel);

        /**
         * Called before the forwarders of a run are built, such as to create topics.
         *
         * @param channels the run's channels
         * @throws Exception if the broker refuses
         */
        default void prepare(List<String> channels) throws Exception {
        }

        /**
         * Called after a run, such as to delete its topics.
         *
         * @param channels the run's channels
         * @throws Exception if the broker refuses
         */
        default void cleanup(List<String> channels) throws Exception {
        }

        /** {@return name prefixes of the client library's threads, whose CPU counts as forwarding} */
        List<String> clientThreads();
    }

    private final Target target;
    private final Path work;

    private ForwardingHarness(Target target, Path work) {
        this.target = target;
        this.work = work;
    }

    /**
     * Runs every measurement and prints a line per run and the summaries.
     *
     * @param target the broker and its forwarders
     * @param work a directory for the historians' data, emptied as runs end
     * @param options how much to run
     * @throws Exception if a run fails
     */
    public static void run(Target target, Path work, Options options) throws Exception {
        long samples = options.samples();
        int runs = options.runs();
        ForwardingHarness harness = new ForwardingHarness(target, work);
        System.out.printf(Locale.ROOT, "forwarding: %,d samples per run, %d tags, batches of %,d, %d runs; JDK %s, %d cpus%n",
                samples, TAGS, BATCH, runs, Runtime.version(), Runtime.getRuntime().availableProcessors());
        int[] configs = {0, 1, 4};
        for (int forwarders : configs) {
            harness.run("warmup", forwarders, Math.min(samples, 2_000_000), false);
        }
        Map<Integer, List<double[]>> results = new java.util.TreeMap<>();
        for (int r = 0; r < runs; r++) {
            for (int forwarders : configs) {
                results.computeIfAbsent(forwarders, k -> new ArrayList<>())
                        .add(harness.run("run" + r, forwarders, samples, true));
            }
        }
        double base = median(results.get(0), 0);
        for (var e : results.entrySet()) {
            List<double[]> rs = e.getValue();
            System.out.printf(Locale.ROOT, "summary forwarders=%d: ingest median %,.0f samples/s (%,.0f to %,.0f), %+.1f%% against none",
                    e.getKey(), median(rs, 0), min(rs, 0), max(rs, 0), 100 * (median(rs, 0) / base - 1));
            if (e.getKey() > 0) {
                System.out.printf(Locale.ROOT, "; forwarding median %,.0f samples/s per forwarder (%,.0f to %,.0f); CPU median %.0f ns per forwarded sample (%.0f to %.0f)",
                        median(rs, 1), min(rs, 1), max(rs, 1), median(rs, 2), min(rs, 2), max(rs, 2));
            }
            System.out.println();
        }
        harness.paced(options.rate(), options.seconds());
    }

    /** One configuration: {ingest samples/s, forwarding samples/s per forwarder, CPU ns per forwarded sample}. */
    private double[] run(String label, int forwarders, long samples,
            boolean report) throws Exception {
        Path dir = work.resolve(label + "-f" + forwarders);
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < forwarders; i++) {
            channels.add("bench-" + label + "-" + forwarders + "-" + i);
        }
        target.prepare(channels);
        Historian.Builder b = Historian.builder().dataDirectory(dir).jmx(false)
                .journalBudget(DataSize.ofGigabytes(4));
        for (int i = 0; i < forwarders; i++) {
            b.forwarder(target.forwarder("fwd" + i, channels.get(i)));
        }
        double ingest;
        double forwarding = Double.NaN;
        double cpuPerSample = Double.NaN;
        double historianCpu = Double.NaN;
        try (Historian h = b.build()) {
            prime(h, forwarders);
            long cpuBefore = forwarderCpuNanos();
            long historianCpuBefore = cpuNanos("historian-forwarder-");
            SampleBatch batch = new SampleBatch(BATCH);
            long start = System.nanoTime();
            long written = 0;
            long second = 0;
            while (written < samples) {
                second = fill(batch, second);
                h.write(batch);
                written += BATCH;
            }
            long wrote = System.nanoTime() - start;
            ingest = written / (wrote / 1e9);
            if (forwarders > 0) {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
                while (!allSent(h, forwarders, written + 1)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("forwarders did not catch up in 30 min: " + h.stats().forwarders());
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
                long forwarded = System.nanoTime() - start;
                forwarding = written / (forwarded / 1e9);
                cpuPerSample = (forwarderCpuNanos() - cpuBefore) / (double) (written * forwarders);
                historianCpu = (cpuNanos("historian-forwarder-") - historianCpuBefore) / (double) (written * forwarders);
            }
            if (report) {
                System.out.printf(Locale.ROOT, "%s forwarders=%d: ingest %,.0f samples/s", label, forwarders, ingest);
                if (forwarders > 0) {
                    System.out.printf(Locale.ROOT, ", forwarded %,.0f samples/s per forwarder, %.0f ns CPU per forwarded sample (%.0f on the historian's forwarder threads, the rest on the client's), %s",
                            forwarding, cpuPerSample, historianCpu, h.forwarder("fwd0").status());
                }
                System.out.println();
            }
        } finally {
            target.cleanup(channels);
            deleteTree(dir);
        }
        return new double[] {ingest, forwarding, cpuPerSample};
    }

    /** One forwarder, the writer paced at {@code rate} samples/s: does forwarding keep up? */
    private void paced(long rate, int seconds) throws Exception {
        Path dir = work.resolve("paced");
        List<String> channels = List.of("bench-paced");
        target.prepare(channels);
        try (Historian h = Historian.builder().dataDirectory(dir).jmx(false).journalBudget(DataSize.ofGigabytes(4))
                .forwarder(target.forwarder("fwd0", channels.get(0))).build()) {
            prime(h, 1);
            SampleBatch batch = new SampleBatch(BATCH);
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long written = 0;
            long second = 0;
            long maxLag = 0;
            long behind = 0;
            while (System.nanoTime() < end) {
                long due = start + (long) (written * 1e9 / rate);
                long now = System.nanoTime();
                if (due > now) {
                    LockSupport.parkNanos(due - now);
                } else if (now - due > TimeUnit.MILLISECONDS.toNanos(100)) {
                    behind++;
                }
                second = fill(batch, second);
                h.write(batch);
                written += BATCH;
                if ((written / BATCH) % 10 == 0) {
                    maxLag = Math.max(maxLag, h.forwarder("fwd0").status().lagSamples());
                }
            }
            double achieved = written / ((System.nanoTime() - start) / 1e9);
            ForwarderStatus atEnd = h.forwarder("fwd0").status();
            long drainStart = System.nanoTime();
            while (!allSent(h, 1, written + 1)) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            double drain = (System.nanoTime() - drainStart) / 1e6;
            System.out.printf(Locale.ROOT, "paced: offered %,d samples/s for %d s, achieved %,.0f samples/s (%d batches more than 100 ms late); "
                    + "forwarder lag at the end %,d samples, largest %,d samples; drained in %.0f ms%n",
                    rate, seconds, achieved, behind, atEnd.lagSamples(), maxLag, drain);
        } finally {
            target.cleanup(channels);
            deleteTree(dir);
        }
    }

    /** Fills the batch with the rows (one sample per tag) from {@code second} on; returns the next row's second. */
    private static long fill(SampleBatch batch, long second) {
        batch.clear();
        for (int i = 0; i < BATCH; i += TAGS) {
            long ts = T0 + second * 1000;
            for (int t = 0; t < TAGS; t++) {
                batch.add(TAG_NAMES[t], ts, second * 0.01 + t, Quality.GOOD);
            }
            second++;
        }
        return second;
    }

    private static final String[] TAG_NAMES = new String[TAGS];

    static {
        for (int t = 0; t < TAGS; t++) {
            TAG_NAMES[t] = "line1.tag" + t;
        }
    }

    /** One sample forwarded before the clock starts: the producers have connected and fetched their metadata. */
    private static void prime(Historian h, int forwarders) {
        h.write(TAG_NAMES[0], java.time.Instant.ofEpochMilli(T0 - 1000), 0);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!allSent(h, forwarders, 1)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the forwarders did not connect in 2 min: " + h.stats().forwarders());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static boolean allSent(Historian h, int forwarders, long written) {
        for (int i = 0; i < forwarders; i++) {
            if (h.forwarder("fwd" + i).status().sentSamples() < written) {
                return false;
            }
        }
        return true;
    }

    /** CPU time of every live thread that forwards: the historian's forwarder threads and the producers' network threads. */
    private long forwarderCpuNanos() {
        long sum = cpuNanos("historian-forwarder-");
        for (String prefix : target.clientThreads()) {
            sum += cpuNanos(prefix);
        }
        return sum;
    }

    /** CPU time of every live thread whose name starts with {@code prefix}. */
    private static long cpuNanos(String prefix) {
        long sum = 0;
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            String name = info.getThreadName();
            if (name.startsWith(prefix)) {
                long cpu = THREADS.getThreadCpuTime(info.getThreadId());
                sum += Math.max(0, cpu);
            }
        }
        return sum;
    }

    private static double median(List<double[]> rs, int i) {
        double[] v = rs.stream().mapToDouble(r -> r[i]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double min(List<double[]> rs, int i) {
        return rs.stream().mapToDouble(r -> r[i]).min().orElse(Double.NaN);
    }

    private static double max(List<double[]> rs, int i) {
        return rs.stream().mapToDouble(r -> r[i]).max().orElse(Double.NaN);
    }

    /** Deletes a directory and everything in it, if it exists. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
