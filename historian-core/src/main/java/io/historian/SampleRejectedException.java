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

    private final String tag;
    private final RejectReason reason;
    private final int index;

    /** An exception naming the tag, the reason and the position in the batch (0 for a single write). */
    public SampleRejectedException(String tag, RejectReason reason, int index, String detail) {
        super("sample rejected: " + detail + " [tag=" + tag + ", reason=" + reason + ", index=" + index + "]");
        this.tag = tag;
        this.reason = reason;
        this.index = index;
    }

    /** The tag of the refused sample, as written (may be an invalid name). */
    public String tag() {
        return tag;
    }

    /** Why the sample was refused. */
    public RejectReason reason() {
        return reason;
    }

    /** The refused sample's position in its batch; 0 for a single-sample write. */
    public int index() {
        return index;
    }
}
