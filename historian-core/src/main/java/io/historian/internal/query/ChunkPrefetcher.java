package io.historian.internal.query;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Decodes the chunks of a forward walk on a thread of its own, a few chunks ahead of the reader,
 * so that a long scan (a chart of millions of samples) decodes on one core while it computes on
 * the other. Only for readers that take every chunk in full: header skipping needs the walk
 * itself.
 *
 * <p><b>Ownership.</b> From construction until {@link #close()} returns, the walk belongs to the
 * prefetch thread; the reader sees only the decoded copies ({@link Decoded}), one at a time: the
 * one {@link #next()} returned stays valid until the following call. Errors of the walk (a
 * corrupt chunk, the historian closed underneath) reach the reader from {@link #next()}.
 *
 * <p><b>Memory:</b> {@value #BUFFERS} decoded chunks.
 */
final class ChunkPrefetcher implements AutoCloseable {
    /** Scans shorter than this decode on the reader's thread: a thread costs more than it saves. */
    static final long MIN_SAMPLES = 1_000_000;
    /** {@link #MIN_SAMPLES}, lowered or raised by tests that compare both paths. */
    static volatile long minSamples = MIN_SAMPLES;

    /**
     * Whether a scan of {@code samples} samples should prefetch: only when the process may run on
     * more than one core (its CPU affinity counts), since on one core the prefetch thread only
     * adds a hand-off and a context switch per chunk to the same decoding work.
     */
    static boolean worthIt(long samples) {
        return samples >= minSamples && Runtime.getRuntime().availableProcessors() > 1;
    }
    private static final int BUFFERS = 4;
    private static final Object END = new Object();

    /** One decoded chunk. */
    static final class Decoded {
        long[] t = new long[0];
        double[] v = new double[0];
        int[] q = new int[0];
        int count;

        void ensureCapacity(int n) {
            if (t.length < n) {
                t = new long[n];
                v = new double[n];
                q = new int[n];
            }
        }
    }

    private final ChunkWalk walk;
    private final long to;
    private final ArrayBlockingQueue<Object> full = new ArrayBlockingQueue<>(BUFFERS);
    private final ArrayBlockingQueue<Decoded> free = new ArrayBlockingQueue<>(BUFFERS);
    private final Thread thread;
    private volatile boolean stopped;
    private Decoded current;
    private boolean ended;

    ChunkPrefetcher(ChunkWalk walk, long to, String tag) {
        this.walk = walk;
        this.to = to;
        for (int i = 0; i < BUFFERS - 1; i++) {
            free.add(new Decoded());
        }
        this.thread = new Thread(this::run, "historian-query-prefetch [" + tag + "]");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!stopped && walk.nextHeader(to)) {
                Decoded d = free.take();
                d.ensureCapacity(walk.headerCount());
                d.count = walk.loadInto(d.t, d.v, d.q);
                full.put(d);
            }
            full.put(END);
        } catch (InterruptedException e) {
            // close() stops us; the reader is gone.
        } catch (RuntimeException | Error e) {
            // Room is guaranteed: at most BUFFERS - 1 chunks are ever in flight.
            full.offer(e);
        }
    }

    /** The next decoded chunk, or null at the end of the walk. */
    Decoded next() {
        if (ended) {
            return null;
        }
        if (current != null) {
            free.add(current);
            current = null;
        }
        Object o;
        try {
            o = full.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading chunks", e);
        }
        if (o == END) {
            ended = true;
            return null;
        }
        if (o instanceof RuntimeException e) {
            ended = true;
            throw e;
        }
        if (o instanceof Error e) {
            ended = true;
            throw e;
        }
        current = (Decoded) o;
        return current;
    }

    /** Stops the thread and waits for it, after which the walk is the caller's again. */
    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("chunk prefetch thread did not stop: " + thread.getName());
        }
    }
}
