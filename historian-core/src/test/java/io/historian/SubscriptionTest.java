package io.historian;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.internal.engine.Internals;
import io.historian.internal.journal.ChronicleJournal;
import io.historian.testing.Reads;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live subscriptions: order, filtering, throwing and slow listeners, the lag limit, closing. */
class SubscriptionTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final long T0_MS = T0.toEpochMilli();
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    Historian.Builder builder() {
        return Historian.builder().dataDirectory(dir).jmx(false);
    }

    /** One delivered sample. */
    record Got(String tag, long t, double v, int q) {
    }

    /** Records every sample; the listener runs on one thread, tests read under the list's lock. */
    static final class Recorder implements SampleListener {
        private final List<Got> got = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onSample(String tag, long epochMillis, double value, Quality quality) {
            got.add(new Got(tag, epochMillis, value, quality.code()));
        }

        List<Got> snapshot() {
            synchronized (got) {
                return new ArrayList<>(got);
            }
        }
    }

    static long subscriptionThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("historian-subscription-")).count();
    }

    @Test
    void live_deliversEachTagInWriteOrder_andAllTagsInJournalOrder() {
        try (Historian h = builder().build()) {
            h.write("a", T0_MS - 1, -1.0, Quality.GOOD);
            Recorder r = new Recorder();
            try (Subscription s = h.subscribe("*", r)) {
                assertEquals(Subscription.State.LIVE, s.state());
                List<Got> expected = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    String tag = switch (i % 3) {
                        case 0 -> "a";
                        case 1 -> "b";
                        default -> "c";
                    };
                    // "b" runs backwards in time: arrival order, not timestamp order, is what counts.
                    long t = tag.equals("b") ? T0_MS + 1_000_000 - i * 1000L : T0_MS + i * 1000L;
                    Quality q = i % 7 == 0 ? Quality.BAD_NO_COMMUNICATION : Quality.GOOD;
                    h.write(tag, t, i * 0.25, q);
                    expected.add(new Got(tag, t, i * 0.25, q.code()));
                }
                SampleBatch batch = new SampleBatch();
                for (int i = 0; i < 100; i++) {
                    String tag = i % 2 == 0 ? "c" : "d";
                    long t = T0_MS + 2_000_000 + i;
                    batch.add(tag, t, -i, Quality.UNCERTAIN_LAST_USABLE_VALUE);
                    expected.add(new Got(tag, t, -i, Quality.UNCERTAIN_LAST_USABLE_VALUE.code()));
                }
                h.write(batch);
                await().atMost(WAIT).until(() -> s.delivered() >= expected.size());
                assertEquals(expected, r.snapshot());
                assertEquals(expected.size(), s.delivered());
                assertEquals(0, s.listenerFailures());
                assertTrue(s.failure().isEmpty());
            }
        }
    }

    @Test
    void pattern_selectsMatchingTags_includingTagsCreatedAfterSubscribing() {
        try (Historian h = builder().build()) {
            h.write("line1.temp", T0, 1.0);
            Recorder line1 = new Recorder();
            Recorder pressure = new Recorder();
            Recorder later = new Recorder();
            try (Subscription s1 = h.subscribe("line1.*", line1);
                    Subscription s2 = h.subscribe("line2.pres?ure", pressure);
                    Subscription s3 = h.subscribe("not.yet.*", later)) {
                h.write("line1.temp", T0.plusSeconds(1), 2.0);
                h.write("line2.temp", T0.plusSeconds(1), 3.0);
                h.write("line1.flow", T0.plusSeconds(1), 4.0);
                h.write("line10.temp", T0.plusSeconds(1), 5.0);
                h.write("line2.pressure", T0.plusSeconds(1), 6.0);
                h.register(TagDefinition.of("not.yet.registered"));
                h.write("not.yet.registered", T0.plusSeconds(2), 7.0);
                h.write("line1.end", T0.plusSeconds(3), 8.0);
                await().atMost(WAIT).until(() -> s1.delivered() >= 3 && s2.delivered() >= 1 && s3.delivered() >= 1);
                long t1 = T0.plusSeconds(1).toEpochMilli();
                assertEquals(List.of(new Got("line1.temp", t1, 2.0, 0), new Got("line1.flow", t1, 4.0, 0),
                        new Got("line1.end", T0.plusSeconds(3).toEpochMilli(), 8.0, 0)), line1.snapshot());
                assertEquals(List.of(new Got("line2.pressure", t1, 6.0, 0)), pressure.snapshot());
                assertEquals(List.of(new Got("not.yet.registered", T0.plusSeconds(2).toEpochMilli(), 7.0, 0)),
                        later.snapshot());
            }
        }
    }

    @Test
    void subscribeFrom_replaysStoredSamplesInTimestampOrderAcrossTags_thenGoesLive() {
        try (Historian h = builder().chunkMaxSamples(16).build()) {
            // Per tag: time -> latest value; registration order a, b, c, then "other" (not matched).
            List<java.util.TreeMap<Long, Double>> model = List.of(new java.util.TreeMap<>(), new java.util.TreeMap<>(),
                    new java.util.TreeMap<>());
            String[] tags = {"a", "b", "c"};
            SampleBatch batch = new SampleBatch();
            for (int i = 0; i < 300; i++) {
                long[] ts = {T0_MS + i * 3000L, T0_MS + i * 3000L + 1000, T0_MS + i * 2000L};
                for (int k = 0; k < 3; k++) {
                    batch.add(tags[k], ts[k], i + k / 10.0, Quality.GOOD);
                    model.get(k).put(ts[k], i + k / 10.0);
                }
                batch.add("other", T0_MS + i, i, Quality.GOOD);
            }
            h.write(batch);
            h.compact();
            // A rewrite in the store and samples still in open chunks.
            h.write("a", T0_MS + 150 * 3000L, -5.0, Quality.GOOD);
            model.get(0).put(T0_MS + 150 * 3000L, -5.0);
            for (int i = 300; i < 310; i++) {
                h.write("c", T0_MS + i * 2000L, i, Quality.GOOD);
                model.get(2).put(T0_MS + i * 2000L, (double) i);
            }
            long from = T0_MS + 100_000;
            List<Got> expected = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                for (var e : model.get(k).tailMap(from).entrySet()) {
                    expected.add(new Got(tags[k], e.getKey(), e.getValue(), 0));
                }
            }
            // Stable sort: equal timestamps stay in registration order.
            expected.sort(java.util.Comparator.comparingLong(Got::t));
            Recorder r = new Recorder();
            try (Subscription s = h.subscribeFrom(Instant.ofEpochMilli(from), "?", r)) {
                await().atMost(WAIT).until(() -> s.delivered() >= expected.size());
                await().atMost(WAIT).until(() -> s.state() == Subscription.State.LIVE);
                h.write("b", from - 1, 1.0, Quality.GOOD);
                h.write("other", T0_MS + 9_000_000, 2.0, Quality.GOOD);
                h.write("c", T0_MS + 9_000_000, 3.0, Quality.GOOD);
                expected.add(new Got("c", T0_MS + 9_000_000, 3.0, 0));
                await().atMost(WAIT).until(() -> s.delivered() >= expected.size());
                assertEquals(expected, r.snapshot());
            }
        }
    }

    @Test
    void subscribeFrom_whileWriting_deliversEverySampleOnce_withoutGapOrDuplicateAtTheSeam() throws Exception {
        for (int round = 0; round < 3; round++) {
            long seed = seed("SubscriptionTest.seam round " + round);
            Path roundDir = dir.resolve("round" + round);
            seamRound(seed, roundDir);
        }
    }

    private void seamRound(long seed, Path roundDir) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        int tagCount = 1 + r.nextInt(6);
        try (Historian h = Historian.builder().dataDirectory(roundDir).jmx(false)
                .chunkMaxSamples(16 + r.nextInt(300)).commitInterval(Duration.ofMillis(5 + r.nextInt(200))).build()) {
            long t0 = T0_MS + 1_000_000L * r.nextInt(5);
            Writer writer = new Writer(h, r.split(), tagCount, t0);
            writer.writeUntil(2_000 + r.nextInt(20_000));
            Recorder rec = new Recorder();
            Thread thread = new Thread(writer, "test-writer");
            thread.start();
            Subscription s;
            try {
                await().atMost(WAIT).until(() -> writer.written() > 500);
                s = h.subscribeFrom(Instant.ofEpochMilli(t0), "s*", rec);
                long at = writer.written();
                await().atMost(WAIT).until(() -> writer.written() > at + 2_000);
            } finally {
                writer.stop();
                thread.join();
            }
            assertTrue(writer.failure.get() == null, () -> "writer failed, seed=" + seed + ": " + writer.failure.get());
            try (s) {
                java.util.Map<String, Double> expected = new java.util.HashMap<>();
                for (Got g : writer.log) {
                    if (g.t() >= t0 && g.tag().startsWith("s")) {
                        expected.put(g.tag() + "@" + g.t(), g.v());
                    }
                }
                await().atMost(WAIT).until(() -> s.delivered() >= expected.size());
                // Anything extra would arrive within the same pass: let the subscription read to the end.
                await().atMost(WAIT).until(() -> s.lag() == 0);
                List<Got> got = rec.snapshot();
                java.util.Map<String, Double> seen = new java.util.HashMap<>();
                for (Got g : got) {
                    Double before = seen.put(g.tag() + "@" + g.t(), g.v());
                    assertTrue(before == null, () -> "delivered twice: " + g + " (seed=" + seed + ")");
                }
                assertEquals(expected, seen, "seed=" + seed);
                assertEquals(expected.size(), s.delivered(), "seed=" + seed);
            }
        }
    }

    /**
     * Writes random batches and single samples of tags {@code s0..sN} and {@code x} (never
     * matched), each timestamp unique per tag: a rising stream at or after t0, back-fills behind it
     * (odd milliseconds, also at or after t0) and late samples before t0 that a replay from t0 skips.
     */
    static final class Writer implements Runnable {
        final Historian h;
        final SplittableRandom r;
        final int tags;
        final long t0;
        final List<Got> log = new ArrayList<>();
        final long[] next;
        final AtomicLong written = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        long late;
        long backfill;

        Writer(Historian h, SplittableRandom r, int tags, long t0) {
            this.h = h;
            this.r = r;
            this.tags = tags;
            this.t0 = t0;
            this.next = new long[tags + 1];
            java.util.Arrays.fill(next, t0 - 50_000);
        }

        long written() {
            return written.get();
        }

        void stop() {
            stop.set(true);
        }

        void writeUntil(long count) {
            while (written.get() < count) {
                step();
            }
        }

        @Override
        public void run() {
            try {
                while (!stop.get()) {
                    step();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }

        private void step() {
            int n = r.nextInt(4) == 0 ? 1 : 1 + r.nextInt(300);
            SampleBatch batch = new SampleBatch();
            List<Got> mine = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = r.nextInt(tags + 1);
                String tag = k == tags ? "x" : "s" + k;
                long t;
                int kind = r.nextInt(50);
                if (kind == 0) {
                    t = t0 - 10_000_000 - 2 * late++;
                } else if (kind == 1) {
                    t = t0 + 2 * backfill++ + 1;
                } else {
                    next[k] += 2 * (1 + r.nextInt(1000));
                    t = next[k];
                }
                double v = r.nextInt(100_000) / 100.0;
                batch.add(tag, t, v, Quality.GOOD);
                mine.add(new Got(tag, t, v, 0));
            }
            if (r.nextInt(100) == 0) {
                // Only this thread appends: rolls, and leaves missing segments, under the subscriber's tailer.
                Internals.journal(h).skipSegments(1 + r.nextInt(3));
            }
            if (n == 1) {
                Got g = mine.get(0);
                h.write(g.tag(), g.t(), g.v(), Quality.GOOD);
            } else {
                h.write(batch);
            }
            log.addAll(mine);
            written.addAndGet(n);
        }
    }

    @Test
    void afterRestart_subscribeStartsAtTheEnd_andSubscribeFromReplaysWhatWasStored() {
        try (Historian h = builder().build()) {
            for (int i = 0; i < 100; i++) {
                h.write("a", T0.plusSeconds(i), i);
            }
        }
        try (Historian h = builder().build()) {
            Recorder live = new Recorder();
            Recorder replay = new Recorder();
            try (Subscription s = h.subscribe("a", live);
                    Subscription r = h.subscribeFrom(T0.plusSeconds(90), "a", replay)) {
                h.write("a", T0.plusSeconds(100), 100);
                await().atMost(WAIT).until(() -> s.delivered() >= 1 && r.delivered() >= 11);
                assertEquals(List.of(new Got("a", T0.plusSeconds(100).toEpochMilli(), 100, 0)), live.snapshot());
                List<Got> expected = new ArrayList<>();
                for (int i = 90; i <= 100; i++) {
                    expected.add(new Got("a", T0.plusSeconds(i).toEpochMilli(), i, 0));
                }
                assertEquals(expected, replay.snapshot());
            }
        }
    }

    @Test
    void throwingListener_isCounted_andDeliveryAndIngestGoOn() {
        try (Historian h = builder().build()) {
            AtomicLong calls = new AtomicLong();
            List<Long> accepted = Collections.synchronizedList(new ArrayList<>());
            SampleListener listener = (tag, t, v, q) -> {
                long n = calls.incrementAndGet();
                if (n % 3 == 0) {
                    throw new IllegalStateException("listener bug at call " + n);
                }
                if (n % 5 == 0) {
                    throw new AssertionError("listener assertion at call " + n);
                }
                accepted.add(t);
            };
            try (Subscription s = h.subscribe("a", listener)) {
                for (int i = 0; i < 3000; i++) {
                    h.write("a", T0_MS + i, i, Quality.GOOD);
                }
                await().atMost(WAIT).until(() -> s.delivered() >= 3000);
                assertEquals(3000, s.delivered());
                assertEquals(1000 + 600 - 200, s.listenerFailures());
                assertEquals(1600, accepted.size());
                assertFalse(s.isClosed());
                assertEquals(Subscription.State.LIVE, s.state());
                assertTrue(s.failure().isEmpty());
                assertEquals(3000, h.stats().journaledSamples());
                assertEquals(3000, Reads.all(h, "a").size());
                h.write("a", T0_MS + 5000, 1.0, Quality.GOOD);
                await().atMost(WAIT).until(() -> s.delivered() == 3001);
            }
        }
    }

    /** Writes {@code count} samples of "a" from {@code first} ms on, 1 ms apart, random values (8 bytes each). */
    static void writeBulk(Historian h, long first, int count, SplittableRandom r) {
        SampleBatch batch = new SampleBatch(10_000);
        for (int done = 0; done < count; ) {
            batch.clear();
            int n = Math.min(10_000, count - done);
            for (int i = 0; i < n; i++) {
                batch.add("a", first + done + i, r.nextDouble(), Quality.GOOD);
            }
            h.write(batch);
            done += n;
        }
    }

    @Test
    void slowSubscriber_neverSlowsIngest_andReceivesEverySampleOnceReleased() throws Exception {
        DataSize budget = DataSize.ofMegabytes(16);
        // A short block timeout: were the held segments counted against the budget, writes would fail.
        try (Historian h = builder().journalBudget(budget).journalBlockTimeout(Duration.ofSeconds(10)).build()) {
            ChronicleJournal journal = Internals.journal(h);
            h.write("a", T0_MS - 1, 0.0, Quality.GOOD);
            CountDownLatch gate = new CountDownLatch(1);
            AtomicLong count = new AtomicLong();
            AtomicLong outOfOrder = new AtomicLong();
            AtomicLong expectNext = new AtomicLong(T0_MS);
            SampleListener slow = (tag, t, v, q) -> {
                if (count.get() == 0) {
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (t != expectNext.getAndIncrement()) {
                    outOfOrder.incrementAndGet();
                }
                count.incrementAndGet();
            };
            int total = 3_000_000;
            try (Subscription s = h.subscribe("a", slow)) {
                int firstSegment = journal.segment();
                // About 12 bytes a sample: some 34 MiB, twice the budget, written while the listener is stuck.
                writeBulk(h, T0_MS, total, new SplittableRandom(1));
                assertTrue(s.lagSize().bytes() > budget.bytes(), () -> "lag " + s.lagSize());
                assertTrue(s.lag() > 0);
                h.compact();
                // Only the segment being appended to counts; the ones kept for the subscriber do not.
                assertTrue(journal.usedBytes() <= budget.bytes() / 4 + (1 << 20), () -> "used " + journal.usedBytes());
                assertTrue(journal.segmentFiles().containsKey(firstSegment), "the subscriber's segment is kept");
                assertTrue(journal.segmentFiles().size() > 4, () -> "segments " + journal.segmentFiles().keySet());
                gate.countDown();
                await().atMost(WAIT).until(() -> s.delivered() >= total);
                assertEquals(total, s.delivered());
                assertEquals(total, count.get());
                assertEquals(0, outOfOrder.get());
                assertEquals(Subscription.State.LIVE, s.state());
                await().atMost(WAIT).until(() -> s.lag() == 0);
                // Once read, the held segments go.
                await().atMost(WAIT).until(() -> !journal.segmentFiles().containsKey(firstSegment));
            }
        }
    }

    @Test
    void subscriberLaggingBeyondTheLimit_isEnded_withAFailureNamingTheLastTimestampDelivered() throws Exception {
        try (Historian h = builder().journalBudget(DataSize.ofMegabytes(16))
                .subscriberLagLimit(DataSize.ofMegabytes(4)).build()) {
            ChronicleJournal journal = Internals.journal(h);
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch stuck = new CountDownLatch(1);
            AtomicLong calls = new AtomicLong();
            SampleListener listener = (tag, t, v, q) -> {
                if (calls.incrementAndGet() == 11) {
                    stuck.countDown();
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            Subscription s = h.subscribe("a", listener);
            try {
                for (int i = 0; i < 11; i++) {
                    h.write("a", T0.plusSeconds(i), i);
                }
                await().atMost(WAIT).until(() -> stuck.getCount() == 0);
                writeBulk(h, T0.plusSeconds(100).toEpochMilli(), 1_500_000, new SplittableRandom(2));
                await().atMost(WAIT).until(s::isClosed);
                assertEquals(Subscription.State.FAILED, s.state());
                assertEquals(0, journal.pinCount(), "an overrun subscription holds no segment");
                HistorianException failure = s.failure().orElseThrow();
                SubscriptionLaggedException lagged = assertInstanceOf(SubscriptionLaggedException.class, failure);
                // The 11th sample (at 10 s) was handed to the listener, which is stuck in that call.
                Instant last = T0.plusSeconds(10);
                assertEquals(last, lagged.lastDelivered().orElseThrow());
                assertTrue(failure.getMessage().contains("lastDelivered=" + last), failure.getMessage());
                assertTrue(failure.getMessage().contains("limit=4.0 MiB"), failure.getMessage());
                assertTrue(failure.isRetryable());
            } finally {
                gate.countDown();
            }
            await().atMost(WAIT).until(() -> subscriptionThreads() == 0);
            assertTrue(s.delivered() <= 11, () -> "delivered " + s.delivered());
            s.close();
            assertEquals(Subscription.State.FAILED, s.state(), "closing keeps the failure");
            // The caller resumes where it stopped: nothing is lost (the sample at 10 s comes again).
            AtomicLong resumed = new AtomicLong();
            try (Subscription again = h.subscribeFrom(lagged(s), "a", (tag, t, v, q) -> resumed.incrementAndGet())) {
                await().atMost(WAIT).until(() -> again.delivered() >= 1 + 1_500_000);
                assertEquals(1 + 1_500_000, again.delivered());
            }
        }
    }

    @Test
    void lagLimit_isCheckedAsTheLagGrows_notWhenASegmentRolls_andNamesTheSampleTheStuckListenerHolds()
            throws Exception {
        // A 256 MiB budget makes 64 MiB segments: a check at segment rolls would let the lag grow far past 2 MiB.
        try (Historian h = builder().journalBudget(DataSize.ofMegabytes(256))
                .subscriberLagLimit(DataSize.ofMegabytes(1)).build()) {
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch stuck = new CountDownLatch(1);
            AtomicLong calls = new AtomicLong();
            AtomicLong lastSeen = new AtomicLong(Long.MIN_VALUE);
            SampleListener listener = (tag, t, v, q) -> {
                lastSeen.set(t);
                if (calls.incrementAndGet() == 5) {
                    stuck.countDown();
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            Subscription s = h.subscribe("a", listener);
            try {
                for (int i = 0; i < 5; i++) {
                    h.write("a", T0.plusSeconds(i), i);
                }
                await().atMost(WAIT).until(() -> stuck.getCount() == 0);
                SplittableRandom r = new SplittableRandom(3);
                SampleBatch batch = new SampleBatch(1000);
                long next = T0.plusSeconds(100).toEpochMilli();
                long maxLiveLag = 0;
                long maxEntry = 0;
                int writes = 0;
                // 8 MiB of writes at most; the subscription must end long before.
                while (!s.isClosed() && writes < 700) {
                    long before = s.lagSize().bytes();
                    batch.clear();
                    for (int i = 0; i < 1000; i++) {
                        batch.add("a", next++, r.nextDouble(), Quality.GOOD);
                    }
                    h.write(batch);
                    writes++;
                    long after = s.lagSize().bytes();
                    if (!s.isClosed()) {
                        // The check runs inside write(): once it returns, a live subscription is within its limit.
                        maxLiveLag = Math.max(maxLiveLag, after);
                        maxEntry = Math.max(maxEntry, after - before);
                    }
                }
                assertTrue(s.isClosed(), "still live after " + writes + " writes, lag " + s.lagSize());
                assertEquals(Subscription.State.FAILED, s.state());
                SubscriptionLaggedException lagged = assertInstanceOf(SubscriptionLaggedException.class,
                        s.failure().orElseThrow());
                assertTrue(maxEntry > 0 && maxEntry < 64 * 1024, "entry " + maxEntry);
                assertTrue(maxLiveLag <= DataSize.ofMegabytes(1).bytes(), "live with a lag of " + maxLiveLag);
                long writtenWhileStuck = (long) writes * maxEntry;
                assertTrue(writtenWhileStuck < DataSize.ofMegabytes(2).bytes(),
                        "ended after " + writes + " writes of up to " + maxEntry + " bytes");
                // Exactly the sample the listener is stuck in, not one it returned from earlier.
                assertEquals(T0.plusSeconds(4), lagged.lastDelivered().orElseThrow());
                assertEquals(Instant.ofEpochMilli(lastSeen.get()), lagged.lastDelivered().orElseThrow());
            } finally {
                gate.countDown();
            }
            s.close();
            // Released, the listener gets nothing after the sample the exception names.
            assertEquals(5, calls.get());
            assertEquals(T0.plusSeconds(4).toEpochMilli(), lastSeen.get());
        }
    }

    @Test
    void laggedException_namesTheLastSampleHanded_whileTheListenerKeepsMoving() throws Exception {
        try (Historian h = builder().journalBudget(DataSize.ofMegabytes(256))
                .subscriberLagLimit(DataSize.ofMegabytes(1)).build()) {
            // The listener moves only as the test hands it permits: it falls behind, but is rarely stopped
            // at the same place twice, so the exception must be built from the hand-over, not a stale copy.
            java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(0);
            AtomicLong lastSeen = new AtomicLong(Long.MIN_VALUE);
            AtomicLong calls = new AtomicLong();
            SampleListener listener = (tag, t, v, q) -> {
                lastSeen.set(t);
                calls.incrementAndGet();
                try {
                    permits.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            Subscription s = h.subscribe("a", listener);
            SplittableRandom r = new SplittableRandom(4);
            SampleBatch batch = new SampleBatch(1000);
            long next = T0_MS;
            int writes = 0;
            try {
                while (!s.isClosed() && writes < 700) {
                    batch.clear();
                    for (int i = 0; i < 1000; i++) {
                        batch.add("a", next++, r.nextDouble(), Quality.GOOD);
                    }
                    h.write(batch);
                    writes++;
                    permits.release(100 + r.nextInt(200));
                }
                assertTrue(s.isClosed(), "still live after " + writes + " writes, lag " + s.lagSize());
            } finally {
                permits.release(Integer.MAX_VALUE / 2);
            }
            s.close();
            SubscriptionLaggedException lagged = assertInstanceOf(SubscriptionLaggedException.class,
                    s.failure().orElseThrow());
            assertTrue(calls.get() > 0);
            assertEquals(Instant.ofEpochMilli(lastSeen.get()), lagged.lastDelivered().orElseThrow(),
                    "after " + calls.get() + " calls");
            assertEquals(T0_MS + calls.get() - 1, lastSeen.get(), "samples are handed in order, none skipped");
        }
    }

    private static Instant lagged(Subscription s) {
        return ((SubscriptionLaggedException) s.failure().orElseThrow()).lastDelivered().orElseThrow();
    }

    @Test
    void close_stopsTheThread_releasesThePin_andIsIdempotent() {
        try (Historian h = builder().build()) {
            ChronicleJournal journal = Internals.journal(h);
            Subscription s = h.subscribe("*", (tag, t, v, q) -> { });
            assertEquals(1, journal.pinCount());
            assertEquals(1, subscriptionThreads());
            s.close();
            assertTrue(s.isClosed());
            assertEquals(Subscription.State.CLOSED, s.state());
            assertTrue(s.failure().isEmpty());
            assertEquals(0, subscriptionThreads());
            assertEquals(0, journal.pinCount());
            s.close();
            h.write("a", T0, 1.0);
            assertEquals(0, s.delivered());
        }
    }

    @Test
    void close_fromInsideTheListener_stopsDelivery() {
        try (Historian h = builder().build()) {
            AtomicReference<Subscription> self = new AtomicReference<>();
            AtomicLong calls = new AtomicLong();
            self.set(h.subscribe("a", (tag, t, v, q) -> {
                if (calls.incrementAndGet() == 5) {
                    self.get().close();
                }
            }));
            for (int i = 0; i < 50; i++) {
                h.write("a", T0.plusSeconds(i), i);
            }
            await().atMost(WAIT).until(() -> subscriptionThreads() == 0);
            assertEquals(5, calls.get());
            assertEquals(Subscription.State.CLOSED, self.get().state());
            assertEquals(0, Internals.journal(h).pinCount());
        }
    }

    @Test
    void historianClose_closesEverySubscription_evenOneWithAStuckListenerMidReplay() {
        Historian h = builder().chunkMaxSamples(64).build();
        writeBulk(h, T0_MS, 20_000, new SplittableRandom(3));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Subscription live = h.subscribe("*", (tag, t, v, q) -> { });
        Subscription replay = h.subscribeFrom(T0, "a", (tag, t, v, q) -> {
            entered.countDown();
            try {
                never.await();
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        await().atMost(WAIT).until(() -> entered.getCount() == 0);
        assertEquals(Subscription.State.REPLAYING, replay.state());
        h.close();
        assertTrue(live.isClosed());
        assertTrue(replay.isClosed());
        assertEquals(Subscription.State.CLOSED, replay.state());
        assertTrue(interrupted.get(), "a stuck listener is interrupted");
        assertEquals(0, subscriptionThreads());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.subscribe("*", (tag, t, v, q) -> { }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> h.subscribeFrom(T0, "*", (tag, t, v, q) -> { }));
    }

    @Test
    void badArguments_areRefused_namingTheArgument() {
        try (Historian h = builder().build()) {
            SampleListener l = (tag, t, v, q) -> { };
            assertEquals("tagPattern", assertThrows(NullPointerException.class, () -> h.subscribe(null, l)).getMessage());
            assertEquals("listener", assertThrows(NullPointerException.class, () -> h.subscribe("a", null)).getMessage());
            assertEquals("from",
                    assertThrows(NullPointerException.class, () -> h.subscribeFrom(null, "a", l)).getMessage());
            assertEquals("tagPattern",
                    assertThrows(NullPointerException.class, () -> h.subscribeFrom(T0, null, l)).getMessage());
            IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
                    () -> Historian.builder().subscriberLagLimit(DataSize.ofKilobytes(512)));
            assertTrue(tooSmall.getMessage().contains("512.0 KiB"), tooSmall.getMessage());
            assertEquals(0, subscriptionThreads());
        }
    }

    static long seed(String name) {
        String fixed = System.getProperty("historian.seed");
        long seed = fixed != null && !fixed.isBlank() ? Long.decode(fixed.trim()) : System.nanoTime();
        System.out.println(name + ": seed=" + seed + " (replay with -Dhistorian.seed=" + seed + ")");
        return seed;
    }
}
