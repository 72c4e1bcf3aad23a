package io.historian.testing;

import org.junit.jupiter.api.function.Executable;

/** Runs test code on a thread with a small stack, as an application's pool threads may have. */
public final class SmallStack {
    /** A stack size some thread pools and containers use. */
    public static final long BYTES = 256 * 1024;

    private SmallStack() {
    }

    /** Runs {@code body} on a new thread with a {@link #BYTES} stack; rethrows what it throws. */
    public static void run(Executable body) throws InterruptedException {
        Throwable[] failure = new Throwable[1];
        Thread small = new Thread(null, () -> {
            try {
                body.execute();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "small-stack", BYTES);
        small.start();
        small.join();
        if (failure[0] != null) {
            throw new AssertionError("failed on a " + BYTES / 1024 + " KiB stack", failure[0]);
        }
    }
}
