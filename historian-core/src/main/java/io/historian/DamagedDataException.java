package io.historian;

import java.nio.file.Path;

/**
 * The data directory has lost data, so opening it as it is would silently forget samples: a
 * journal segment that held samples the store has not committed is missing or unreadable, the
 * store is missing while the journal holds history, or a file the store needs is missing.
 *
 * <pre>{@code
 * try {
 *     historian = Historian.builder().dataDirectory(dir).build();
 * } catch (DamagedDataException e) {
 *     // e.file() names what is missing; restore it, or open with Recovery.SALVAGE
 * }
 * }</pre>
 *
 * <p>The message says what is missing and names the file, then the context in brackets. Not
 * retryable: restore the file from a backup, or open with {@link Recovery#SALVAGE} to keep what
 * is left.
 */
public class DamagedDataException extends HistorianException {
    private static final long serialVersionUID = 1L;

    /** The damaged or missing file; a path has no serializable form, hence its string. */
    private final String file;

    /**
     * An exception naming the damaged or missing file.
     *
     * @param message what is missing and what it held, then the context in brackets
     * @param file the damaged or missing file or directory
     * @param cause the underlying failure; may be null
     */
    public DamagedDataException(String message, Path file, Throwable cause) {
        super(message, cause, false);
        this.file = file.toString();
    }

    /** {@return the damaged or missing file or directory} */
    public Path file() {
        return Path.of(file);
    }
}
