package io.historian.simulation;

import io.historian.ColdTierUnavailableException;
import io.historian.FileSystemColdTier;
import io.historian.Historian;
import io.historian.HistorianException;
import io.historian.HistorianStats;
import io.historian.JournalFullException;
import io.historian.Quality;
import io.historian.RejectReason;
import io.historian.Sample;
import io.historian.SampleRejectedException;
import io.historian.TagNotFoundException;
import io.historian.TieringReport;
import io.historian.ValueAt;
import io.historian.query.Aggregate;
import io.historian.query.AggregateCursor;
import io.historian.query.SampleCursor;
import io.historian.testing.ChildJvm;
import io.historian.testing.MutableClock;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A seeded, model-based simulation of the data lifecycle through the public API: writes of every
 * size (single samples to batches above 65,536 samples and batches larger than the journal),
 * late and duplicate samples, formula inputs, tiering (also concurrent with writes and reads, and
 * with a failing cold tier), clock moves, retention, close and reopen, and {@code kill -9} of a
 * child JVM in the middle of its writes. After the steps it checks, through queries only, the
 * promise: every acknowledged sample is readable exactly once with its last value until
 * retention removes it; a refused write leaves no trace; a write call is all or nothing (also
 * across a kill and a full journal); derived values equal the formulas on the stored inputs.
 *
 * <p><b>Determinism.</b> Each world (a data directory and a {@link WorldConfig}) and each step
 * draws from its own random generator derived from the seed, so a failing seed replays exactly.
 * Outcomes that the spec leaves open (the exact moment of a kill, a journal that fills under
 * load, the size a size-based tiering run sees) are checked as sets of allowed outcomes.
 *
 * <p><b>Threads:</b> one caller thread, plus one helper thread that runs {@code tierNow()} while
 * the caller writes and reads, and one that pumps a child JVM's standard output.
 */
final class Simulation {
    enum Op {
        SINGLE(12), SMALL_BATCH(10), MEDIUM_BATCH(3), HUGE_BATCH(0.5), LATE(8), DUPLICATE(8), BEHIND_CUTOFF(3),
        BEHIND_HORIZON(3), BOUNDARY(3), COMPUTED_TAG(2), FORMULA_INPUTS(14), TIER_NOW(4), TIER_NOW_CONCURRENT(2),
        ADVANCE_CLOCK(9), RETENTION(3), REOPEN(1.5), KILL(1), COLD_TIER_FAULT(2.5), JOURNAL_FULL(0.4), FLUSH(1),
        COMPACT(1);

        final double weight;

        Op(double weight) {
            this.weight = weight;
        }
    }

    private static final long MINUTE = 60_000L;
    private static final long HOUR = WorldConfig.HOUR;
    private static final long DAY = WorldConfig.DAY;
    private static final long READ_FROM = Long.MIN_VALUE / 2;
    private static final long READ_TO = Long.MAX_VALUE;
    private static final int FULL_CHECK_EVERY = 20;
    /** Above this many modelled samples, expired ones the historian no longer shows are forgotten. */
    private static final long MODEL_LIMIT = 3_000_000;
    private static final Instant EPOCH_OF_RUN = Instant.parse("2026-03-02T00:00:00Z");

