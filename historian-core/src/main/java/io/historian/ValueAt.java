package io.historian;

/** Which sample {@link Historian#valueAt} returns for a time between samples. */
public enum ValueAt {
    /** The last sample at or before the time. */
    PREVIOUS,
    /** The first sample at or after the time. */
    NEXT,
    /**
     * The sample at the time if there is one, otherwise a value interpolated from its neighbours
     * according to the tag's {@link Interpolation}, with the worse of their qualities. After the
     * last sample, a stepped tag returns the last value; a linear tag returns it with quality
     * {@link Quality#UNCERTAIN_LAST_USABLE_VALUE}. Before the first sample there is no value.
     */
    INTERPOLATED
}
