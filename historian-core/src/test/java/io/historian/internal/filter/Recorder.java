package io.historian.internal.filter;

import java.util.ArrayList;
import java.util.List;

/** An {@link Emitter} that keeps what it receives, for assertions. */
final class Recorder implements Emitter {

    /** One emitted sample; {@code t} in seconds when built by tests that think in seconds. */
    record S(long t, double v, int q) {
        @Override
        public String toString() {
            return "(" + t + ", " + v + (q == 0 ? "" : ", q=" + Integer.toHexString(q)) + ")";
        }
    }

    final List<S> samples = new ArrayList<>();
    int lastOfferEmits;

    @Override
    public void emit(long t, double v, int quality) {
        samples.add(new S(t, v, quality));
        lastOfferEmits++;
    }

    /** Offers a sample at {@code seconds} s, GOOD quality. */
    void offer(SampleFilter f, long seconds, double v) {
        offer(f, seconds, v, 0);
    }

    void offer(SampleFilter f, long seconds, double v, int quality) {
        lastOfferEmits = 0;
        f.offer(seconds * 1000, v, quality, this);
    }

    void offerMillis(SampleFilter f, long t, double v, int quality) {
        lastOfferEmits = 0;
        f.offer(t, v, quality, this);
    }

    /** What was emitted, with times in seconds. */
    List<S> seconds() {
        return samples.stream().map(s -> new S(s.t() / 1000, s.v(), s.q())).toList();
    }

    static S s(long t, double v) {
        return new S(t, v, 0);
    }

    static S s(long t, double v, int q) {
        return new S(t, v, q);
    }
}
