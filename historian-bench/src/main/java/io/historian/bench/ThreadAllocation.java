package io.historian.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Locale;

/**
 * Bytes allocated by the calling thread and by the historian's store writer thread, so an ingest
 * benchmark can say which side of the journal allocates: JMH's {@code gc.alloc.rate.norm} counts
 * every thread of the JVM together.
 *
 * <pre>{@code
 * ThreadAllocation alloc = ThreadAllocation.start();   // on the writer thread
 * ... write n samples ...
 * System.out.println(alloc.report(n));                 // on the same thread
 * }</pre>
 *
 * <p>Uses HotSpot's {@code com.sun.management.ThreadMXBean}; on a JVM without it the report says
 * so. <b>Thread safety:</b> one instance per writer thread; {@link #report} must run on the thread
 * that called {@link #start}.
 */
final class ThreadAllocation {
    private static final String STORE_WRITER = "historian-store-writer";
    private static final com.sun.management.ThreadMXBean THREADS = threads();

    private final long callerId;
    private final long callerStart;
    private final long storeWriterId;
    private final long storeWriterStart;

    private ThreadAllocation(long callerId, long callerStart, long storeWriterId, long storeWriterStart) {
        this.callerId = callerId;
        this.callerStart = callerStart;
        this.storeWriterId = storeWriterId;
        this.storeWriterStart = storeWriterStart;
    }

    static ThreadAllocation start() {
        if (THREADS == null) {
            return new ThreadAllocation(-1, 0, -1, 0);
        }
        long caller = Thread.currentThread().getId();
        long storeWriter = storeWriterId();
        return new ThreadAllocation(caller, THREADS.getThreadAllocatedBytes(caller), storeWriter,
                storeWriter < 0 ? 0 : THREADS.getThreadAllocatedBytes(storeWriter));
    }

    /** One line: bytes per sample on this thread and on the store writer since {@link #start}. */
    String report(long samples) {
        if (THREADS == null || samples <= 0) {
            return "[alloc] not measured";
        }
        double caller = (THREADS.getThreadAllocatedBytes(callerId) - callerStart) / (double) samples;
        String store = storeWriterId < 0 ? "n/a"
                : String.format(Locale.ROOT, "%.2f", (THREADS.getThreadAllocatedBytes(storeWriterId) - storeWriterStart)
                        / (double) samples);
        return String.format(Locale.ROOT, "[alloc] %s: %.2f B/sample on the writer thread, %s B/sample on the store writer",
                Thread.currentThread().getName(), caller, store);
    }

    private static long storeWriterId() {
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null && STORE_WRITER.equals(info.getThreadName())) {
                return info.getThreadId();
            }
        }
        return -1;
    }

    private static com.sun.management.ThreadMXBean threads() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported()) {
            t.setThreadAllocatedMemoryEnabled(true);
            return t;
        }
        return null;
    }
}
