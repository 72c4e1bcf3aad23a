package io.historian.simulation;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data lifecycle as a seeded, model-based simulation through the public API (see
 * {@link Simulation}): writes of every size, late and duplicate samples, formulas, tiering with a
 * failing cold tier, retention, clock moves, reopening and {@code kill -9} of a writing JVM,
 * each followed by reads checked against a model of what was acknowledged.
 *
 * <p>Steps: {@code -Dhistorian.simulationSteps} (2,000 in the normal build, 1,000,000 in the
 * {@code soak} profile). Seed: {@code -Dhistorian.simulationSeed} (printed at the start and in
 * every failure; a failing seed replays the same operations). To look past a failure,
 * {@code -Dhistorian.simulationSkip=KILL,HUGE_BATCH} leaves those operations out (names of
 * {@link Simulation.Op}); {@code DERIVED} in that list turns the checks of derived values off, and
 * {@code FORMULAS} leaves formula inputs out of every write.
 */
class LifecycleSimulationIT {
    @TempDir
    Path dir;

    @Test
    void lifecycle_underSeededOperations_keepsEveryAcknowledgedSampleAndNothingElse() throws Exception {
        long steps = Long.getLong("historian.simulationSteps", 2_000);
        long seed = Long.getLong("historian.simulationSeed", System.nanoTime());
        Set<Simulation.Op> skip = EnumSet.noneOf(Simulation.Op.class);
        boolean derivedChecks = true;
        boolean formulaInputs = true;
        for (String s : System.getProperty("historian.simulationSkip", "").split(",")) {
            if (s.trim().equalsIgnoreCase("DERIVED")) {
                derivedChecks = false;
            } else if (s.trim().equalsIgnoreCase("FORMULAS")) {
                formulaInputs = false;
            } else if (!s.isBlank()) {
                skip.add(Simulation.Op.valueOf(s.trim().toUpperCase(Locale.ROOT)));
            }
        }
        System.out.println("LifecycleSimulationIT seed=" + seed + " steps=" + steps + (skip.isEmpty() ? "" : " skip=" + skip)
                + (derivedChecks ? "" : " without derived checks") + (formulaInputs ? "" : " without formula inputs")
                + " (replay with -Dhistorian.simulationSeed=" + seed + " -Dhistorian.simulationSteps=" + steps + ")");
        new Simulation(seed, steps, dir, skip, derivedChecks, formulaInputs, System.out).run();
    }
}
