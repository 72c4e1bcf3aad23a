package io.historian;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.internal.engine.Internals;
import io.historian.testing.RecordingForwarder;
import io.historian.testing.RecordingForwarder.Got;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forwarders: order, outages, dead letters, restarts, the journal budget, hangs, replay. */
class ForwarderTest {
    static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    Historian.Builder builder() {
        return Historian.builder().dataDirectory(dir).jmx(false);
    }

    /** Writes {@code seconds} seconds of {@code tags} tags from {@code fromSecond} on, one batch per second. */
    static Set<Got> write(Historian h, int tags, int fromSecond, int seconds) {
        Set<Got> written = new HashSet<>();
        for (int s = fromSecond; s < fromSecond + seconds; s++) {
            SampleBatch b = new SampleBatch();
            for (int t = 0; t < tags; t++) {
                long ts = T0 + s * 1000L;
                double v = s * 0.01 + t;
                b.add("tag" + t, Instant.ofEpochMilli(ts), v);
                written.add(new Got("tag" + t, ts, v));
            }
            h.write(b);
        }
        return written;
    }

    @Test
    void forward_everySampleWritten_arrivesOnceInOrderPerTag() {
        RecordingForwarder target = new RecordingForwarder("rec");
        try (Historian h = builder().forwarder(target).build()) {
            Set<Got> written = write(h, 10, 0, 2_000);
            await().atMost(WAIT).until(() -> target.got().size() >= written.size());
            List<Got> got = target.got();
            assertEquals(written.size(), got.size(), "nothing is sent twice without a failure");
            assertEquals(written, new HashSet<>(got));
            assertInOrderPerTag(got);
            await().atMost(WAIT).until(() -> h.forwarder("rec").status().lagSamples() == 0);
            ForwarderStatus s = h.forwarder("rec").status();
            assertEquals(written.size(), s.sentSamples());
            assertEquals(written.size() * 20L, s.sentBytes());
            assertEquals(ForwarderStatus.State.FORWARDING, s.state());
        }
    }

    @Test
    void forward_onlyTheMatchingTags() {
        RecordingForwarder target = new RecordingForwarder("rec", "tag1*", DataSize.ofGigabytes(1),
                Duration.ofMinutes(2));
        try (Historian h = builder().forwarder(target).build()) {
            Set<Got> written = write(h, 12, 0, 100);
            written.removeIf(g -> !g.tag().startsWith("tag1"));
            await().atMost(WAIT).until(() -> new HashSet<>(target.got()).equals(written));
        }
    }

    @Test
    void targetDown_retriesWithBackoffUntilItIsBack_nothingLost() {
        RecordingForwarder target = new RecordingForwarder("rec");
        target.down(true);
        try (Historian h = builder().forwarder(target).build()) {
            Set<Got> written = write(h, 5, 0, 500);
            await().atMost(WAIT).until(() -> h.forwarder("rec").status().retriedSamples() > 0);
            ForwarderStatus during = h.forwarder("rec").status();
            assertTrue(during.lagSamples() > 0, during.toString());
            assertTrue(during.lastError().contains("target down"), during.toString());
            written.addAll(write(h, 5, 500, 500));
            target.down(false);
            await().atMost(WAIT).until(() -> new HashSet<>(target.got()).equals(written));
            assertInOrderPerTag(target.got());
        }
    }

