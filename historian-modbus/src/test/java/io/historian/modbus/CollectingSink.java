package io.historian.modbus;

import io.historian.Quality;
import io.historian.Sample;
import io.historian.SampleBatch;
import io.historian.spi.SampleSink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A sink that keeps every sample, for tests that do not need a whole historian. */
final class CollectingSink implements SampleSink {
    private final List<Sample> samples = new ArrayList<>();

    @Override
    public synchronized void write(SampleBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            samples.add(new Sample(batch.tag(i), Instant.ofEpochMilli(batch.epochMillis(i)), batch.value(i),
                    Quality.of(batch.qualityCode(i))));
        }
    }

    @Override
    public synchronized void write(String tag, long epochMillis, double value, Quality quality) {
        samples.add(new Sample(tag, Instant.ofEpochMilli(epochMillis), value, quality));
    }

    synchronized List<Sample> all() {
        return List.copyOf(samples);
    }

    synchronized Optional<Sample> last(String tag) {
        for (int i = samples.size() - 1; i >= 0; i--) {
            if (samples.get(i).tag().equals(tag)) {
                return Optional.of(samples.get(i));
            }
        }
        return Optional.empty();
    }

    synchronized long count(String tag, Quality quality) {
        return samples.stream().filter(s -> s.tag().equals(tag) && s.quality().equals(quality)).count();
    }

    synchronized void clear() {
        samples.clear();
    }
}
