package io.historian;

/**
 * The root of every exception this library throws, apart from {@link NullPointerException},
 * {@link IllegalArgumentException} and {@link IllegalStateException} for programming errors.
 *
 * <p>Messages state what happened, then the context in brackets:
 * {@code journal full [dir=plant-data/journal, used=2.0 GiB, budget=2.0 GiB, policy=REJECT]}.
 * {@link #isRetryable()} tells whether the same call may succeed later.
 */
public class HistorianException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Whether the same call may succeed later. */
    private final boolean retryable;

    /**
     * An exception that is not retryable.
     *
     * @param message what happened, then the context in brackets
     */
    public HistorianException(String message) {
        this(message, null, false);
    }

    /**
     * An exception that is not retryable, with its cause.
     *
     * @param message what happened, then the context in brackets
     * @param cause the underlying failure; may be null
     */
    public HistorianException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * An exception with its cause, retryable or not.
     *
     * @param message what happened, then the context in brackets
     * @param cause the underlying failure; may be null
     * @param retryable true when the same call may succeed later
     */
    public HistorianException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** {@return true when the same call may succeed later (a full journal, say), false when it never will} */
    public boolean isRetryable() {
        return retryable;
    }
}
