package io.historian.bench;

import io.historian.DataSize;
import io.historian.Historian;
import io.historian.HistorianStats;
import io.historian.SampleBatch;
import io.historian.query.SampleCursor;
import io.historian.testing.StandardDataset;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Sustained ingest at a fixed offered rate, with write-latency percentiles, the journal backlog,
 * heap and RSS over time, and a read-back at the end that counts every sample.
 *
 * <p><b>Workload.</b> The standard dataset (DESIGN section 13) for {@code --tags} tags (default
 * 100) in live order, written through {@code write(SampleBatch)} in batches of {@code --batch}
 * samples (default 1,000) at {@code --rate} samples per second (default 1,000,000) for
 * {@code --duration} (default 30 s). Values come pre-generated ({@code tags x 100,000}, see
 * {@link LiveFeed}) and repeat with ever later timestamps. The historian runs with its defaults
 * (journal on, {@code PROCESS_CRASH}, overflow {@code BLOCK}) and the journal budget
 * {@code --journal-budget-mib} (default 2048) in a fresh directory under {@code --work} (default
 * {@code java.io.tmpdir}), deleted at the end.
 *
 * <p><b>Pacing and latency.</b> Batch {@code k} is due at {@code start + k * batch / rate}. The
 * writer waits for that moment (parking, then spinning the last ~70 us), writes, and records
 * {@code return time - due time} in an HdrHistogram: when a write stalls, the batches due during the
 * stall are sent late and their wait counts in their latency, so the percentiles are free of
 * coordinated omission. A writer that falls behind does not skip batches; it sends them as fast as
 * it can until it is on schedule again, and the achieved rate is reported beside the offered one.
 * Latency is per {@code write(SampleBatch)} call.
 *
 * <p><b>Warm-up.</b> First {@code --warmup} (default 5 s) at the same rate, not recorded, so the
 * percentiles are not the JIT's; its samples are counted in the read-back.
 *
 * <p><b>Output.</b> One line per {@code --interval} (default 5 s): samples written and the rate in
 * the interval, the interval's p50/p99/p99.9/max, the backlog (samples journaled but not yet
 * applied by the store writer), journal bytes, heap used, RSS ({@code VmRSS} of
 * {@code /proc/self/status}) and the garbage collections in the interval. Then the whole run's percentiles, and the read-back: after the last
 * write the harness waits for the store writer, reads every tag's full history and counts the
 * samples. {@code lost} is handed-out minus counted and must be 0; the process exits with status 1
 * otherwise.
 *
 * <p><b>Run</b> (from the repository root, after {@code mvn -pl historian-bench -am package -DskipTests}):
 * <pre>
 * java -Xmx2g --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED \
 *   --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
 *   --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
 *   --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -Dchronicle.analytics.disable=true \
 *   -cp historian-bench/target/benchmarks.jar io.historian.bench.LoadHarness --rate 1000000 --duration 600s
 * </pre>
 * The standard soak is 10 minutes ({@code --duration 600s}) at 1,000,000 samples/s.
 */
public final class LoadHarness {
    /** Values above this (10 minutes) are recorded as this. */
    private static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(10);
    /** Below this remaining wait the writer spins instead of parking: parkNanos oversleeps by ~50 us. */
    private static final long SPIN_NANOS = 70_000;
    private static final int FEED_SECONDS = 100_000;

