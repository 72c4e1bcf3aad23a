package io.historian;

/**
 * The journal's file system has less free space than the {@linkplain Historian.Builder#diskReserve
 * disk reserve}, and the write was not accepted: at once under {@link OverflowPolicy#REJECT}, or
 * after the blocking timeout under {@link OverflowPolicy#BLOCK}. Nothing of the refused call was
 * journaled and everything accepted before is kept; retry once space is freed. The historian
 * accepts writes again by itself, without a restart.
 */
public class DiskFullException extends JournalFullException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with the given message; retryable.
     *
     * @param message what happened, with the directory, the free space and the reserve
     */
    public DiskFullException(String message) {
        super(message);
    }
}
