package io.historian.examples;

import java.util.SplittableRandom;

/**
 * The physics of the simulated plant, advanced in steps of simulated seconds: tank 1 filled by a
 * slowly varying inflow and emptied by a pump with on/off level control; tank 2 filled by the
 * pump and drained through a valve that opens and closes on level; a reactor whose heater holds
 * about 80 °C with noise; a field of eight temperatures on a remote I/O device.
 *
 * <p>The same model runs the live registers and the backfilled history, so both look alike.
 * Deterministic for a seed and a sequence of steps. Not thread-safe: one thread steps it and
 * reads it.
 */
final class PlantModel {
    private static final double TANK_AREA_M2 = 10;
    private static final double PUMP_RATED_RPM = 1450;
    private static final double PUMP_RATED_FLOW = 30; // m³/h at rated speed
    private static final double VALVE_FULL_FLOW = 40; // m³/h fully open

    private final SplittableRandom random;
    private double time; // simulated seconds since the model started

    double tank1Level = 2.5;
    double tank2Level = 1.5;
    double inflow;
    double pumpFlow;
    double tank2Outflow;
    double reactorTemp = 78;
    double reactorPressure;
    double ambientTemp;
    double coolantTemp = 25;
    double pumpSpeed;
    double valvePosition; // percent open
    double pumpCurrent;
    double heaterPower; // kW
    double heaterEnergy; // kWh, a counter
    boolean pumpRunning;
    boolean valveOpen;
    boolean heaterOn;
    boolean tank1High;
    boolean tank2Low;
    final double[] fieldTemps = new double[8];
    int heartbeat;

    PlantModel(long seed) {
        this.random = new SplittableRandom(seed);
        step(0);
    }

    /** Advances the plant by {@code seconds} of simulated time (at most a few seconds per step). */
    void step(double seconds) {
        time += seconds;
        double hours = seconds / 3600;
        ambientTemp = 18 + 6 * Math.sin(2 * Math.PI * time / 86_400) + noise(0.05);
        inflow = Math.max(0, 18 + 6 * Math.sin(2 * Math.PI * time / 2_700) + noise(0.3));

        // Level control with hysteresis: the pump starts high and stops low.
        if (tank1Level > 3.5) {
            pumpRunning = true;
        } else if (tank1Level < 1.5) {
            pumpRunning = false;
        }
        double targetSpeed = pumpRunning ? PUMP_RATED_RPM : 0;
        pumpSpeed += (targetSpeed - pumpSpeed) * Math.min(1, seconds / 5);
        pumpFlow = pumpSpeed / PUMP_RATED_RPM * PUMP_RATED_FLOW;
        double load = pumpSpeed / PUMP_RATED_RPM;
        pumpCurrent = pumpSpeed < 1 ? 0 : 2 + 8 * load * load * load + noise(0.05);

        if (tank2Level > 3) {
            valveOpen = true;
        } else if (tank2Level < 1) {
            valveOpen = false;
        }
        double target = valveOpen ? 100 : 0;
        double travel = 10 * seconds; // 10 %/s
        valvePosition += Math.max(-travel, Math.min(travel, target - valvePosition));
        tank2Outflow = valvePosition / 100 * VALVE_FULL_FLOW * Math.sqrt(Math.max(0, tank2Level) / 2);

        tank1Level = clamp(tank1Level + (inflow - pumpFlow) * hours / TANK_AREA_M2, 0, 5);
        tank2Level = clamp(tank2Level + (pumpFlow - tank2Outflow) * hours / TANK_AREA_M2, 0, 5);
        tank1High = tank1Level > 4.5;
        tank2Low = tank2Level < 0.5;

        // Thermostat with a 2 K band; heat loss to the coolant.
        if (reactorTemp < 79) {
            heaterOn = true;
        } else if (reactorTemp > 81) {
            heaterOn = false;
        }
        heaterPower = heaterOn ? 45 + noise(0.5) : 0;
        reactorTemp += (heaterPower * 0.004 - 0.003 * (reactorTemp - coolantTemp)) * seconds;
        coolantTemp += (ambientTemp + 7 - coolantTemp) * Math.min(1, seconds / 600);
        heaterEnergy += heaterPower * hours;
        reactorPressure = 1.2 + 0.015 * (reactorTemp - 20) + noise(0.005);
        for (int i = 0; i < fieldTemps.length; i++) {
            fieldTemps[i] = ambientTemp + 2 * i + 1.5 * Math.sin(2 * Math.PI * (time + 400 * i) / 1_800) + noise(0.1);
        }
        heartbeat = (heartbeat + 1) & 0x7FFF;
    }

    /** Simulated seconds since the model started. */
    double time() {
        return time;
    }

    private double noise(double amplitude) {
        return (random.nextDouble() * 2 - 1) * amplitude;
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
