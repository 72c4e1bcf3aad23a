package io.historian;

/**
 * A read named a tag that the registry does not know. A known tag without data in the range
 * gives an empty result instead. In strict mode, a write to an unknown tag is rejected with a
 * {@link SampleRejectedException} whose reason is {@link RejectReason#UNKNOWN_TAG}.
 */
public class TagNotFoundException extends HistorianException {
    private static final long serialVersionUID = 1L;

    /** The tag name that was looked up. */
    private final String tag;

    /**
     * An exception for the given tag name.
     *
     * @param tag the name that was looked up
     */
    public TagNotFoundException(String tag) {
        super("tag not found [tag=" + tag + "]");
        this.tag = tag;
    }

    /** {@return the tag name that was not found} */
    public String tag() {
        return tag;
    }
}
