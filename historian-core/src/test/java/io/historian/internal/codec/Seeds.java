package io.historian.internal.codec;

import java.util.SplittableRandom;

/**
 * Seeds for randomised tests: fresh each run, printed, and replayable with
 * {@code -Dhistorian.seed=<seed>} (decimal or 0x hex), which pins every randomised test to that seed.
 */
final class Seeds {

    static final String PROPERTY = "historian.seed";
    private static final SplittableRandom FRESH = new SplittableRandom();

    private Seeds() {
    }

    /** Returns the seed for one test run and prints it with the command that replays it. */
    static long next(String test) {
        String fixed = System.getProperty(PROPERTY);
        long seed;
        synchronized (FRESH) {
            seed = fixed != null && !fixed.isBlank() ? Long.decode(fixed.trim()) : FRESH.nextLong();
        }
        System.out.println(test + ": seed=" + seed + " (replay with -D" + PROPERTY + "=" + seed + ")");
        return seed;
    }
}
