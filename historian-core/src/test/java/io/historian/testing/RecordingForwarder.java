package io.historian.testing;

import io.historian.DataSize;
import io.historian.spi.Forwarder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;

/**
 * A forwarder target in memory for tests: records what it acknowledges; can be taken down (its
 * sends throw), made to refuse samples, or to hang in one send until released.
 */
public class RecordingForwarder implements Forwarder {
    /** One acknowledged sample. */
    public record Got(String tag, long t, double v) {
    }

    private final String name;
    private final String pattern;
    private final DataSize budget;
    private final Duration callTimeout;
    private final List<Got> got = new ArrayList<>();
    private volatile boolean down;
    private volatile Predicate<Got> refuse = g -> false;
    private volatile boolean hangNext;
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile int opens;
    private volatile int sends;

    public RecordingForwarder(String name, String pattern, DataSize budget, Duration callTimeout) {
        this.name = name;
        this.pattern = pattern;
        this.budget = budget;
        this.callTimeout = callTimeout;
    }

    public RecordingForwarder(String name) {
        this(name, "*", DataSize.ofGigabytes(1), Duration.ofMinutes(2));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String tagPattern() {
        return pattern;
    }

    @Override
    public DataSize journalBudget() {
        return budget;
    }

    @Override
    public Duration callTimeout() {
        return callTimeout;
    }

    @Override
    public Duration minRetryBackoff() {
        return Duration.ofMillis(20);
    }

    @Override
    public Duration maxRetryBackoff() {
        return Duration.ofMillis(200);
    }

    @Override
    public Duration maxBatchDelay() {
        return Duration.ofMillis(20);
    }

    @Override
    public Duration replayOverlap() {
        return Duration.ZERO;
    }

    @Override
    public void open() {
        opens++;
        if (down) {
            throw new IllegalStateException("target down");
        }
    }

    @Override
    public void send(Batch batch) throws Exception {
        sends++;
        if (hangNext) {
            hangNext = false;
            // Stuck for good: interruption does not end it, only the test's release does.
            while (true) {
                try {
                    release.await();
                    break;
                } catch (InterruptedException e) {
                    // ignored on purpose
                }
            }
            throw new IllegalStateException("released after hanging");
        }
        if (down) {
            throw new java.io.IOException("target down");
        }
        List<Got> accepted = new ArrayList<>(batch.size());
        Predicate<Got> r = refuse;
        for (int i = 0; i < batch.size(); i++) {
            Got g = new Got(batch.tag(i), batch.timestamp(i), batch.value(i));
            if (r.test(g)) {
                batch.refuse(i, "value out of range [tag=" + g.tag() + ", value=" + g.v() + "]");
            } else {
                accepted.add(g);
            }
        }
        batch.bytesSent(accepted.size() * 20L);
        synchronized (got) {
            got.addAll(accepted);
        }
    }

    @Override
    public void close() {
    }

    public void down(boolean down) {
        this.down = down;
    }

    public void refuse(Predicate<Got> refuse) {
        this.refuse = refuse;
    }

    public void hangNext() {
        hangNext = true;
    }

    /** Ends a hanging send. */
    public void release() {
        release.countDown();
    }

    public int sends() {
        return sends;
    }

    public List<Got> got() {
        synchronized (got) {
            return new ArrayList<>(got);
        }
    }
}
