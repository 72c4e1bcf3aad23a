package io.historian.internal.engine;

import io.historian.HistorianException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Whether the historian takes calls: open, closed, or failed. It is failed when the store writer
 * stopped on an error: nothing more reaches the store, so writes, reads and {@code stats()} all
 * say so, with the cause, instead of letting writes pile up in the journal unseen. Every accepted
 * sample is still in the journal, and the next open replays it.
 *
 * <p><b>Threads:</b> any; the fields are volatile.
 */
final class Status {
    private final Path dataDirectory;
    private final Supplier<Throwable> failure;
    private volatile boolean closed;

    Status(Path dataDirectory, Supplier<Throwable> failure) {
        this.dataDirectory = dataDirectory;
        this.failure = failure;
    }

    /** Throws if the historian is closed or failed. */
    void check() {
        checkNotClosed();
        Throwable cause = failure.get();
        if (cause != null) {
            throw failed(cause);
        }
    }

    /** Throws if the historian is closed. */
    void checkNotClosed() {
        if (closed) {
            throw new IllegalStateException("historian is closed [dir=" + dataDirectory + "]");
        }
    }

    boolean closed() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }

    /** The error that stopped the store writer, or null. */
    Throwable failure() {
        return failure.get();
    }

    HistorianException failed(Throwable cause) {
        return new HistorianException("the historian has failed: the store writer stopped on an error, so nothing more"
                + " reaches the store; every accepted sample is in the journal and the next open replays it [dir="
                + dataDirectory + "]: " + cause, cause);
    }
}
