package io.historian;

/**
 * The journal reached its disk budget and the write was not accepted: at once under
 * {@link OverflowPolicy#REJECT}, or after the blocking timeout under {@link OverflowPolicy#BLOCK}.
 * Nothing of the rejected call was journaled; it may be retried once the store catches up.
 */
public class JournalFullException extends HistorianException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with the given message; retryable.
     *
     * @param message what happened, with the journal's directory, use and budget
     */
    public JournalFullException(String message) {
        super(message, null, true);
    }
}
