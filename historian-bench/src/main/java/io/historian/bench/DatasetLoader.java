package io.historian.bench;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.testing.StandardDataset;

/**
 * Writes the standard dataset into a historian in live order (each second, one sample per tag)
 * through {@code write(SampleBatch)}, generating values block by block so the heap holds only
 * {@code tags x 1,000} values at a time.
 *
 * <pre>{@code
 * DatasetLoader.load(historian, StandardDataset.standard(100, 1_000_000), 10_000);
 * }</pre>
 *
 * <p>For setups, where the write rate does not matter; {@link DiskUsage} times writes from
 * pre-generated arrays instead so that generation stays out of the measurement.
 */
final class DatasetLoader {
    private static final int BLOCK_SECONDS = 1000;

    private DatasetLoader() {
    }

    /** Writes every sample of {@code data}; returns how many. */
    static long load(Historian historian, StandardDataset data, int batchSize) {
        int tags = data.tags();
        int samples = data.samplesPerTag();
        String[] names = new String[tags];
        for (int t = 0; t < tags; t++) {
            names[t] = data.tagName(t);
        }
        double[][] block = new double[tags][BLOCK_SECONDS];
        SampleBatch batch = new SampleBatch(batchSize);
        long written = 0;
        for (int from = 0; from < samples; from += BLOCK_SECONDS) {
            int n = Math.min(BLOCK_SECONDS, samples - from);
            for (int t = 0; t < tags; t++) {
                data.fillValues(t, from, block[t], 0, n);
            }
            for (int s = 0; s < n; s++) {
                long ts = data.timestamp(from + s);
                for (int t = 0; t < tags; t++) {
                    batch.add(names[t], ts, block[t][s], Quality.GOOD);
                    if (batch.size() == batchSize) {
                        historian.write(batch);
                        written += batch.size();
                        batch.clear();
                    }
                }
            }
        }
        if (!batch.isEmpty()) {
            historian.write(batch);
            written += batch.size();
        }
        return written;
    }
}