    /** The settings of one run. */
    record Options(long rate, Duration duration, Duration warmup, int tags, int batch, Duration interval,
            DataSize journalBudget, Path work) {
        Options {
            if (warmup.isNegative()) {
                throw new IllegalArgumentException("--warmup must not be negative [warmup=" + warmup + "]");
            }
            if (rate < 1) {
                throw new IllegalArgumentException("--rate must be positive [rate=" + rate + "]");
            }
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("--duration must be positive [duration=" + duration + "]");
            }
            if (tags < 1 || (long) tags * FEED_SECONDS > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("--tags out of range [tags=" + tags + ", range=1..21000]");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("--batch must be positive [batch=" + batch + "]");
            }
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("--interval must be positive [interval=" + interval + "]");
            }
        }

        /** Batches in the measured run: the offered rate times the duration, rounded down to whole batches. */
        long batches() {
            return rate * duration.toMillis() / 1000 / batch;
        }

        /** Batches of the warm-up, written at the same rate before the measured run and not recorded. */
        long warmupBatches() {
            return rate * warmup.toMillis() / 1000 / batch;
        }

        static Options parse(String... args) {
            long rate = 1_000_000;
            Duration duration = Duration.ofSeconds(30);
            Duration warmup = Duration.ofSeconds(5);
            int tags = 100;
            int batch = 1000;
            Duration interval = Duration.ofSeconds(5);
            long budgetMiB = 2048;
            Path work = Path.of(System.getProperty("java.io.tmpdir"));
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException("option without a value [option=" + name + "]");
                }
                String value = args[++i];
                try {
                    switch (name) {
                        case "--rate" -> rate = Long.parseLong(value.replace("_", ""));
                        case "--duration" -> duration = seconds(name, value);
                        case "--warmup" -> warmup = seconds(name, value);
                        case "--tags" -> tags = Integer.parseInt(value);
                        case "--batch" -> batch = Integer.parseInt(value.replace("_", ""));
                        case "--interval" -> interval = seconds(name, value);
                        case "--journal-budget-mib" -> budgetMiB = Long.parseLong(value);
                        case "--work" -> work = Path.of(value);
                        default -> throw new IllegalArgumentException("unknown option [option=" + name
                                + ", known=--rate --duration --warmup --tags --batch --interval"
                                + " --journal-budget-mib --work]");
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a number [option=" + name + ", value=" + value + "]", e);
                }
            }
            return new Options(rate, duration, warmup, tags, batch, interval, DataSize.ofMegabytes(budgetMiB), work);
        }

        /** {@code 30s}, {@code 500ms} or a bare number of seconds. */
        private static Duration seconds(String option, String value) {
            try {
                if (value.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
                }
                if (value.endsWith("s")) {
                    return Duration.ofMillis(Math.round(Double.parseDouble(value.substring(0, value.length() - 1)) * 1000));
                }
                if (value.endsWith("m")) {
                    return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
                }
                return Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a duration [option=" + option + ", value=" + value
                        + ", examples=30s 500ms 10m]", e);
            }
        }
    }

    /**
     * What a run did.
     *
     * @param handedOut samples written, warm-up included
     * @param measuredSamples samples written in the measured run
     * @param latencyNanos per-write latency from the due time, the whole measured run
     * @param intervals one printed line per interval
     */
    record Result(Options options, long handedOut, long measuredSamples, long countedBack, double seconds,
            Histogram latencyNanos, long maxBacklog, long maxRssBytes, long maxHeapBytes, HistorianStats stats,
            List<String> intervals) {

        long lost() {
            return handedOut - countedBack;
        }

        double achievedRate() {
            return measuredSamples / seconds;
        }
    }

    private LoadHarness() {
    }

    public static void main(String[] args) {
        Options options = Options.parse(args);
        Result result = run(options, System.out);
        if (result.lost() != 0 || result.stats().rejectedSamples() != 0) {
            System.exit(1);
        }
    }

    /** Runs the harness; every line it prints goes to {@code out}. */
    static Result run(Options o, PrintStream out) {
        ScratchHistorian scratch = ScratchHistorian.open(o.journalBudget(), o.work());
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "load-harness-reporter");
            t.setDaemon(true);
            return t;
        });
        try {
            Historian historian = scratch.historian();
            out.printf(Locale.ROOT, "load harness: %,d samples/s offered for %s, %d tags, batches of %,d (one every %.1f us),"
                    + " journal budget %s, data in %s%n", o.rate(), o.duration(), o.tags(), o.batch(),
                    o.batch() * 1e6 / o.rate(), o.journalBudget(), scratch.directory());
            LiveFeed feed = LiveFeed.generate("", o.tags(), FEED_SECONDS);
            SampleBatch batch = new SampleBatch(o.batch());
            Recorder recorder = new Recorder(1, HIGHEST_NANOS, 3);
            Histogram total = new Histogram(1, HIGHEST_NANOS, 3);
            AtomicLong written = new AtomicLong();
            Monitor monitor = new Monitor(historian, recorder, total, written, out);

            double nanosPerBatch = o.batch() * 1e9 / o.rate();
            if (o.warmupBatches() > 0) {
                Recorder discarded = new Recorder(1, HIGHEST_NANOS, 3);
                paced(historian, feed, batch, o.batch(), o.warmupBatches(), nanosPerBatch, discarded, new AtomicLong());
                out.printf(Locale.ROOT, "warm-up: %,d samples in %s at the offered rate, not recorded%n",
                        feed.handedOut(), o.warmup());
            }
            long warmupSamples = feed.handedOut();
            long start = System.nanoTime();
            monitor.start(start, warmupSamples);
            reporter.scheduleAtFixedRate(monitor::report, o.interval().toNanos(), o.interval().toNanos(),
                    TimeUnit.NANOSECONDS);
            paced(historian, feed, batch, o.batch(), o.batches(), nanosPerBatch, recorder, written);
            long end = System.nanoTime();
            reporter.shutdown();
            awaitQuietly(reporter);
            monitor.report();

            long handedOut = feed.handedOut();
            long measured = handedOut - warmupSamples;
            out.printf(Locale.ROOT, "wrote %,d samples in %.2f s: %,.0f samples/s achieved, %,d offered%n", measured,
                    (end - start) / 1e9, measured / ((end - start) / 1e9), o.rate());
            out.println(percentiles("write latency (whole run)", total));

            long r0 = System.nanoTime();
            long counted = countEverySample(historian, feed);
            long r1 = System.nanoTime();
            HistorianStats stats = historian.stats();
            out.printf(Locale.ROOT, "read back %,d samples (warm-up included) of %,d tags in %.2f s (store writer"
                    + " drained first): lost=%,d journaled=%,d rejected=%,d%n", counted, feed.tags(), (r1 - r0) / 1e9,
                    handedOut - counted, stats.journaledSamples(), stats.rejectedSamples());
            out.printf(Locale.ROOT, "max backlog %,d samples, max heap used %,d MiB, max RSS %,d MiB%n",
                    monitor.maxBacklog, monitor.maxHeap >> 20, monitor.maxRss >> 20);
            return new Result(o, handedOut, measured, counted, (end - start) / 1e9, total, monitor.maxBacklog,
                    monitor.maxRss, monitor.maxHeap, stats, List.copyOf(monitor.lines));
        } finally {
            reporter.shutdownNow();
            awaitQuietly(reporter);
            scratch.close();
        }
    }

    /**
     * Writes {@code batches} batches, batch {@code k} due {@code k * nanosPerBatch} after the first,
     * recording each write's latency from its due time.
     */
    private static void paced(Historian historian, LiveFeed feed, SampleBatch batch, int batchSize, long batches,
            double nanosPerBatch, Recorder recorder, AtomicLong written) {
        long start = System.nanoTime();
        for (long k = 0; k < batches; k++) {
            long due = start + (long) (k * nanosPerBatch);
            long now = System.nanoTime();
            while (now < due) {
                long wait = due - now;
                if (wait > SPIN_NANOS) {
                    LockSupport.parkNanos(wait - SPIN_NANOS);
                } else {
                    Thread.onSpinWait();
                }
                now = System.nanoTime();
            }
            feed.fill(batch, batchSize);
            historian.write(batch);
            recorder.recordValue(Math.min(HIGHEST_NANOS, Math.max(1, System.nanoTime() - due)));
            written.setRelease(feed.handedOut());
        }
    }

    /** Waits for the store writer, then reads every tag's whole history and counts the samples. */
    private static long countEverySample(Historian historian, LiveFeed feed) {
        long counted = 0;
        for (int t = 0; t < feed.tags(); t++) {
            try (SampleCursor c = historian.query(feed.tagName(t))
                    .between(Instant.EPOCH, Instant.ofEpochMilli(Long.MAX_VALUE)).raw()) {
                while (c.next()) {
                    counted++;
                }
            }
        }
        return counted;
    }

    private static void awaitQuietly(ScheduledExecutorService executor) {
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String percentiles(String what, Histogram h) {
        return String.format(Locale.ROOT, "%s: %,d writes, p50 %s, p99 %s, p99.9 %s, max %s", what, h.getTotalCount(),
                micros(h.getValueAtPercentile(50)), micros(h.getValueAtPercentile(99)),
                micros(h.getValueAtPercentile(99.9)), micros(h.getMaxValue()));
    }

    private static String micros(long nanos) {
        return nanos >= 10_000_000 ? String.format(Locale.ROOT, "%,.0f ms", nanos / 1e6)
                : String.format(Locale.ROOT, "%,.1f us", nanos / 1e3);
    }

    /**
     * The reporter thread's side: swaps the recorder's interval histogram, reads the counters and
     * prints one line. Runs on the reporter thread, and once more on the writer thread after the
     * reporter has stopped, so its fields need no lock.
     */
    private static final class Monitor {
        private final Historian historian;
        private final Recorder recorder;
        private final Histogram total;
        private final AtomicLong written;
        private final PrintStream out;
        private final List<String> lines = new ArrayList<>();
        private Histogram interval;
        private long start;
        private long lastNanos;
        private long lastHandedOut;
        private long lastGcCount;
        private long lastGcMillis;
        private long maxBacklog;
        private long maxRss;
        private long maxHeap;

        Monitor(Historian historian, Recorder recorder, Histogram total, AtomicLong written, PrintStream out) {
            this.historian = historian;
            this.recorder = recorder;
            this.total = total;
            this.written = written;
            this.out = out;
        }

        void start(long startNanos, long handedOutBefore) {
            start = startNanos;
            lastNanos = startNanos;
            lastHandedOut = handedOutBefore;
            lastGcCount = gcCount();
            lastGcMillis = gcMillis();
        }

        private static long gcCount() {
            long n = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                n += Math.max(0, gc.getCollectionCount());
            }
            return n;
        }

        private static long gcMillis() {
            long ms = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ms += Math.max(0, gc.getCollectionTime());
            }
            return ms;
        }

        synchronized void report() {
            long now = System.nanoTime();
            interval = recorder.getIntervalHistogram(interval);
            total.add(interval);
            long handedOut = written.getAcquire();
            HistorianStats s = historian.stats();
            long backlog = s.journaledSamples() - s.storedSamples() - s.pendingSamples() - s.duplicateSamples();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long rss = rssBytes();
            maxBacklog = Math.max(maxBacklog, backlog);
            maxHeap = Math.max(maxHeap, heap);
            maxRss = Math.max(maxRss, rss);
            double seconds = (now - lastNanos) / 1e9;
            long gcs = gcCount();
            long gcMs = gcMillis();
            String line = String.format(Locale.ROOT, "[%6.1f s] %,12d samples %,11.0f/s | %s | backlog %,d samples,"
                    + " journal %,d MiB | heap %,d MiB, RSS %,d MiB, GC %d (%d ms)", (now - start) / 1e9,
                    handedOut - lastHandedOut, (handedOut - lastHandedOut) / seconds, percentiles("latency", interval),
                    backlog, s.journalBytes() >> 20, heap >> 20, rss >> 20, gcs - lastGcCount, gcMs - lastGcMillis);
            lastGcCount = gcs;
            lastGcMillis = gcMs;
            lines.add(line);
            out.println(line);
            lastNanos = now;
            lastHandedOut = handedOut;
        }

        /** {@code VmRSS} of {@code /proc/self/status}, or -1 where there is none. */
        private static long rssBytes() {
            try {
                for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (l.startsWith("VmRSS:")) {
                        return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (IOException | UncheckedIOException | NumberFormatException e) {
                // Not Linux: RSS is not reported.
            }
            return -1;
        }
    }
}
