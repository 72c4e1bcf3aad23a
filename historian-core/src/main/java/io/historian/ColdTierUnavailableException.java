package io.historian;

/**
 * The cold tier could not be reached (network, timeout, a server error), so a query that needs
 * tiered data, or a tiering run, could not complete. Retryable: the same call may succeed once the
 * tier is back. A query may ask for what is reachable instead with
 * {@link io.historian.query.RawQuery#allowPartial()}.
 */
public class ColdTierUnavailableException extends HistorianException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception naming what failed and where, with its cause.
     *
     * @param message what failed, then the context (tier, object key) in brackets
     * @param cause the tier's own error, such as an {@link java.io.IOException}
     */
    public ColdTierUnavailableException(String message, Throwable cause) {
        super(message, cause, true);
    }
}
