package io.historian;

/** Which sample {@link Historian#valueAt} returns for a time between samples. */
public enum ValueAt {
    /** The last sample at or before the time. */
    PREVIOUS,
    /** The first sample at or after the time. */
    NEXT,
    /**
     * The sample at the time if there is one, otherwise a value read from its neighbours
     * according to the tag's {@link Interpolation}: a {@link Interpolation#STEPPED} tag's value is
     * the earlier sample's, with that sample's quality (the later sample plays no part); a
     * {@link Interpolation#LINEAR} tag's lies on the line between the two, with the worse of their
     * qualities. After the last sample, a stepped tag returns the last value with its quality; a
     * linear tag returns it with the worse of its quality and
     * {@link Quality#UNCERTAIN_LAST_USABLE_VALUE}. Before the first sample there is no value.
     */
    INTERPOLATED
}
