package io.historian.internal.journal;

/** A journal entry that cannot be decoded; the message says what is wrong. */
public final class CorruptEntryException extends Exception {
    private static final long serialVersionUID = 1L;

    /** An exception with the given reason. */
    public CorruptEntryException(String message) {
        super(message);
    }
}
