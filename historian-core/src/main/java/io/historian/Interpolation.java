package io.historian;

/** How values between two samples of a tag are read: on a straight line, or holding the earlier value. */
public enum Interpolation {
    /** A straight line between neighbouring samples: analog signals. */
    LINEAR,
    /** The earlier sample's value holds until the next sample: set points, states, counters. */
    STEPPED
}
