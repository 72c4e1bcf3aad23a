package io.historian.internal.journal;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Feeds arbitrary bytes to the journal entry decoder: it returns samples or throws
 * {@link CorruptEntryException}, never anything else, never hangs, never allocates by a count it
 * read. The normal build runs the committed inputs in
 * {@code src/test/resources/io/historian/internal/journal/JournalEntryFuzzTestInputs/decode/};
 * fuzz for real with {@code JAZZER_FUZZ=1 mvn test -pl historian-core -Dtest=JournalEntryFuzzTest}.
 */
class JournalEntryFuzzTest {
    private static final int[] IDS = new int[JournalEntryCodec.MAX_SAMPLES];
    private static final long[] TS = new long[JournalEntryCodec.MAX_SAMPLES];
    private static final double[] VS = new double[JournalEntryCodec.MAX_SAMPLES];
    private static final int[] QS = new int[JournalEntryCodec.MAX_SAMPLES];

    @FuzzTest
    void decode(byte[] input) {
        try {
            int n = JournalEntryCodec.decode(input, 0, input.length, 1000, IDS, TS, VS, QS);
            if (n < 1 || n > JournalEntryCodec.MAX_SAMPLES) {
                throw new AssertionError("decoded count out of range: " + n);
            }
            for (int i = 0; i < n; i++) {
                if (IDS[i] < 0 || IDS[i] >= 1000) {
                    throw new AssertionError("tag id out of range: " + IDS[i]);
                }
            }
        } catch (CorruptEntryException expected) {
            // a clear rejection is the other allowed outcome
        }
    }
}
