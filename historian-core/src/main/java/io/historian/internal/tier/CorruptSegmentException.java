package io.historian.internal.tier;

/** A segment object that cannot be trusted; the message names the object and the problem. */
public final class CorruptSegmentException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String objectKey;

    /** A corrupt-segment error for {@code objectKey}. */
    public CorruptSegmentException(String objectKey, String problem) {
        super("corrupt cold segment: " + problem + " [object=" + objectKey + "]");
        this.objectKey = objectKey;
    }

    /** The object's key. */
    public String objectKey() {
        return objectKey;
    }
}
