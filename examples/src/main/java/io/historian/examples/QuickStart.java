package io.historian.examples;

import io.historian.Historian;
import io.historian.HistorianStats;
import io.historian.TagDefinition;
import io.historian.modbus.DeviceStats;
import io.historian.modbus.ModbusSource;
import io.historian.query.Aggregate;
import io.historian.query.AggregateCursor;
import io.historian.query.PointCursor;
import io.historian.query.SampleCursor;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The README's first command: a simulated plant served over Modbus TCP on 127.0.0.1, a historian
 * polling it, three calculated tags, six hours of history, hourly aggregates and a downsampled trend.
 *
 * <pre>
 * mvn -q -pl examples -am test-compile exec:exec
 * </pre>
 *
 * <p>Fifteen seconds of live polling cannot fill hourly aggregates, so the plant's physics first
 * runs through the six hours before it started on simulated time and that history is written with
 * {@code write(batch)}, one sample per tag per second; then the historian polls both devices live,
 * five times a second, and the remote I/O rack drops out once (its samples become
 * {@code Bad_NoCommunication}). The output says which part is which.
 *
 * <p>Arguments: the data directory (default {@code historian-data/} in the working directory) and
 * the seconds of live polling (default 15). Run it again and the new history is added beside the old.
 */
public final class QuickStart {
    private static final Duration HISTORY = Duration.ofHours(6);
    private static final Duration POLL = Duration.ofMillis(200);

    private QuickStart() {
    }

    /** Runs the demo. */
    public static void main(String[] args) throws InterruptedException {
        Path dataDir = Path.of(args.length > 0 ? args[0] : "historian-data");
        int liveSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        try (SimulatedPlant plant = SimulatedPlant.start(Duration.ofMinutes(1), Duration.ofSeconds(6), HISTORY,
                Duration.ofSeconds(1), 42)) {
            System.out.printf(Locale.ROOT, "plant: %s on 127.0.0.1:%d and %s on 127.0.0.1:%d (Modbus TCP, %d tags);"
                    + " %s drops out for 6 s every minute%n", SimulatedPlant.PLC, plant.plcPort(), SimulatedPlant.RIO,
                    plant.rioPort(), SimulatedPlant.tagCount(), SimulatedPlant.RIO);
            // History first, before the pollers write anything newer: the formulas then meet every
            // input in time order (a late input makes a formula read the store).
            try (Historian historian = builder(dataDir).build()) {
                long t0 = System.nanoTime();
                long backfilled = plant.backfill(historian);
                System.out.printf(Locale.ROOT, "history: wrote %,d samples in %.1f s: the 6 h before %s, simulated"
                        + " through the plant's physics at 1 s (not polled)%n", backfilled,
                        (System.nanoTime() - t0) / 1e9, plant.startTime());
            }
            ModbusSource plc = plant.plcSource(POLL);
            ModbusSource rio = plant.rioSource(POLL);
            try (Historian historian = builder(dataDir).source(plc).source(rio).build()) {
                run(historian, plant, plc, rio, liveSeconds);
            }
        }
        System.out.println("data lives in " + dataDir.toAbsolutePath() + " (journal/ and store/)");
    }

    private static Historian.Builder builder(Path dataDir) {
        Historian.Builder builder = Historian.builder().dataDirectory(dataDir)
                // Calculated tags: evaluated whenever an input gets a sample, backfilled history included.
                .formula("tank.total", "tank1.level + tank2.level")
                .formula("reactor.tempF", "reactor.temp * 9 / 5 + 32")
                .formula("field.delta", "field.t8 - field.t1");
        for (TagDefinition d : SimulatedPlant.tagDefinitions()) {
            builder.tag(d);
        }
        return builder;
    }