    @Test
    void refusedSamples_becomeDurableDeadLettersWithTheirReason_theRestFlow() {
        RecordingForwarder target = new RecordingForwarder("rec");
        target.refuse(g -> g.tag().equals("tag3") && ((long) (g.v() * 100)) % 100 == 7);
        Set<Got> written;
        try (Historian h = builder().forwarder(target).build()) {
            written = write(h, 5, 0, 1_000);
            await().atMost(WAIT).until(() -> h.forwarder("rec").status().lagSamples() == 0
                    && h.forwarder("rec").status().deadLetters() == 10);
            ForwarderStatus s = h.forwarder("rec").status();
            assertEquals(10, s.deadLetteredSamples());
            assertEquals(written.size() - 10, s.sentSamples());
            assertEquals(written.size() - 10, target.got().size());
        }
        // Durable: the letters are back after a reopen; a retry sends them once the target takes them.
        RecordingForwarder again = new RecordingForwarder("rec");
        try (Historian h = builder().forwarder(again).build()) {
            List<DeadLetter> letters = h.forwarder("rec").readDeadLetters();
            assertEquals(10, letters.size());
            for (DeadLetter d : letters) {
                assertEquals("tag3", d.tag());
                assertTrue(d.reason().startsWith("value out of range [tag=tag3"), d.reason());
                assertTrue(written.contains(new Got(d.tag(), d.timestamp().toEpochMilli(), d.value())));
            }
            h.forwarder("rec").retryDeadLetters();
            await().atMost(WAIT).until(() -> h.forwarder("rec").readDeadLetters().isEmpty());
            assertEquals(10, again.got().size());
            assertEquals(0, h.forwarder("rec").purgeDeadLetters());
        }
    }

    @Test
    void deadLetters_areBoundedAndPurged() {
        RecordingForwarder target = new RecordingForwarder("rec") {
            @Override
            public int deadLetterCapacity() {
                return 50;
            }
        };
        target.refuse(g -> true);
        try (Historian h = builder().forwarder(target).build()) {
            write(h, 2, 0, 100);
            await().atMost(WAIT).until(() -> h.forwarder("rec").status().deadLetteredSamples() == 200);
            ForwarderStatus s = h.forwarder("rec").status();
            assertEquals(50, s.deadLetters());
            assertEquals(150, s.deadLettersDropped());
            List<DeadLetter> kept = h.forwarder("rec").readDeadLetters();
            assertEquals(T0 + 75_000, kept.get(0).timestamp().toEpochMilli(), "the oldest go first");
            assertEquals(50, h.forwarder("rec").purgeDeadLetters());
            assertTrue(h.forwarder("rec").readDeadLetters().isEmpty());
        }
    }

    @Test
    void reopen_resumesAfterTheLastAcknowledgedSample_nothingSentTwice() {
        RecordingForwarder first = new RecordingForwarder("rec");
        first.refuse(g -> false);
        Set<Got> before;
        Set<Got> unsent;
        try (Historian h = builder().forwarder(first).build()) {
            before = write(h, 4, 0, 300);
            await().atMost(WAIT).until(() -> first.got().size() == before.size());
            first.down(true);
            unsent = write(h, 4, 300, 300);
            await().atMost(WAIT).until(() -> h.forwarder("rec").status().retriedSamples() > 0);
        }
        RecordingForwarder second = new RecordingForwarder("rec");
        try (Historian h = builder().forwarder(second).build()) {
            Set<Got> after = write(h, 4, 600, 300);
            Set<Got> expected = new HashSet<>(unsent);
            expected.addAll(after);
            await().atMost(WAIT).until(() -> new HashSet<>(second.got()).equals(expected));
            assertEquals(expected.size(), second.got().size(), "nothing acknowledged is sent again");
            assertInOrderPerTag(second.got());
        }
    }

    @Test
    void reopenAfterRunningWithoutTheForwarder_readsTheStoreFromItsWatermark_nothingMissing() {
        RecordingForwarder first = new RecordingForwarder("rec");
        Set<Got> before;
        try (Historian h = builder().forwarder(first).build()) {
            before = write(h, 4, 0, 300);
            await().atMost(WAIT).until(() -> first.got().size() == before.size());
        }
        Set<Got> during;
        try (Historian h = builder().build()) {
            // Nothing holds the journal for the forwarder now: the store writer releases it all.
            during = write(h, 4, 300, 300);
        }
        RecordingForwarder second = new RecordingForwarder("rec");
        try (Historian h = builder().forwarder(second).build()) {
            Set<Got> after = write(h, 4, 600, 300);
            Set<Got> expected = new HashSet<>(during);
            expected.addAll(after);
            await().atMost(WAIT).until(() -> new HashSet<>(second.got()).containsAll(expected));
            for (Got g : second.got()) {
                // The replay starts at the last timestamp acknowledged (the test's overlap is zero).
                assertTrue(expected.contains(g) || g.t() == T0 + 299_000, "sent again: " + g);
            }
            assertInOrderPerTag(second.got());
        }
    }

