package io.historian.modbus;

import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.spi.SampleSink;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop of one device, on its own platform thread.
 *
 * <p>Ownership: the poll thread alone opens, uses and replaces the connection and writes to
 * the sink; {@link #close} (any thread) only sets the closed latch and closes the current
 * socket, which unblocks a pending read, then joins the thread. Counters are written by the
 * poll thread only; at the end of each poll, connection attempt and outage step the poll thread
 * copies them, under {@link #published}'s monitor, into the figures {@link #stats} reads. So a
 * snapshot is one consistent point between two requests (never responses counted before their
 * requests, nor requests of a poll not yet counted), at most one poll old.
 *
 * <p>Recovery: any connection failure (refused, reset, timeout after the retries, malformed
 * frame) closes the socket, writes Bad_NoCommunication for every point not yet read in this
 * poll, and enters BACKING_OFF for {@code min(max, initial * 2^(n-1))} scaled by a random
 * factor in [0.5, 1] (n = consecutive failures), then reconnects. Exception responses keep
 * the connection: the request's points get the matching Bad quality and the poll goes on.
 * Exactly one socket exists at a time, and the thread is the only thread per device, so
 * reconnects leak neither.
 */
final class DevicePoller implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(DevicePoller.class);

    // counter indexes
    static final int POLLS = 0;
    static final int FAILED_POLLS = 1;
    static final int REQUESTS = 2;
    static final int RESPONSES = 3;
    static final int TIMEOUTS = 4;
    static final int CONNECTS = 5;
    static final int CONNECT_FAILURES = 6;
    static final int CONNECTION_ERRORS = 7;
    static final int STALE = 8;
    static final int WRITTEN = 9;
    static final int BAD = 10;
    static final int REFUSED = 11;
    static final int LAST_LATENCY = 12;
    static final int MAX_LATENCY = 13;
    static final int TOTAL_LATENCY = 14;
    static final int LAST_GOOD_POLL = 15;
    static final int DOWN_SINCE = 16;
    private static final int COUNTERS = 17;

    /** While a device stays unreachable, how often its outage is logged again. */
    static final long LOG_EVERY_MILLIS = 60_000;

    private final DeviceConfig config;
    private final SampleSink sink;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicLongArray counters = new AtomicLongArray(COUNTERS);
    private final AtomicLongArray exceptions = new AtomicLongArray(256);
    /** What {@link #stats} reads: a copy of the counters taken by the poll thread between two requests. */
    private final long[] published = new long[COUNTERS];
    private final long[] publishedExceptions = new long[256];
    private DeviceState publishedState = DeviceState.NEW;
    private final SampleBatch batch;
    private volatile DeviceState state = DeviceState.NEW;
    private volatile ModbusConnection connection;
    private Thread thread;
    // Outage logging, on the poll thread only: one line when the device goes down, at most one per
    // LOG_EVERY_MILLIS while it stays down, one when it is back (with the outage's length).
    private boolean everPolled;
    private long downSinceMillis = -1;
    private long lastDownLogMillis;
    private long failuresWhileDown;

    DevicePoller(DeviceConfig config, SampleSink sink) {
        this.config = config;
        this.sink = sink;
        this.batch = new SampleBatch(Math.max(16, config.points().size()));
    }

    synchronized void start() {
        thread = new Thread(this, "historian-modbus-" + config.name());
        thread.setDaemon(true);
        thread.start();
    }

    DeviceState state() {
        return state;
    }

    private boolean isClosed() {
        return closed.getCount() == 0;
    }

    /** Waits up to {@code d}; true if the device was closed meanwhile. */
    private boolean pause(long nanos) {
        if (nanos <= 0) {
            return isClosed();
        }
        try {
            return closed.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void transition(DeviceState next, Throwable cause) {
        DeviceState previous = state;
        if (previous == next || previous == DeviceState.CLOSED) {
            return;
        }
        state = next;
        publish();
        // Every transition at DEBUG; an operator's log gets the outage lines of failed() and polled().
        LOG.debug("modbus device {} -> {} [host={}:{}, cause={}]", config.name(), next, config.host(), config.port(),
                cause == null ? "-" : cause.getMessage());
    }

    /** A connect or a poll failed: logs the start of an outage, then at most once per interval. */
    private void failed(Throwable cause) {
        long now = config.clock().millis();
        String why = cause == null ? "-" : cause.getMessage();
        failuresWhileDown++;
        if (downSinceMillis < 0) {
            downSinceMillis = now;
            counters.set(DOWN_SINCE, now);
            lastDownLogMillis = now;
            LOG.warn("modbus device {} is unreachable [host={}:{}, cause={}]", config.name(), config.host(),
                    config.port(), why);
        } else if (now - lastDownLogMillis >= LOG_EVERY_MILLIS) {
            lastDownLogMillis = now;
            LOG.warn("modbus device {} still unreachable after {} [host={}:{}, failures={}, cause={}]", config.name(),
                    Duration.ofMillis(now - downSinceMillis), config.host(), config.port(), failuresWhileDown, why);
        }
    }

    /** A poll succeeded: logs the first one, and the end of an outage with its length. */
    private void polled() {
        if (downSinceMillis >= 0) {
            LOG.info("modbus device {} is back after {} unreachable [host={}:{}, failures={}]", config.name(),
                    Duration.ofMillis(config.clock().millis() - downSinceMillis), config.host(), config.port(),
                    failuresWhileDown);
            downSinceMillis = -1;
            counters.set(DOWN_SINCE, 0);
            failuresWhileDown = 0;
        } else if (!everPolled) {
            LOG.info("modbus device {} polling [host={}:{}]", config.name(), config.host(), config.port());
        }
        everPolled = true;
    }

    @Override
    public void run() {
        int failures = 0;
        long nextPoll = System.nanoTime();
        long interval = config.pollInterval().toNanos();
        try {
            while (!isClosed()) {
                if (connection == null) {
                    transition(DeviceState.CONNECTING, null);
                    try {
                        ModbusConnection c = ModbusConnection.open(config.host(), config.port(), config.rtu(),
                                config.tcpFraming(), (int) Math.max(1, config.timeout().toMillis()), config.name());
                        connection = c;
                        if (isClosed()) {
                            c.close();
                            break;
                        }
                        counters.incrementAndGet(CONNECTS);
                        if (pause(config.pauseAfterConnect().toNanos())) {
                            break;
                        }
                        transition(DeviceState.POLLING, null);
                    } catch (IOException e) {
                        counters.incrementAndGet(CONNECT_FAILURES);
                        counters.incrementAndGet(FAILED_POLLS);
                        writeBad(config.requests(), 0, Quality.BAD_NO_COMMUNICATION);
                        flush();
                        failures++;
                        if (backOff(failures, e)) {
                            break;
                        }
                        continue;
                    }
                }
                if (pause(nextPoll - System.nanoTime())) {
                    break;
                }
                IOException failure = pollOnce();
                flush();
                if (failure == null) {
                    failures = 0;
                    counters.incrementAndGet(POLLS);
                    counters.set(LAST_GOOD_POLL, config.clock().millis());
                    polled();
                    publish();
                    long now = System.nanoTime();
                    nextPoll += interval;
                    if (nextPoll - now < 0) {
                        // skip missed slots rather than polling back to back
                        nextPoll = now + interval - Math.floorMod(now - nextPoll, interval);
                    }
                } else {
                    if (isClosed()) {
                        break; // close() cut the socket mid-poll: not a device failure
                    }
                    counters.incrementAndGet(FAILED_POLLS);
                    dropConnection();
                    failures++;
                    if (backOff(failures, failure)) {
                        break;
                    }
                    nextPoll = System.nanoTime();
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("modbus poll thread of {} failed; the device is no longer polled", config.name(), e);
            throw e;
        } finally {
            dropConnection();
            state = DeviceState.CLOSED;
            publish();
            LOG.debug("modbus device {} -> CLOSED", config.name());
        }
    }

    /** Backs off; true if closed meanwhile. */
    private boolean backOff(int failures, Throwable cause) {
        transition(DeviceState.BACKING_OFF, cause);
        failed(cause);
        publish();
        long initial = config.backoffInitial().toNanos();
        long max = config.backoffMax().toNanos();
        long delay = failures >= 62 ? max : Math.min(max, initial << Math.min(failures - 1, 40));
        if (delay < 0) {
            delay = max;
        }
        delay = (long) (delay * (0.5 + 0.5 * ThreadLocalRandom.current().nextDouble()));
        return pause(delay);
    }

    private void dropConnection() {
        ModbusConnection c = connection;
        connection = null;
        if (c != null) {
            c.close();
        }
    }

    /** One poll; null on success, else the connection failure that ended it. */
    private IOException pollOnce() {
        List<ReadRequest> requests = config.requests();
        for (int i = 0; i < requests.size(); i++) {
            if (i > 0 && pause(config.pauseBetweenRequests().toNanos())) {
                return null;
            }
            ReadRequest r = requests.get(i);
            String context = "device=" + config.name() + ", " + r.describe();
            int attempt = 0;
            while (true) {
                ModbusConnection c = connection;
                if (c == null) {
                    return new IOException("closed [" + context + "]");
                }
                long start = System.nanoTime();
                long staleBefore = c.staleResponses();
                counters.incrementAndGet(REQUESTS);
                try {
                    byte[] data = c.read(r.unitId(), r.table(), r.address(), r.count(),
                            start + config.timeout().toNanos(), context);
                    long latency = System.nanoTime() - start;
                    counters.addAndGet(STALE, c.staleResponses() - staleBefore);
                    counters.incrementAndGet(RESPONSES);
                    counters.set(LAST_LATENCY, latency);
                    counters.accumulateAndGet(MAX_LATENCY, latency, Math::max);
                    counters.addAndGet(TOTAL_LATENCY, latency);
                    long ts = config.clock().millis();
                    // An index loop: the list's iterator is not always optimised away, and it would be
                    // one allocation per request on the poll path.
                    List<Point> points = r.points();
                    for (int k = 0; k < points.size(); k++) {
                        Point p = points.get(k);
                        double value = Decoder.decode(p, data, 0, r.address());
                        batch.add(p.tag(), ts, value, Decoder.quality(value));
                    }
                    break;
                } catch (ExceptionResponse e) {
                    counters.incrementAndGet(RESPONSES);
                    exceptions.incrementAndGet(e.code);
                    writeBad(List.of(r), 0, ExceptionResponse.quality(e.code));
                    break;
                } catch (SocketTimeoutException e) {
                    counters.incrementAndGet(TIMEOUTS);
                    counters.addAndGet(STALE, c.staleResponses() - staleBefore);
                    // A TCP connection survives a timeout: a late answer is discarded by its
                    // transaction id. An RTU one does not: nothing tells a late answer apart.
                    if (attempt < config.retries() && !c.isRtu() && !isClosed()) {
                        attempt++;
                        continue;
                    }
                    writeBad(requests, i, Quality.BAD_NO_COMMUNICATION);
                    return e;
                } catch (IOException e) {
                    if (!isClosed()) {
                        counters.incrementAndGet(CONNECTION_ERRORS);
                    }
                    writeBad(requests, i, Quality.BAD_NO_COMMUNICATION);
                    return e;
                }
            }
        }
        return null;
    }

    private void writeBad(List<ReadRequest> requests, int from, Quality quality) {
        if (isClosed()) {
            return;
        }
        long ts = config.clock().millis();
        for (int i = from; i < requests.size(); i++) {
            for (Point p : requests.get(i).points()) {
                batch.add(p.tag(), ts, Double.NaN, quality);
            }
        }
    }

    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        int bad = 0;
        for (int i = 0; i < batch.size(); i++) {
            if (Quality.severity(batch.qualityCode(i)) >= 2) {
                bad++;
            }
        }
        try {
            sink.write(batch);
            counters.addAndGet(WRITTEN, batch.size());
            counters.addAndGet(BAD, bad);
        } catch (RuntimeException e) {
            counters.addAndGet(REFUSED, batch.size());
            LOG.warn("sink refused {} samples [device={}]: {}", batch.size(), config.name(), e.toString());
        } finally {
            batch.clear();
        }
    }

    /** Closes the connection, stops the thread and waits for it. Idempotent. */
    void close() {
        closed.countDown();
        ModbusConnection c = connection;
        if (c != null) {
            c.close();
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null || t == Thread.currentThread()) {
            state = DeviceState.CLOSED;
            return;
        }
        try {
            t.join(config.timeout().toMillis() + 5_000);
            if (t.isAlive()) {
                t.interrupt();
                t.join(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.warn("modbus poll thread of {} did not stop within the timeout", config.name());
        }
    }

    /** Copies the counters for {@link #stats}; the poll thread calls it between two requests. */
    private void publish() {
        synchronized (published) {
            for (int i = 0; i < COUNTERS; i++) {
                published[i] = counters.get(i);
            }
            for (int i = 0; i < 256; i++) {
                publishedExceptions[i] = exceptions.get(i);
            }
            publishedState = state;
        }
    }

    /** The counters as of the last poll, connection attempt or outage step; one consistent point. */
    DeviceStats stats() {
        long[] c;
        Map<Integer, Long> byCode = new HashMap<>();
        DeviceState at;
        synchronized (published) {
            c = published.clone();
            for (int i = 0; i < 256; i++) {
                if (publishedExceptions[i] > 0) {
                    byCode.put(i, publishedExceptions[i]);
                }
            }
            at = publishedState;
        }
        long connects = c[CONNECTS];
        long responses = c[RESPONSES];
        long ok = Math.max(1, responses - byCode.values().stream().mapToLong(Long::longValue).sum());
        return new DeviceStats(config.name(), at, c[POLLS], c[FAILED_POLLS], c[REQUESTS], responses, c[TIMEOUTS],
                byCode, connects, Math.max(0, connects - 1), c[CONNECT_FAILURES], c[CONNECTION_ERRORS], c[STALE],
                c[WRITTEN], c[BAD], c[REFUSED], Duration.ofNanos(c[LAST_LATENCY]), Duration.ofNanos(c[MAX_LATENCY]),
                Duration.ofNanos(c[TOTAL_LATENCY] / ok), c[LAST_GOOD_POLL] == 0 ? null
                        : java.time.Instant.ofEpochMilli(c[LAST_GOOD_POLL]),
                c[DOWN_SINCE] == 0 ? null : java.time.Instant.ofEpochMilli(c[DOWN_SINCE]));
    }

    /** {@return when the current outage began, or null while the device answers} Read live, not from the snapshot. */
    java.time.Instant unreachableSince() {
        long since = counters.get(DOWN_SINCE);
        return since == 0 ? null : java.time.Instant.ofEpochMilli(since);
    }
}
