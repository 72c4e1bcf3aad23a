package io.historian.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.SampleBatch;
import io.historian.testing.IrregularDataset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The feeds the ingest benchmarks replay: never the same (tag, timestamp) twice, late samples where asked. */
class LiveFeedTest {

    @Test
    void lateFeed_overSeveralPasses_neverRepeatsATagTimestamp_andHasLateSamples() {
        int tags = 3;
        int seconds = 400;
        LiveFeed feed = LiveFeed.generate("w0.", IrregularDataset.standardArrivingLate(tags, seconds, 0.05));
        SampleBatch batch = new SampleBatch(100);
        Set<String> seen = new HashSet<>();
        long[] highest = new long[tags];
        int late = 0;
        int total = tags * seconds * 3 + 50;
        for (int written = 0; written < total; written += 100) {
            feed.fill(batch, 100);
            for (int i = 0; i < batch.size(); i++) {
                String tag = batch.tag(i);
                assertTrue(tag.startsWith("w0.std.tag"), tag);
                int t = Integer.parseInt(tag.substring("w0.std.tag".length()));
                assertTrue(seen.add(tag + "@" + batch.epochMillis(i)), "repeated " + tag + "@" + batch.epochMillis(i));
                if (batch.epochMillis(i) < highest[t]) {
                    late++;
                }
                highest[t] = Math.max(highest[t], batch.epochMillis(i));
            }
        }
        assertEquals(total / 100 * 100 + (total % 100 == 0 ? 0 : 100), feed.handedOut());
        double fraction = late / (double) feed.handedOut();
        assertTrue(fraction > 0.02 && fraction < 0.08, "late fraction " + fraction);
    }

    @Test
    void liveFeed_isInLiveOrder() {
        LiveFeed feed = LiveFeed.generate("", 4, 50);
        SampleBatch batch = new SampleBatch(400);
        feed.fill(batch, 400);
        for (int i = 1; i < batch.size(); i++) {
            assertTrue(batch.epochMillis(i) >= batch.epochMillis(i - 1), "at " + i);
            assertEquals("std.tag00" + (i % 4), batch.tag(i));
        }
    }
}
