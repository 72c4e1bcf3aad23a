package io.historian;

/**
 * A write was refused because of one of its samples. Nothing of the call was journaled: a batch
 * is accepted whole or not at all, and samples accepted by earlier calls are untouched.
 *
 * <pre>{@code
 * try {
 *     historian.write(batch);
 * } catch (SampleRejectedException e) {
 *     log.warn("sample {} of the batch refused: {}", e.index(), e.reason());
 * }
 * }</pre>
 */
public class SampleRejectedException extends HistorianException {
    private static final long serialVersionUID = 1L;

    /** The tag of the refused sample, as written. */
    private final String tag;
    /** Why the sample was refused. */
    private final RejectReason reason;
    /** The refused sample's position in its batch. */
    private final int index;

    /**
     * An exception naming the tag, the reason and the position in the batch.
     *
     * @param tag the tag of the refused sample, as written
     * @param reason why it was refused
     * @param index its position in the batch; 0 for a single-sample write
     * @param detail what was wrong, for the message, such as the accepted timestamp window
     */
    public SampleRejectedException(String tag, RejectReason reason, int index, String detail) {
        super("sample rejected: " + detail + " [tag=" + tag + ", reason=" + reason + ", index=" + index + "]");
        this.tag = tag;
        this.reason = reason;
        this.index = index;
    }

    /** {@return the tag of the refused sample, as written (may be an invalid name)} */
    public String tag() {
        return tag;
    }

    /** {@return why the sample was refused} */
    public RejectReason reason() {
        return reason;
    }

    /** {@return the refused sample's position in its batch; 0 for a single-sample write} */
    public int index() {
        return index;
    }
}
