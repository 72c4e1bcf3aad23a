package io.historian.modbus;

import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.spi.SampleSink;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sits between a device's poll loop and the historian and gives every Good sample whose value
 * is NaN or infinite the quality {@link Decoder#quality(double)} assigns it,
 * {@code Bad_SensorFailure}, keeping the value as read. The poll loop writes every decoded
 * value as Good; a float register holding NaN is how devices report a failed sensor, and a
 * historian must not present it as a good measurement. Samples the poll loop already marked
 * Bad (no communication, exception responses) pass untouched.
 *
 * <p>It counts the samples it turned Bad and the sink accepted, so {@link ModbusSource#stats()}
 * can add them to {@code badSamples}.
 *
 * <p><b>Thread safety:</b> thread-safe; in practice called by one poll thread.
 */
final class SensorFailureSink implements SampleSink {
    private final SampleSink delegate;
    private final AtomicLong turnedBad = new AtomicLong();
    // Reused so that a sensor that stays failed does not cost an allocation per poll.
    private final SampleBatch copy = new SampleBatch(64);

    SensorFailureSink(SampleSink delegate) {
        this.delegate = delegate;
    }

    /** {@return samples written as Bad_SensorFailure instead of Good and accepted by the sink} */
    long turnedBad() {
        return turnedBad.get();
    }

    @Override
    public synchronized void write(SampleBatch batch) {
        int failed = 0;
        for (int i = 0; i < batch.size(); i++) {
            if (failed(batch.value(i), batch.qualityCode(i))) {
                failed++;
            }
        }
        if (failed == 0) {
            // The usual case: nothing to change, no copy.
            delegate.write(batch);
            return;
        }
        copy.clear();
        try {
            for (int i = 0; i < batch.size(); i++) {
                double v = batch.value(i);
                int q = batch.qualityCode(i);
                copy.add(batch.tag(i), batch.epochMillis(i), v, failed(v, q) ? Decoder.quality(v) : Quality.of(q));
            }
            delegate.write(copy);
            turnedBad.addAndGet(failed);
        } finally {
            copy.clear();
        }
    }

    @Override
    public void write(String tag, long epochMillis, double value, Quality quality) {
        boolean failed = failed(value, quality.code());
        delegate.write(tag, epochMillis, value, failed ? Decoder.quality(value) : quality);
        if (failed) {
            turnedBad.incrementAndGet();
        }
    }

    private static boolean failed(double value, int quality) {
        return quality == Quality.GOOD.code() && Decoder.quality(value) != Quality.GOOD;
    }
}