    @Test
    void targetDownBeyondItsJournalBudget_releasesTheJournal_thenReadsTheStore_nothingMissing() {
        RecordingForwarder target = new RecordingForwarder("rec", "*", DataSize.ofMegabytes(1), Duration.ofMinutes(2));
        target.down(true);
        try (Historian h = builder().journalBudget(DataSize.ofMegabytes(16)).forwarder(target).build()) {
            Set<Got> written = write(h, 100, 0, 3_000);
            // The forwarder's pin was overrun: it holds no journal segment while the target is down.
            await().atMost(WAIT).until(() -> Internals.journal(h).pinCount() == 0);
            written.addAll(write(h, 100, 3_000, 3_000));
            target.down(false);
            await().atMost(WAIT).until(() -> new HashSet<>(target.got()).containsAll(written));
            assertInOrderPerTag(target.got());
            await().atMost(WAIT).until(() -> Internals.journal(h).pinCount() == 1);
        }
    }

    /** Each tag's samples come in time order, counting each sample at its first arrival (a store replay sends again). */
    static void assertInOrderPerTag(List<Got> got) {
        Map<String, Long> last = new HashMap<>();
        Set<Got> seen = new HashSet<>();
        for (Got g : got) {
            if (!seen.add(g)) {
                continue;
            }
            Long before = last.put(g.tag(), g.t());
            assertTrue(before == null || before < g.t(), "out of order for " + g.tag() + ": " + before + " then " + g.t());
        }
    }

    @Test
    void hangingForwarder_isAbandonedAndRestarted_whileWritesAndOtherForwardersGoOn() {
        RecordingForwarder hanging = new RecordingForwarder("hanging", "*", DataSize.ofGigabytes(1),
                Duration.ofMillis(500));
        RecordingForwarder healthy = new RecordingForwarder("healthy");
        hanging.hangNext();
        try (Historian h = builder().forwarder(hanging).forwarder(healthy).build()) {
            Set<Got> written = write(h, 5, 0, 1_000);
            await().atMost(WAIT).until(() -> new HashSet<>(healthy.got()).equals(written));
            await().atMost(WAIT).until(() -> new HashSet<>(hanging.got()).equals(written));
            assertTrue(h.forwarder("hanging").status().restarts() >= 1);
            assertEquals(0, h.forwarder("healthy").status().restarts());
        } finally {
            hanging.release();
        }
    }

    @Test
    void replayFrom_sendsTheStoredSamplesAgain_thenGoesOnLive() {
        RecordingForwarder target = new RecordingForwarder("rec");
        try (Historian h = builder().forwarder(target).build()) {
            Set<Got> written = write(h, 3, 0, 200);
            await().atMost(WAIT).until(() -> target.got().size() == written.size());
            h.forwarder("rec").replayFrom(Instant.ofEpochMilli(T0 + 100_000));
            await().atMost(WAIT).until(() -> target.got().size(), n -> n == written.size() + 300);
            Set<Got> after = write(h, 3, 200, 10);
            await().atMost(WAIT).until(() -> target.got().size() == written.size() + 300 + after.size());
            List<Got> got = target.got();
            assertEquals(after, new HashSet<>(got.subList(got.size() - after.size(), got.size())));
            h.forwarder("rec").replayFromEarliest();
            await().atMost(WAIT).until(() -> target.got().size() == (written.size() + after.size()) * 2 + 300);
        }
    }

    @Test
    void forwarder_unknownNameOrBadConfiguration_failsClearly() {
        assertThrows(IllegalArgumentException.class, () -> builder().forwarder(new RecordingForwarder("a/b")));
        assertThrows(IllegalArgumentException.class, () -> builder().forwarder(new RecordingForwarder("x"))
                .forwarder(new RecordingForwarder("x")));
        try (Historian h = builder().build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> h.forwarder("none"));
            assertTrue(e.getMessage().contains("none"));
        }
    }
}