    private static void run(Historian historian, SimulatedPlant plant, ModbusSource plc, ModbusSource rio,
            int liveSeconds) throws InterruptedException {
        Instant liveFrom = plant.startTime();
        Instant historyFrom = liveFrom.minus(HISTORY);
        System.out.printf(Locale.ROOT, "live: polling both devices every %d ms for %d s%n", POLL.toMillis(), liveSeconds);
        for (int s = 1; s <= liveSeconds; s++) {
            Thread.sleep(1000);
            DeviceStats p = plc.stats();
            DeviceStats r = rio.stats();
            System.out.printf(Locale.ROOT, "  %2d s  %s %-11s polls=%-4d bad=%-4d | %s %-11s polls=%-4d bad=%-4d |"
                    + " journaled %,d%n", s, p.device(), p.state(), p.polls(), p.badSamples(), r.device(), r.state(),
                    r.polls(), r.badSamples(), historian.stats().journaledSamples());
        }
        historian.flush();
        Instant end = Instant.now();

        System.out.println("hourly aggregates of reactor.temp (time-weighted mean, min, max) and field.t1 (% Good):");
        try (AggregateCursor c = historian.query("reactor.temp").between(historyFrom, end)
                     .aggregate(Duration.ofHours(1), Aggregate.TIME_WEIGHTED_MEAN, Aggregate.MIN, Aggregate.MAX);
             AggregateCursor g = historian.query("field.t1").between(historyFrom, end)
                     .aggregate(Duration.ofHours(1), Aggregate.PERCENT_GOOD)) {
            while (c.next() && g.next()) {
                System.out.printf(Locale.ROOT, "  %s .. %s  mean=%6.2f  min=%6.2f  max=%6.2f  field.t1 good=%5.1f%%%n",
                        c.intervalStart().truncatedTo(ChronoUnit.SECONDS), c.intervalEnd().truncatedTo(ChronoUnit.SECONDS),
                        c.value(0), c.value(1), c.value(2), g.value(0));
            }
        }

        System.out.println("trend of tank1.level over the whole 6 h, LTTB to 72 points (m, 0..5):");
        System.out.println("  " + sparkline(historian, "tank1.level", historyFrom, end, 72, 0, 5));
        System.out.println("trend of field.t1 while polled live, LTTB to 72 points (gaps are its dropouts):");
        System.out.println("  " + sparkline(historian, "field.t1", liveFrom, end, 72, Double.NaN, Double.NaN));

        long good = 0;
        long bad = 0;
        try (SampleCursor c = historian.query("field.t1").between(liveFrom, end).raw()) {
            while (c.next()) {
                if (c.quality().isBad()) {
                    bad++;
                } else {
                    good++;
                }
            }
        }
        System.out.printf(Locale.ROOT, "field.t1 polled live: %d Good samples, %d Bad_NoCommunication while %s was away%n",
                good, bad, SimulatedPlant.RIO);

        System.out.println("calculated tags (formulas), latest values:");
        for (String tag : new String[] {"tank.total", "reactor.tempF", "field.delta"}) {
            System.out.println(historian.latest(tag).map(x -> String.format(Locale.ROOT, "  %-14s %9.3f  %s at %s",
                    tag, x.value(), x.quality(), x.timestamp())).orElse("  " + tag + ": no sample yet"));
        }
        long failed = 0;
        try (SampleCursor c = historian.query("field.delta").between(liveFrom, end).raw()) {
            while (c.next()) {
                if (c.quality().isBad()) {
                    failed++;
                }
            }
        }
        System.out.printf(Locale.ROOT, "field.delta while polled live: %d Bad samples (an input was Bad_NoCommunication)%n",
                failed);

        HistorianStats stats = historian.stats();
        System.out.printf(Locale.ROOT, "stats of the live session: received=%,d journaled=%,d rejected=%,d tags=%d%n",
                stats.receivedSamples(), stats.journaledSamples(), stats.rejectedSamples(), stats.tags());
    }

    /** One character per LTTB point, height by value; a space where the data has a gap or is Bad. */
    private static String sparkline(Historian historian, String tag, Instant from, Instant to, int points,
            double lo, double hi) {
        double[] values = new double[points * 3];
        boolean[] gaps = new boolean[values.length];
        int n = 0;
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        try (PointCursor c = historian.query(tag).between(from, to).lttb(points)) {
            while (c.next() && n < values.length) {
                gaps[n] = c.gapBefore() && n > 0;
                values[n] = c.quality().isBad() ? Double.NaN : c.value();
                if (!Double.isNaN(values[n])) {
                    min = Math.min(min, values[n]);
                    max = Math.max(max, values[n]);
                }
                n++;
            }
        }
        if (!Double.isNaN(lo)) {
            min = lo;
            max = hi;
        }
        String bars = "▁▂▃▄▅▆▇█";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (gaps[i]) {
                sb.append(' ');
            }
            if (Double.isNaN(values[i])) {
                sb.append(' ');
                continue;
            }
            double f = max > min ? (values[i] - min) / (max - min) : 0.5;
            sb.append(bars.charAt((int) Math.max(0, Math.min(7, Math.round(f * 7)))));
        }
        return String.format(Locale.ROOT, "%s  (%d points, %.2f .. %.2f)", sb, n, min, max);
    }
}