    private final long seed;
    private final long steps;
    private final Path root;
    private final Set<Op> disabled;
    private final boolean derivedChecks;
    private final boolean formulaInputs;
    private final PrintStream out;
    private final Map<Op, Long> opCounts = new EnumMap<>(Op.class);
    private final Map<String, Long> outcomes = new TreeMap<>();
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private final ExecutorService helper = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "simulation-tiering");
        t.setDaemon(true);
        return t;
    });

    // The current world.
    private int world;
    private WorldConfig config;
    private Path dataDir;
    private Path tierDir;
    private MutableClock clock;
    private FaultyColdTier tier;
    private Historian h;
    private Model model;
    private Process child;
    // The current step.
    private long step;
    private Op op;
    private String detail = "";

    /**
     * @param disabled operations left out
     * @param derivedChecks whether derived values are checked against the oracle
     * @param formulaInputs whether writes go to formula inputs at all (false: raw tags only)
     */
    Simulation(long seed, long steps, Path root, Set<Op> disabled, boolean derivedChecks, boolean formulaInputs,
            PrintStream out) {
        this.seed = seed;
        this.derivedChecks = derivedChecks && formulaInputs;
        this.formulaInputs = formulaInputs;
        this.steps = steps;
        this.root = root;
        this.disabled = disabled;
        this.out = out;
    }

    // ------------------------------------------------------------------ driver

    void run() throws Exception {
        long started = System.nanoTime();
        try {
            step = 0;
            while (step < steps) {
                SplittableRandom wr = new SplittableRandom(mix(seed, -1 - world));
                long length = Math.min(steps - step, 250 + wr.nextInt(250));
                startWorld(wr);
                long end = step + length;
                for (; step < end; step++) {
                    runStep();
                    if (step % 250 == 249) {
                        out.println("step " + (step + 1) + " after " + (System.nanoTime() - started) / 1_000_000 + " ms");
                    }
                }
                endWorld();
                world++;
            }
        } finally {
            shutdown();
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        out.println("LifecycleSimulation: " + steps + " steps in " + world + " worlds, " + millis + " ms [seed=" + seed
                + "]");
        out.println("  operations: " + opCounts);
        out.println("  outcomes:   " + outcomes);
    }

    private void startWorld(SplittableRandom wr) throws IOException {
        config = drawConfig(wr);
        Path dir = root.resolve("world-" + world);
        dataDir = dir.resolve("data");
        tierDir = dir.resolve("tier");
        Files.createDirectories(dir);
        clock = new MutableClock(EPOCH_OF_RUN.plusMillis(wr.nextLong(DAY)));
        model = new Model(config.duplicates(), config.retentionMillis(), clock);
        recent.clear();
        out.println("world " + world + " from step " + step + ": " + config + ", clock " + clock.instant());
        open();
    }

    /** Each world draws its options, but the first worlds cycle through the tiering kinds and journals. */
    private WorldConfig drawConfig(SplittableRandom wr) {
        WorldConfig c = WorldConfig.draw(wr);
        String[] kinds = {"age", "size", "none", "age"};
        String kind = kinds[Math.floorMod(world + seed, kinds.length)];
        WorldConfig pick = c;
        for (int i = 0; i < 64 && !pick.tiering().equals(kind); i++) {
            pick = WorldConfig.draw(wr);
        }
        boolean journalReject = world % 3 == 1;
        return new WorldConfig(c.duplicates(), c.retentionMillis(), pick.tiering(), pick.tierAgeMillis(),
                pick.tierSizeBytes(), pick.partitionMillis(), journalReject, c.chunkMaxSamples(), c.stalenessMillis());
    }

    private void endWorld() throws IOException {
        closeHistorian();
        deleteRecursively(root.resolve("world-" + world));
    }

    private void shutdown() {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
        }
        try {
            closeHistorian();
        } catch (RuntimeException e) {
            out.println("closing after the run failed: " + e);
        }
        helper.shutdownNow();
        try {
            helper.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void open() {
        FaultyColdTier t = config.hasTier() ? new FaultyColdTier(FileSystemColdTier.of(tierDir)) : null;
        h = config.builder(dataDir, t, clock).build();
        tier = t;
    }

    private void closeHistorian() {
        Historian x = h;
        h = null;
        if (x != null) {
            x.close();
        }
    }

    private static long mix(long seed, long salt) {
        return new SplittableRandom(seed ^ (salt * 0x9E3779B97F4A7C15L)).nextLong();
    }

    private void runStep() throws Exception {
        SplittableRandom r = new SplittableRandom(mix(seed, step));
        op = pick(r);
        detail = "";
        opCounts.merge(op, 1L, Long::sum);
        boolean checked;
        try {
            checked = switch (op) {
                case SINGLE -> single(r);
                case SMALL_BATCH -> smallBatch(r);
                case MEDIUM_BATCH -> mediumBatch(r);
                case HUGE_BATCH -> hugeBatch(r);
                case LATE -> late(r);
                case DUPLICATE -> duplicate(r);
                case BEHIND_CUTOFF -> behindCutoff(r);
                case BEHIND_HORIZON -> behindHorizon(r);
                case BOUNDARY -> boundary(r);
                case COMPUTED_TAG -> computedTag(r);
                case FORMULA_INPUTS -> formulaInputs(r);
                case TIER_NOW -> tierNow();
                case TIER_NOW_CONCURRENT -> tierNowConcurrently(r);
                case ADVANCE_CLOCK -> advanceClock(r);
                case RETENTION -> retention();
                case REOPEN -> reopen();
                case KILL -> kill(r);
                case COLD_TIER_FAULT -> coldTierFault(r);
                case JOURNAL_FULL -> journalFull(r);
                case FLUSH -> flush();
                case COMPACT -> compact();
            };
            if (!checked && step % FULL_CHECK_EVERY == FULL_CHECK_EVERY - 1) {
                fullCheck(r);
            }
        } catch (SimulationFailure e) {
            throw e;
        } catch (RuntimeException | AssertionError e) {
            throw failure("unexpected " + e, e);
        }
        note(detail);
    }

    private Op pick(SplittableRandom r) {
        double total = 0;
        List<Op> ops = new ArrayList<>();
        for (Op o : Op.values()) {
            if (applicable(o)) {
                ops.add(o);
                total += o.weight;
            }
        }
        double x = r.nextDouble() * total;
        for (Op o : ops) {
            x -= o.weight;
            if (x < 0) {
                return o;
            }
        }
        return ops.get(ops.size() - 1);
    }

    private boolean applicable(Op o) {
        if (disabled.contains(o)) {
            return false;
        }
        return switch (o) {
            case TIER_NOW, TIER_NOW_CONCURRENT, COLD_TIER_FAULT -> config.hasTier();
            case RETENTION, BEHIND_HORIZON -> config.hasRetention();
            case JOURNAL_FULL -> config.journalReject();
            case FORMULA_INPUTS -> formulaInputs;
            default -> true;
        };
    }

    private void note(String what) {
        recent.addLast("#" + step + " " + op + (what.isEmpty() ? "" : ": " + what));
        while (recent.size() > 25) {
            recent.removeFirst();
        }
    }

    private void count(String outcome) {
        outcomes.merge(outcome, 1L, Long::sum);
    }

    /** A failure naming the seed, the step, the operation and the state, with the recent operations. */
    private SimulationFailure failure(String what, Throwable cause) {
        StringBuilder sb = new StringBuilder();
        sb.append("lifecycle simulation failed [seed=").append(seed).append(", world=").append(world)
                .append(", step=").append(step).append(", op=").append(op).append("]: ").append(what);
        sb.append("\n  operation: ").append(detail);
        sb.append("\n  world:     ").append(config);
        if (clock != null) {
            sb.append("\n  clock:     now=").append(clock.instant()).append(", horizon=").append(at(model.horizon()))
                    .append(", cutoff=[").append(at(model.cutoffLow)).append(", ").append(at(model.cutoffHigh))
                    .append("]").append(tier != null && tier.faulty() ? ", cold tier failing" : "");
        }
        sb.append("\n  replay:    -Dhistorian.simulationSeed=").append(seed).append(" -Dhistorian.simulationSteps=")
                .append(steps);
        sb.append("\n  recent operations:");
        for (String s : recent) {
            sb.append("\n    ").append(s);
        }
        return new SimulationFailure(sb.toString(), cause);
    }

    private SimulationFailure failure(String what) {
        return failure(what, null);
    }

    /** A failure of the promise; carries the whole context in its message. */
    static final class SimulationFailure extends AssertionError {
        private static final long serialVersionUID = 1L;

        SimulationFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static String at(long millis) {
        if (millis == Long.MIN_VALUE) {
            return "none";
        }
        return Instant.ofEpochMilli(millis).toString();
    }

    // ------------------------------------------------------------------ values and times

    private long now() {
        return clock.millis();
    }

    private static double twoDecimals(SplittableRandom r, double range) {
        return Math.round((r.nextDouble() * 2 - 1) * range * 100) / 100.0;
    }

    private static double rawValue(SplittableRandom r) {
        int k = r.nextInt(25);
        if (k == 0) {
            return r.nextDouble() * 1e6 - 5e5;
        }
        if (k == 1) {
            return -0.0;
        }
        return twoDecimals(r, 1000);
    }

    private static final Quality[] RAW_QUALITIES = {Quality.BAD_NO_COMMUNICATION, Quality.UNCERTAIN_SENSOR_NOT_ACCURATE,
        Quality.GOOD_LOCAL_OVERRIDE, Quality.of(0x40AB_0000), Quality.BAD_DEVICE_FAILURE};

    private static Quality rawQuality(SplittableRandom r) {
        int k = r.nextInt(16);
        return k < RAW_QUALITIES.length ? RAW_QUALITIES[k] : Quality.GOOD;
    }

    private static double inputValue(SplittableRandom r, String tag) {
        if (tag.equals("in.b") && r.nextInt(7) == 0) {
            return 0.0;
        }
        return twoDecimals(r, 100);
    }

    private static Quality inputQuality(SplittableRandom r) {
        int k = r.nextInt(10);
        return k == 0 ? Quality.UNCERTAIN_LAST_USABLE_VALUE : k == 1 ? Quality.BAD_SENSOR_FAILURE : Quality.GOOD;
    }

    private static String rawTag(SplittableRandom r) {
        return WorldConfig.RAW_TAGS.get(r.nextInt(WorldConfig.RAW_TAGS.size()));
    }

    /** A formula input, or a raw tag when the run leaves formula inputs out. */
    private String inputTag(SplittableRandom r) {
        String t = WorldConfig.INPUT_TAGS.get(r.nextInt(WorldConfig.INPUT_TAGS.size()));
        return formulaInputs ? t : rawTag(r);
    }

    private void addSample(SimWrite w, SplittableRandom r, String tag, long ts) {
        if (WorldConfig.INPUT_TAGS.contains(tag)) {
            Quality q = inputQuality(r);
            w.add(tag, ts, q.isBad() && r.nextBoolean() ? Double.NaN : inputValue(r, tag), q.code());
        } else {
            Quality q = rawQuality(r);
            w.add(tag, ts, q.isBad() && r.nextBoolean() ? Double.NaN : rawValue(r), q.code());
        }
    }

    /** A time near now that any write may use: at or after both horizons. */
    private long liveTime(SplittableRandom r) {
        long t = now() - r.nextLong(10 * MINUTE) + (r.nextInt(8) == 0 ? r.nextLong(MINUTE) : 0);
        long low = model.lowBound();
        return t >= low ? t : low + r.nextLong(Math.max(1, now() + MINUTE - low));
    }

    /** A time behind the tag's newest sample, still writable; or a live time when there is no room. */
    private long lateTime(SplittableRandom r, String tag) {
        TreeMap<Long, Model.Value> s = model.series(tag);
        long last = s.isEmpty() ? now() : s.lastKey();
        long low = Math.max(model.lowBound(), now() - 3 * DAY);
        if (low >= last) {
            return liveTime(r);
        }
        return low + r.nextLong(last - low);
    }

    private static SimWrite.Api singleApi(SplittableRandom r) {
        return SimWrite.Api.values()[r.nextInt(4)];
    }

    // ------------------------------------------------------------------ write operations

    private boolean single(SplittableRandom r) {
        String tag = r.nextInt(4) == 0 ? inputTag(r) : rawTag(r);
        SimWrite w = new SimWrite(singleApi(r), 1);
        addSample(w, r, tag, liveTime(r));
        return write(w, false);
    }

    private boolean smallBatch(SplittableRandom r) {
        int n = 2 + r.nextInt(49);
        SimWrite w = new SimWrite(SimWrite.Api.BATCH, n);
        for (int i = 0; i < n; i++) {
            String tag = r.nextInt(5) == 0 ? inputTag(r) : rawTag(r);
            addSample(w, r, tag, r.nextInt(4) == 0 ? lateTime(r, tag) : liveTime(r));
        }
        return write(w, false);
    }

    /** A regular run of samples: a slowly varying value, as a device delivers it. */
    private void addRun(SimWrite w, SplittableRandom r, String tag, long start, long stepMillis, int n) {
        double v = twoDecimals(r, 500);
        boolean input = WorldConfig.INPUT_TAGS.contains(tag);
        for (int i = 0; i < n; i++) {
            v = Math.round((v + (r.nextDouble() - 0.5)) * 100) / 100.0;
            int q = r.nextInt(200) == 0 ? (input ? Quality.UNCERTAIN_LAST_USABLE_VALUE : Quality.UNCERTAIN_SENSOR_NOT_ACCURATE)
                    .code() : Quality.GOOD.code();
            double value = input && tag.equals("in.b") && r.nextInt(500) == 0 ? 0.0 : v;
            w.add(tag, start + i * stepMillis, value, q);
        }
    }

    /** The start of a run of {@code span} ms that lies in the writable window, ending before now + 12 h. */
    private long runStart(SplittableRandom r, long span) {
        long low = Math.max(model.lowBound(), now() - 2 * DAY);
        long high = now() + 12 * HOUR - span;
        if (high <= low) {
            return low;
        }
        return low + r.nextLong(high - low);
    }

    private boolean mediumBatch(SplittableRandom r) {
        int tags = 1 + r.nextInt(3);
        int per = (5_000 + r.nextInt(10_000)) / tags;
        SimWrite w = new SimWrite(SimWrite.Api.BATCH, per * tags);
        for (int k = 0; k < tags; k++) {
            String tag = r.nextInt(5) == 0 ? inputTag(r) : rawTag(r);
            long stepMillis = 1_000 + r.nextInt(9_000) + (r.nextBoolean() ? r.nextInt(1000) : 0);
            if (per * stepMillis > 20 * HOUR) {
                stepMillis = 20 * HOUR / per;
            }
            addRun(w, r, tag, runStart(r, per * stepMillis), stepMillis, per);
        }
        return write(w, false);
    }

    private boolean hugeBatch(SplittableRandom r) {
        int n = 70_000 + r.nextInt(80_001);
        int tags = 1 + r.nextInt(2);
        SimWrite w = new SimWrite(SimWrite.Api.BATCH, n);
        for (int k = 0; k < tags; k++) {
            String tag = k == 1 && r.nextInt(3) == 0 && formulaInputs ? "in.c" : rawTag(r);
            int per = n / tags;
            long stepMillis = Math.max(1, Math.min(250 + r.nextInt(751), 20 * HOUR / per));
            addRun(w, r, tag, runStart(r, per * stepMillis), stepMillis, per);
        }
        return write(w, false);
    }

    private boolean late(SplittableRandom r) {
        String tag = r.nextInt(3) == 0 ? inputTag(r) : rawTag(r);
        if (r.nextBoolean()) {
            SimWrite w = new SimWrite(singleApi(r), 1);
            addSample(w, r, tag, lateTime(r, tag));
            return write(w, false);
        }
        int n = 2 + r.nextInt(200);
        SimWrite w = new SimWrite(SimWrite.Api.BATCH, n);
        for (int i = 0; i < n; i++) {
            addSample(w, r, tag, lateTime(r, tag));
        }
        return write(w, false);
    }

    /** Writes again at existing timestamps (writable ones), sometimes repeating one within the batch. */
    private boolean duplicate(SplittableRandom r) {
        String tag = r.nextInt(3) == 0 ? inputTag(r) : rawTag(r);
        TreeMap<Long, Model.Value> s = model.series(tag);
        NavigableMap<Long, Model.Value> writable = s.tailMap(model.lowBound(), true);
        if (writable.isEmpty()) {
            return single(r);
        }
        long first = writable.firstKey();
        long last = writable.lastKey();
        int n = 1 + r.nextInt(10);
        SimWrite w = new SimWrite(n == 1 ? singleApi(r) : SimWrite.Api.BATCH, n);
        for (int i = 0; i < n; i++) {
            long t = writable.ceilingKey(first + (last > first ? r.nextLong(last - first + 1) : 0));
            addSample(w, r, tag, t);
        }
        if (n > 1 && r.nextInt(4) == 0) {
            addSample(w, r, tag, w.ts[0]);
        }
        return write(w, false);
    }

    /** One sample behind the tiering cutoff, alone or hidden in a batch of good ones. */
    private boolean behindCutoff(SplittableRandom r) {
        long cutoff = model.cutoffLow;
        long low = Math.max(model.horizon(), cutoff - 2 * DAY);
        if (cutoff == Long.MIN_VALUE || low >= cutoff) {
            return applicable(Op.BEHIND_HORIZON) ? behindHorizon(r) : single(r);
        }
        return writeWithOneBad(r, low + r.nextLong(cutoff - low));
    }

    private boolean behindHorizon(SplittableRandom r) {
        long horizon = model.horizon();
        return writeWithOneBad(r, horizon - 1 - r.nextLong(2 * DAY));
    }

    private boolean writeWithOneBad(SplittableRandom r, long badTime) {
        String tag = r.nextInt(3) == 0 ? inputTag(r) : rawTag(r);
        if (r.nextBoolean()) {
            SimWrite w = new SimWrite(singleApi(r), 1);
            addSample(w, r, tag, badTime);
            return write(w, false);
        }
        int n = 2 + r.nextInt(30);
        int bad = r.nextInt(n);
        SimWrite w = new SimWrite(SimWrite.Api.BATCH, n);
        for (int i = 0; i < n; i++) {
            String t = i == bad ? tag : r.nextBoolean() ? rawTag(r) : inputTag(r);
            addSample(w, r, t, i == bad ? badTime : liveTime(r));
        }
        return write(w, false);
    }

    /** Writes exactly at, or 1 ms before, the retention horizon or the tiering cutoff. */
    private boolean boundary(SplittableRandom r) {
        List<Long> edges = new ArrayList<>();
        if (config.hasRetention()) {
            edges.add(model.horizon());
        }
        if (model.cutoffLow != Long.MIN_VALUE && model.cutoffLow == model.cutoffHigh) {
            edges.add(model.cutoffLow);
        }
        if (edges.isEmpty()) {
            return late(r);
        }
        long t = edges.get(r.nextInt(edges.size())) - (r.nextBoolean() ? 1 : 0);
        String tag = r.nextInt(3) == 0 ? inputTag(r) : rawTag(r);
        SimWrite w = new SimWrite(singleApi(r), 1);
        addSample(w, r, tag, t);
        return write(w, false);
    }

    private boolean computedTag(SplittableRandom r) {
        String derived = WorldConfig.DERIVED_TAGS.get(r.nextInt(WorldConfig.DERIVED_TAGS.size()));
        if (r.nextBoolean()) {
            SimWrite w = SimWrite.single(singleApi(r), derived, liveTime(r), 1.0, Quality.GOOD);
            return write(w, false);
        }
        int n = 2 + r.nextInt(20);
        int bad = r.nextInt(n);
        SimWrite w = new SimWrite(SimWrite.Api.BATCH, n);
        for (int i = 0; i < n; i++) {
            if (i == bad) {
                w.add(derived, liveTime(r), 2.0, Quality.GOOD.code());
            } else {
                String t = r.nextBoolean() ? rawTag(r) : inputTag(r);
                addSample(w, r, t, liveTime(r));
            }
        }
        return write(w, false);
    }

    /** Inputs of the formulas: live, late (behind other inputs) and again at existing times. */
    private boolean formulaInputs(SplittableRandom r) {
        int n = r.nextInt(3) == 0 ? 1 : 2 + r.nextInt(20);
        SimWrite w = new SimWrite(n == 1 ? singleApi(r) : SimWrite.Api.BATCH, n);
        long live = liveTime(r);
        for (int i = 0; i < n; i++) {
            String tag = inputTag(r);
            int k = r.nextInt(20);
            long t;
            if (k < 11) {
                t = Math.max(model.lowBound(), live + i * (r.nextInt(3) - 1) * 1000L);
            } else if (k < 17) {
                t = lateTime(r, tag);
            } else {
                NavigableMap<Long, Model.Value> writable = model.series(tag).tailMap(model.lowBound(), true);
                t = writable.isEmpty() ? live : writable.ceilingKey(writable.firstKey()
                        + r.nextLong(writable.lastKey() - writable.firstKey() + 1));
            }
            addSample(w, r, tag, t);
        }
        return write(w, false);
    }

    /**
     * A batch larger than the whole 16 MiB journal (about 18 bytes a sample: raw doubles, alternating
     * qualities, timestamps jumping by more than an hour), with formula inputs at both ends: it
     * must be refused whole with {@link JournalFullException}, and leave no formula state either.
     */
    private boolean journalFull(SplittableRandom r) {
        int n = 1_100_000 + r.nextInt(200_001);
        long center = Math.max(model.lowBound() + 2 * HOUR, now() - 2 * HOUR);
        SimWrite w = new SimWrite(SimWrite.Api.BATCH, n);
        List<String> tags = new ArrayList<>(WorldConfig.RAW_TAGS);
        for (int i = 0; i < n; i++) {
            boolean edge = formulaInputs && (i < 8 || i >= n - 8);
            String tag = edge ? WorldConfig.INPUT_TAGS.get(i % 3) : tags.get(i % tags.size());
            long off = (1L << 22) + i;
            long t = center + (i % 2 == 0 ? off : -off);
            int q = i % 2 == 0 ? Quality.GOOD.code() : Quality.UNCERTAIN_LAST_USABLE_VALUE.code();
            w.add(tag, t, r.nextDouble() * 1000, q);
        }
        write(w, true);
        fullCheck(r);
        return true;
    }

    /**
     * Sends one write and checks its outcome against the model: accepted when it must be, refused
     * with a reason that applies to the sample the exception names, counters moved all or nothing;
     * then reads back the ranges it touched.
     */
    private boolean write(SimWrite w, boolean tooLargeForJournal) {
        detail = w.describe();
        boolean faulty = tier != null && tier.faulty();
        Model.Expectation e = model.expect(w, config.journalReject(), faulty);
        e.journalFullRequired = tooLargeForJournal;
        HistorianStats before = h.stats();
        RuntimeException thrown = null;
        try {
            w.writeTo(h);
        } catch (SampleRejectedException | JournalFullException | ColdTierUnavailableException x) {
            thrown = x;
        }
        HistorianStats after = h.stats();
        checkStatsInvariant(after);
        long received = after.receivedSamples() - before.receivedSamples();
        long journaled = after.journaledSamples() - before.journaledSamples();
        long rejected = after.rejectedSamples() - before.rejectedSamples();
        if (thrown == null) {
            if (e.mustRefuse()) {
                throw failure("write accepted but the spec refuses it: " + e.firstMust(w));
            }
            model.apply(w);
            count("write accepted");
            if (journaled < w.size || rejected != 0 || received != journaled) {
                throw failure("counters of an accepted write of " + w.size + " samples moved by received=" + received
                        + ", journaled=" + journaled + ", rejected=" + rejected);
            }
            detail += " -> accepted";
        } else {
            detail += " -> " + thrown.getClass().getSimpleName() + (thrown instanceof SampleRejectedException s
                    ? " " + s.reason() + " at " + s.index() : "");
            if (thrown instanceof SampleRejectedException s) {
                if (!e.mustRefuse() && !e.mayRefuse()) {
                    throw failure("write refused but the spec accepts it: " + s.getMessage(), s);
                }
                Set<RejectReason> allowed = e.reasonsAt(s.index());
                if (!allowed.contains(s.reason())) {
                    throw failure("write refused for " + s.reason() + " naming sample " + s.index() + " ("
                            + (s.index() >= 0 && s.index() < w.size ? w.tags[s.index()] + "@" + at(w.ts[s.index()])
                            : "outside the call") + "), for which the spec allows only " + allowed + ": "
                            + s.getMessage(), s);
                }
                count("refused " + s.reason());
                if (rejected != w.size || after.rejected(s.reason()) <= before.rejected(s.reason())) {
                    throw failure("counters of a refused write of " + w.size + " samples moved by rejected=" + rejected
                            + ", " + s.reason() + "=" + (after.rejected(s.reason()) - before.rejected(s.reason())));
                }
            } else if (thrown instanceof JournalFullException) {
                if (!e.journalFullRequired && !e.journalFullAllowed) {
                    throw failure("write refused with a full journal in a world without a journal limit", thrown);
                }
                if (e.mustRefuse() && !e.journalFullRequired) {
                    count("journal full (also refusable)");
                } else {
                    count(e.journalFullRequired ? "refused journal full (too large)" : "journal full under load");
                }
            } else {
                if (!e.coldUnavailableAllowed) {
                    throw failure("write failed with ColdTierUnavailableException", thrown);
                }
                count("write refused: cold tier unavailable");
            }
            if (journaled != 0 || rejected < w.size || received != rejected) {
                throw failure("a refused write of " + w.size + " samples is not all-or-nothing in the counters: received="
                        + received + ", journaled=" + journaled + ", rejected=" + rejected, thrown);
            }
        }
        if (!tooLargeForJournal) {
            checkWrittenRanges(w);
        }
        if (w.touches(WorldConfig.INPUT_TAGS)) {
            checkDerived();
        }
        return false;
    }

    private void checkStatsInvariant(HistorianStats s) {
        long byReason = 0;
        for (long v : s.rejectedByReason().values()) {
            byReason += v;
        }
        if (s.receivedSamples() != s.rejectedSamples() + s.journaledSamples() || byReason != s.rejectedSamples()
                || s.corruptChunks() != 0) {
            throw failure("stats inconsistent: received=" + s.receivedSamples() + ", rejected=" + s.rejectedSamples()
                    + ", journaled=" + s.journaledSamples() + ", sum by reason=" + byReason + ", corrupt chunks="
                    + s.corruptChunks() + " " + s);
        }
    }

    /** Reads back, per tag the write named, the range from its first to its last timestamp. */
    private void checkWrittenRanges(SimWrite w) {
        Map<String, long[]> ranges = new HashMap<>();
        for (int i = 0; i < w.size; i++) {
            long[] rg = ranges.computeIfAbsent(w.tags[i], k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
            rg[0] = Math.min(rg[0], w.ts[i]);
            rg[1] = Math.max(rg[1], w.ts[i]);
        }
        for (var e : ranges.entrySet()) {
            String tag = e.getKey();
            if (WorldConfig.DERIVED_TAGS.contains(tag)) {
                continue;
            }
            long from = e.getValue()[0];
            long to = e.getValue()[1] + 1;
            Series actual;
            try {
                actual = read(tag, from, to);
            } catch (ColdTierUnavailableException x) {
                if (tier != null && tier.faulty() && from < model.cutoffHigh) {
                    continue;
                }
                throw failure("a read of [" + at(from) + ", " + at(to) + ") failed with the cold tier "
                        + (tier != null && tier.faulty() ? "failing but no cold data in range" : "healthy"), x);
            }
            compareRaw(tag, actual, from, to, "read-back of " + tag);
        }
    }

    // ------------------------------------------------------------------ lifecycle operations

    /** The highest cutoff a tiering run started now may set, per the policy and the spec. */
    private long cutoffBound() {
        long partition = config.partitionMillis();
        long currentPartition = Math.floorDiv(now(), partition) * partition;
        if ("age".equals(config.tiering())) {
            return Math.min(currentPartition, Math.floorDiv(now() - config.tierAgeMillis(), partition) * partition);
        }
        return currentPartition;
    }

    private boolean tierNow() {
        detail = "tierNow()";
        TieringReport report;
        long bound = cutoffBound();
        try {
            report = h.tierNow();
        } catch (HistorianException e) {
            tieringFailed(e, bound);
            fullCheck(null);
            return true;
        }
        tiered(report);
        fullCheck(null);
        return true;
    }

    private void tieringFailed(HistorianException e, long bound) {
        if (tier == null || !tier.faulty() || String.valueOf(e.getMessage()).contains("store writer")) {
            throw failure("tierNow() failed" + (tier != null && tier.faulty() ? "" : " with a healthy cold tier") + ": " + e,
                    e);
        }
        count("tierNow failed (tier down)");
        detail += " -> " + e.getClass().getSimpleName();
        // The run may have raised the cutoff before it failed.
        model.cutoffHigh = Math.max(model.cutoffHigh, Math.max(model.cutoffLow, bound));
    }

    private void tiered(TieringReport report) {
        long c = report.cutoff() == null ? Long.MIN_VALUE : report.cutoff().toEpochMilli();
        detail += " -> " + report;
        long partition = config.partitionMillis();
        long currentPartition = Math.floorDiv(now(), partition) * partition;
        if (c < model.cutoffLow) {
            throw failure("the tiering cutoff moved back from " + at(model.cutoffLow) + " to " + at(c) + ": " + report);
        }
        if (c > currentPartition) {
            throw failure("the tiering cutoff " + at(c) + " lies past the start of the current partition "
                    + at(currentPartition) + " (now " + clock.instant() + "): " + report);
        }
        if ("age".equals(config.tiering()) && c > now() - config.tierAgeMillis()) {
            throw failure("the tiering cutoff " + at(c) + " is newer than now - olderThan = "
                    + at(now() - config.tierAgeMillis()) + ": " + report);
        }
        model.cutoffLow = c;
        model.cutoffHigh = c;
        count(report.segmentsWritten() + report.segmentsAdopted() > 0 ? "tierNow moved data" : "tierNow idle");
    }

    /**
     * Runs {@code tierNow()} on the helper thread while this thread writes live samples (above
     * any cutoff the run may set, so their outcome is certain) and reads whole tags.
     */
    private boolean tierNowConcurrently(SplittableRandom r) throws Exception {
        long bound = cutoffBound();
        long low = model.cutoffLow;
        model.cutoffHigh = Math.max(model.cutoffHigh, Math.max(low, bound));
        Future<TieringReport> run = helper.submit(h::tierNow);
        int actions = 2 + r.nextInt(8);
        StringBuilder what = new StringBuilder("tierNow() concurrent with");
        for (int i = 0; i < actions; i++) {
            if (r.nextBoolean()) {
                String tag = rawTag(r);
                long t = Math.max(now() - 10 * MINUTE, model.lowBound()) + r.nextLong(20 * MINUTE);
                SimWrite w = new SimWrite(r.nextBoolean() ? singleApi(r) : SimWrite.Api.BATCH, 4);
                int n = w.api == SimWrite.Api.BATCH ? 1 + r.nextInt(50) : 1;
                for (int k = 0; k < n; k++) {
                    addSample(w, r, tag, t + k);
                }
                write(w, false);
                what.append(" [").append(detail).append("]");
            } else {
                String tag = r.nextInt(4) == 0 ? inputTag(r) : rawTag(r);
                checkWholeTag(tag);
                what.append(" [read ").append(tag).append("]");
            }
        }
        detail = what.toString();
        TieringReport report;
        try {
            report = run.get(5, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException x) {
            if (x.getCause() instanceof HistorianException e) {
                tieringFailed(e, bound);
                fullCheck(r);
                return true;
            }
            throw failure("concurrent tierNow() failed: " + x.getCause(), x.getCause());
        }
        tiered(report);
        fullCheck(r);
        return true;
    }

    private boolean advanceClock(SplittableRandom r) {
        int k = r.nextInt(10);
        long d = k < 5 ? MINUTE + r.nextLong(29 * MINUTE) : k < 8 ? HOUR + r.nextLong(5 * HOUR) : DAY;
        clock.advance(Duration.ofMillis(d));
        detail = "advance " + Duration.ofMillis(d) + " to " + clock.instant();
        return false;
    }

    private boolean retention() {
        detail = "applyRetention() at horizon " + at(model.horizon());
        try {
            long deleted = h.applyRetention();
            detail += " -> " + deleted + " chunks";
            if (deleted < 0) {
                throw failure("applyRetention() returned " + deleted);
            }
            count(deleted > 0 ? "retention deleted" : "retention idle");
        } catch (HistorianException e) {
            if (tier == null || !tier.faulty() || String.valueOf(e.getMessage()).contains("store writer")) {
                throw failure("applyRetention() failed: " + e, e);
            }
            detail += " -> " + e.getClass().getSimpleName();
            count("retention failed (tier down)");
        }
        fullCheck(null);
        return true;
    }

    private boolean reopen() {
        detail = "close and reopen" + (tier != null && tier.faulty() ? " (cold tier failing while closing)" : "");
        closeHistorian();
        open();
        checkStatsInvariant(h.stats());
        fullCheck(null);
        return true;
    }

    private boolean flush() {
        detail = "flush()";
        h.flush();
        return false;
    }

    /** Seals, commits and merges short chunks: the samples must stay exactly the model's. */
    private boolean compact() {
        detail = "compact()";
        h.compact();
        return false;
    }

    private boolean coldTierFault(SplittableRandom r) {
        if (tier.faulty()) {
            tier.heal();
            detail = "cold tier healed";
        } else {
            int passes = r.nextInt(6);
            tier.failAfter(passes);
            detail = "cold tier fails after " + passes + " more calls";
        }
        return false;
    }

    // ------------------------------------------------------------------ kill -9 of a child writer

    /**
     * Closes the historian, lets a child JVM open the directory and run a script of fresh writes,
     * kills it after it acknowledged a seeded number of them (often while a batch above 65,536
     * samples is in flight), reopens, and checks: every acknowledged write is there, the one in
     * flight is there whole or not at all.
     */
    private boolean kill(SplittableRandom r) throws Exception {
        int length = 3 + r.nextInt(25);
        int killAfter = r.nextInt(length) - 1;
        boolean bigInFlight = r.nextBoolean();
        List<SimWrite> script = new ArrayList<>();
        Map<String, Set<Long>> planned = new HashMap<>();
        for (int i = 0; i < length; i++) {
            script.add(scriptWrite(r, i == killAfter + 1 && bigInFlight, planned));
        }
        detail = "kill -9 of a child " + (bigInFlight ? "as write " + (killAfter + 1) + " of " + length + " begins (it holds "
                + script.get(killAfter + 1).size + " samples)" : "after ACK " + killAfter + " of " + length + " writes");
        closeHistorian();
        Path dir = root.resolve("world-" + world);
        Path scriptFile = dir.resolve("script.bin");
        Path configFile = dir.resolve("world.properties");
        Path log = dir.resolve("child-" + step + ".log");
        config.save(configFile);
        List<String> table = KillChild.tagTable();
        try (OutputStream os = Files.newOutputStream(scriptFile);
                DataOutputStream dos = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
            dos.writeInt(script.size());
            for (SimWrite w : script) {
                w.writeExternal(dos, table);
            }
        }
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        String end = "\u0000end";
        child = ChildJvm.start(KillChild.class, "768m", log, dataDir.toString(), tierDir.toString(),
                configFile.toString(), scriptFile.toString(), Long.toString(now()));
        Process p = child;
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the child died: its stream ends
            } finally {
                lines.add(end);
            }
        }, "simulation-child-stdout");
        pump.setDaemon(true);
        pump.start();
        // A big write is killed as soon as it begins, so that the kill lands inside it.
        String target = bigInFlight ? "BEGIN " + (killAfter + 1) : killAfter < 0 ? "READY" : "ACK " + killAfter;
        List<String> seen = new ArrayList<>();
        boolean reached = false;
        boolean ended = false;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        try {
            while (!reached && !ended) {
                long left = deadline - System.nanoTime();
                String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
                if (line == null) {
                    throw failure("the child did not reach '" + target + "' within 3 minutes; its log: " + log);
                }
                if (line.equals(end)) {
                    ended = true;
                } else {
                    seen.add(line);
                    reached = line.equals(target) || line.equals("DONE");
                }
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(1, TimeUnit.MINUTES);
            pump.join(TimeUnit.MINUTES.toMillis(1));
            child = null;
        }
        String line;
        while ((line = lines.poll()) != null) {
            if (!line.equals(end)) {
                seen.add(line);
            }
        }
        boolean done = seen.contains("DONE");
        if (!reached && !done) {
            throw failure("the child died before it was killed (exit " + p.exitValue() + "); its output " + seen
                    + "; its log " + log + ":\n" + tail(log));
        }
        int lastPrinted = -1;
        Set<Integer> refused = new HashSet<>();
        for (String s : seen) {
            if (s.startsWith("ACK ") || s.startsWith("REFUSED ")) {
                int i = Integer.parseInt(s.split(" ")[1]);
                if (i != lastPrinted + 1) {
                    throw failure("the child's acknowledgements are out of order: " + seen);
                }
                lastPrinted = i;
                if (s.startsWith("REFUSED ")) {
                    refused.add(i);
                    if (!(config.journalReject() && s.contains("JournalFullException"))) {
                        throw failure("the child's write " + i + " (" + script.get(i).describe() + ") was refused: " + s);
                    }
                }
            } else if (s.startsWith("ERROR ")) {
                throw failure("the child's write failed: " + s + "; its log " + log + ":\n" + tail(log));
            }
        }
        int inFlight = done ? -1 : lastPrinted + 1;
        open();
        checkStatsInvariant(h.stats());
        for (int i = 0; i <= lastPrinted; i++) {
            if (!refused.contains(i)) {
                model.apply(script.get(i));
            }
        }
        String outcome;
        if (inFlight >= 0 && inFlight < script.size()) {
            SimWrite w = script.get(inFlight);
            int present = countPresent(w);
            if (present == w.size) {
                model.apply(w);
                outcome = "in-flight write " + inFlight + " of " + w.size + " samples present";
                count("kill: in-flight write present");
            } else if (present == 0) {
                outcome = "in-flight write " + inFlight + " of " + w.size + " samples absent";
                count("kill: in-flight write absent");
            } else {
                throw failure("the write in flight at the kill (" + inFlight + ": " + w.describe()
                        + ") is partly stored: " + present + " of " + w.size + " samples present after reopening");
            }
        } else {
            outcome = "no write in flight";
            count("kill: nothing in flight");
        }
        detail += "; acknowledged " + (lastPrinted + 1) + " writes, " + outcome;
        Files.deleteIfExists(log);
        fullCheck(r);
        return true;
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** A write of the child's script: fresh timestamps only, so its presence after the kill is unambiguous. */
    private SimWrite scriptWrite(SplittableRandom r, boolean big, Map<String, Set<Long>> planned) {
        int kind = big ? 3 : r.nextInt(10);
        SimWrite w;
        if (kind < 3) {
            String tag = r.nextInt(3) == 0 ? inputTag(r) : rawTag(r);
            w = new SimWrite(singleApi(r), 1);
            long t = freshTime(r, tag, liveTime(r), planned);
            addSample(w, r, tag, t);
            return w;
        }
        int n = big ? 70_000 + r.nextInt(80_001) : kind < 8 ? 2 + r.nextInt(49) : 1_000 + r.nextInt(4_000);
        w = new SimWrite(SimWrite.Api.BATCH, n);
        if (n <= 50) {
            for (int i = 0; i < n; i++) {
                String tag = r.nextInt(3) == 0 ? inputTag(r) : rawTag(r);
                addSample(w, r, tag, freshTime(r, tag, liveTime(r), planned));
            }
            return w;
        }
        String tag = big || r.nextInt(4) != 0 ? rawTag(r) : inputTag(r);
        long stepMillis = Math.max(1, Math.min(250 + r.nextInt(751), 20 * HOUR / n));
        long start = runStart(r, n * stepMillis);
        SimWrite run = new SimWrite(SimWrite.Api.BATCH, n);
        addRun(run, r, tag, start, stepMillis, n);
        Set<Long> taken = planned.computeIfAbsent(tag, k -> new HashSet<>());
        for (int i = 0; i < run.size; i++) {
            if (!model.series(tag).containsKey(run.ts[i]) && taken.add(run.ts[i])) {
                w.add(tag, run.ts[i], run.values[i], run.qualities[i]);
            }
        }
        return w;
    }

    private long freshTime(SplittableRandom r, String tag, long t, Map<String, Set<Long>> planned) {
        Set<Long> taken = planned.computeIfAbsent(tag, k -> new HashSet<>());
        while (model.series(tag).containsKey(t) || taken.contains(t)) {
            t += 1 + r.nextInt(1000);
        }
        taken.add(t);
        return t;
    }

    /** How many of the write's samples the historian holds with exactly the written value and quality. */
    private int countPresent(SimWrite w) {
        Map<String, long[]> ranges = new HashMap<>();
        for (int i = 0; i < w.size; i++) {
            long[] rg = ranges.computeIfAbsent(w.tags[i], k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
            rg[0] = Math.min(rg[0], w.ts[i]);
            rg[1] = Math.max(rg[1], w.ts[i]);
        }
        Map<String, Series> read = new HashMap<>();
        for (var e : ranges.entrySet()) {
            read.put(e.getKey(), read(e.getKey(), e.getValue()[0], e.getValue()[1] + 1));
        }
        int present = 0;
        for (int i = 0; i < w.size; i++) {
            Series s = read.get(w.tags[i]);
            int at = Arrays.binarySearch(s.ts, 0, s.size, w.ts[i]);
            if (at >= 0 && same(w.values[i], w.qualities[i], s.values[at], s.qualities[at])) {
                present++;
            }
        }
        return present;
    }

    // ------------------------------------------------------------------ reads and checks

    /** One tag's samples as read, in parallel arrays. */
    static final class Series {
        long[] ts = new long[256];
        double[] values = new double[256];
        int[] qualities = new int[256];
        int size;

        void add(long t, double v, int q) {
            if (size == ts.length) {
                int c = size * 2;
                ts = Arrays.copyOf(ts, c);
                values = Arrays.copyOf(values, c);
                qualities = Arrays.copyOf(qualities, c);
            }
            ts[size] = t;
            values[size] = v;
            qualities[size] = q;
            size++;
        }
    }

    /** Reads {@code [from, to)} of a tag; a tag the historian does not know reads as empty. */
    private Series read(String tag, long from, long to) {
        Series s = new Series();
        try (SampleCursor c = h.query(tag).between(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to)).raw()) {
            while (c.next()) {
                s.add(c.epochMillis(), c.value(), c.qualityCode());
            }
        } catch (TagNotFoundException e) {
            return new Series();
        }
        return s;
    }

    private static boolean same(double v1, int q1, double v2, int q2) {
        return Double.doubleToRawLongBits(v1) == Double.doubleToRawLongBits(v2) && q1 == q2;
    }

    private static String sample(long t, double v, int q) {
        return at(t) + "=" + v + " " + Quality.of(q);
    }

    /**
     * Compares what was read with the model over the same range: strictly increasing times (each
     * sample once), every sample read is acknowledged with its last value, every acknowledged
     * sample at or after the horizon is read.
     */
    private void compareRaw(String tag, Series actual, long from, long to, String what) {
        long horizon = model.horizon();
        NavigableMap<Long, Model.Value> expected = model.series(tag).subMap(from, true, to, false);
        long requiredFrom = Math.max(from, horizon);
        NavigableMap<Long, Model.Value> required = requiredFrom < to
                ? model.series(tag).subMap(requiredFrom, true, to, false) : new TreeMap<>();
        long pruned = model.prunedBefore(tag);
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < actual.size; i++) {
            long t = actual.ts[i];
            if (i > 0 && t <= previous) {
                throw failure(what + ": " + (t == previous ? "sample read twice" : "samples out of order") + " [tag=" + tag
                        + ", time=" + at(t) + ", previous=" + at(previous) + "]");
            }
            previous = t;
            Model.Value v = expected.get(t);
            if (v == null) {
                if (t < pruned) {
                    continue;
                }
                throw failure(what + ": a sample nobody acknowledged is readable [tag=" + tag + ", actual="
                        + sample(t, actual.values[i], actual.qualities[i]) + (model.series(tag).containsKey(t)
                        ? ", outside the range read" : "") + "]");
            }
            if (!same(v.value(), v.quality(), actual.values[i], actual.qualities[i])) {
                throw failure(what + ": wrong value [tag=" + tag + ", expected=" + sample(t, v.value(), v.quality())
                        + ", actual=" + sample(t, actual.values[i], actual.qualities[i]) + "]");
            }
        }
        int i = 0;
        int missing = 0;
        String firstMissing = null;
        for (var e : required.entrySet()) {
            long t = e.getKey();
            while (i < actual.size && actual.ts[i] < t) {
                i++;
            }
            if (i >= actual.size || actual.ts[i] != t) {
                if (missing++ < 3) {
                    firstMissing = (firstMissing == null ? "" : firstMissing + "; ")
                            + sample(t, e.getValue().value(), e.getValue().quality());
                }
            }
        }
        if (missing > 0) {
            long t0 = required.entrySet().stream().filter(e -> Arrays.binarySearch(actual.ts, 0, actual.size, e.getKey()) < 0)
                    .findFirst().map(Map.Entry::getKey).orElse(from);
            throw failure(what + ": " + missing + " acknowledged samples at or after the horizon are missing [tag=" + tag
                    + ", first missing: " + firstMissing + ", horizon=" + at(horizon) + ", read " + actual.size
                    + " samples]" + coldObjectsNear(t0));
        }
    }

    /** Reads a whole tag (the part above the cutoff only, when the cold tier is failing) and compares. */
    private Series checkWholeTag(String tag) {
        long from = READ_FROM;
        Series actual;
        try {
            actual = read(tag, from, READ_TO);
        } catch (ColdTierUnavailableException e) {
            if (tier == null || !tier.faulty() || model.cutoffHigh == Long.MIN_VALUE) {
                throw failure("reading " + tag + " failed with ColdTierUnavailableException"
                        + (tier != null && tier.faulty() ? " though nothing was tiered" : " with a healthy tier"), e);
            }
            from = model.cutoffHigh;
            count("read narrowed: cold tier down");
            try {
                actual = read(tag, from, READ_TO);
            } catch (ColdTierUnavailableException again) {
                throw failure("reading " + tag + " from the cutoff " + at(from) + " on needs the cold tier", again);
            }
        }
        compareRaw(tag, actual, from, READ_TO, "whole read of " + tag);
        return actual;
    }

    /** The cold tier's objects named after the day of {@code t}, for messages about lost samples. */
    private String coldObjectsNear(long t) {
        if (!config.hasTier()) {
            return "";
        }
        String day = at(t).substring(0, 10).replace("-", "");
        try (Stream<Path> files = Files.walk(tierDir)) {
            return "; cold objects of that day: " + files.filter(Files::isRegularFile)
                    .map(f -> tierDir.relativize(f).toString() + " (" + f.toFile().length() + " bytes)")
                    .filter(k -> k.contains(day)).sorted().toList()
                    + (tier != null && !tier.overwrites().isEmpty() ? "; objects overwritten with other content since"
                    + " the historian opened: " + tier.overwrites() : "");
        } catch (IOException e) {
            return "; cold objects unreadable: " + e;
        }
    }

    private void fullCheck(SplittableRandom r) {
        count("full check");
        for (String tag : WorldConfig.RAW_TAGS) {
            Series s = checkWholeTag(tag);
            checkLatest(tag);
            if (model.size() > MODEL_LIMIT) {
                long firstRead = s.size == 0 ? Long.MAX_VALUE : s.ts[0];
                model.prune(tag, Math.min(firstRead, model.horizon()));
            }
        }
        for (String tag : WorldConfig.INPUT_TAGS) {
            checkWholeTag(tag);
            checkLatest(tag);
        }
        checkDerived();
        boolean healthy = tier == null || !tier.faulty();
        if (healthy) {
            SplittableRandom x = r != null ? r : new SplittableRandom(mix(seed, step + 7));
            checkCounts(WorldConfig.RAW_TAGS.get(x.nextInt(WorldConfig.RAW_TAGS.size())));
            checkValueAt(x, x.nextBoolean() ? rawTag(x) : inputTag(x));
        }
        checkStatsInvariant(h.stats());
    }

    private void checkLatest(String tag) {
        Optional<Sample> latest;
        try {
            latest = h.latest(tag);
        } catch (TagNotFoundException e) {
            latest = Optional.empty();
        } catch (ColdTierUnavailableException e) {
            if (tier != null && tier.faulty()) {
                return;
            }
            throw failure("latest(" + tag + ") failed with a healthy cold tier", e);
        }
        var last = model.series(tag).lastEntry();
        long horizon = model.horizon();
        if (last != null && last.getKey() >= horizon) {
            if (latest.isEmpty()) {
                throw failure("latest(" + tag + ") is empty; expected " + sample(last.getKey(), last.getValue().value(),
                        last.getValue().quality()));
            }
            Sample s = latest.get();
            if (s.timestamp().toEpochMilli() != last.getKey()
                    || !same(last.getValue().value(), last.getValue().quality(), s.value(), s.quality().code())) {
                throw failure("latest(" + tag + ") differs [expected=" + sample(last.getKey(), last.getValue().value(),
                        last.getValue().quality()) + ", actual=" + sample(s.timestamp().toEpochMilli(), s.value(),
                        s.quality().code()) + "]");
            }
        } else if (latest.isPresent()) {
            Sample s = latest.get();
            Model.Value v = model.series(tag).get(s.timestamp().toEpochMilli());
            if (v == null && s.timestamp().toEpochMilli() >= model.prunedBefore(tag)
                    || v != null && !same(v.value(), v.quality(), s.value(), s.quality().code())) {
                throw failure("latest(" + tag + ") returned a sample the model does not hold: " + s);
            }
        }
    }

    /** valueAt(PREVIOUS) at a random time: the model's sample at or before it, when that is not expired. */
    private void checkValueAt(SplittableRandom r, String tag) {
        long t = now() - r.nextLong(4 * DAY);
        Optional<Sample> got;
        try {
            got = h.valueAt(tag, Instant.ofEpochMilli(t), ValueAt.PREVIOUS);
        } catch (TagNotFoundException e) {
            got = Optional.empty();
        }
        var expected = model.series(tag).floorEntry(t);
        if (expected != null && expected.getKey() >= model.horizon()) {
            if (got.isEmpty() || got.get().timestamp().toEpochMilli() != expected.getKey()
                    || !same(expected.getValue().value(), expected.getValue().quality(), got.get().value(),
                            got.get().quality().code())) {
                throw failure("valueAt(" + tag + ", " + at(t) + ", PREVIOUS) differs [expected="
                        + sample(expected.getKey(), expected.getValue().value(), expected.getValue().quality())
                        + ", actual=" + got.orElse(null) + "]");
            }
        }
    }

    /** COUNT per UTC day, for the days wholly after the horizon: non-Bad samples. */
    private void checkCounts(String tag) {
        long from = Math.floorDiv(now() - 4 * DAY, DAY) * DAY;
        long to = Math.floorDiv(now(), DAY) * DAY + 2 * DAY;
        Map<Long, Long> counts = new HashMap<>();
        try (AggregateCursor c = h.query(tag).between(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to))
                .aggregate(Duration.ofDays(1), Aggregate.COUNT)) {
            while (c.next()) {
                double v = c.value(0);
                counts.put(c.startMillis(), Double.isNaN(v) ? 0 : (long) v);
            }
        } catch (TagNotFoundException e) {
            // no data yet
        }
        long horizon = model.horizon();
        for (long day = from; day < to; day += DAY) {
            if (day < horizon || day < model.prunedBefore(tag)) {
                continue;
            }
            long expected = 0;
            for (Model.Value v : model.series(tag).subMap(day, true, day + DAY, false).values()) {
                if (!Quality.of(v.quality()).isBad()) {
                    expected++;
                }
            }
            long actual = counts.getOrDefault(day, 0L);
            if (actual != expected) {
                throw failure("COUNT of " + tag + " for the day " + at(day) + " is " + actual + ", expected " + expected);
            }
        }
    }

    /** Every derived tag against the oracle on the model's inputs. */
    private void checkDerived() {
        if (!derivedChecks) {
            return;
        }
        Map<String, TreeMap<Long, FormulaOracle.Point>> expected = FormulaOracle.compute(model, config.stalenessMillis());
        long horizon = model.horizon();
        for (String tag : WorldConfig.DERIVED_TAGS) {
            TreeMap<Long, FormulaOracle.Point> exp = expected.get(tag);
            long from = READ_FROM;
            Series actual;
            try {
                actual = read(tag, from, READ_TO);
            } catch (ColdTierUnavailableException e) {
                if (tier == null || !tier.faulty() || model.cutoffHigh == Long.MIN_VALUE) {
                    throw failure("reading " + tag + " failed with ColdTierUnavailableException", e);
                }
                from = model.cutoffHigh;
                actual = read(tag, from, READ_TO);
            }
            long previous = Long.MIN_VALUE;
            for (int i = 0; i < actual.size; i++) {
                long t = actual.ts[i];
                if (i > 0 && t <= previous) {
                    throw failure("derived " + tag + ": " + (t == previous ? "sample read twice" : "samples out of order")
                            + " at " + at(t));
                }
                previous = t;
                if (t < horizon) {
                    continue;
                }
                FormulaOracle.Point p = exp.get(t);
                if (p == null) {
                    throw failure("derived " + tag + " has a sample where the formula is not defined (an input has no"
                            + " sample at or before it) [actual=" + sample(t, actual.values[i], actual.qualities[i])
                            + "]" + inputsAt(t));
                }
                if (p.support() < horizon) {
                    continue;
                }
                if (!close(p.value(), actual.values[i]) || p.quality() != actual.qualities[i]) {
                    throw failure("derived " + tag + " differs from the formula on the stored inputs [expected="
                            + sample(t, p.value(), p.quality()) + ", actual=" + sample(t, actual.values[i],
                            actual.qualities[i]) + "]" + inputsAt(t));
                }
            }
            int i = 0;
            int missing = 0;
            String first = null;
            for (var e : exp.tailMap(Math.max(from, horizon), true).entrySet()) {
                if (e.getValue().support() < horizon) {
                    continue;
                }
                long t = e.getKey();
                while (i < actual.size && actual.ts[i] < t) {
                    i++;
                }
                if (i >= actual.size || actual.ts[i] != t) {
                    if (missing++ < 3) {
                        first = (first == null ? "" : first + "; ") + sample(t, e.getValue().value(),
                                e.getValue().quality()) + inputsAt(t);
                    }
                }
            }
            if (missing > 0) {
                throw failure("derived " + tag + ": " + missing + " values the formula defines are missing [first ones: " + first
                        + "]");
            }
        }
    }

    private static boolean close(double e, double a) {
        if (Double.isNaN(e) || Double.isNaN(a)) {
            return Double.isNaN(e) && Double.isNaN(a);
        }
        return e == a || Math.abs(e - a) <= 1e-9 * Math.max(1, Math.abs(e));
    }

    /** The model's inputs at or before t, for messages about derived values. */
    private String inputsAt(long t) {
        StringBuilder sb = new StringBuilder(" inputs at or before it:");
        for (String in : WorldConfig.INPUT_TAGS) {
            var e = model.series(in).floorEntry(t);
            sb.append(' ').append(in).append('=').append(e == null ? "none" : sample(e.getKey(), e.getValue().value(),
                    e.getValue().quality()));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ files

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
