package io.historian.modbus;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Registers Micrometer meters for Modbus devices, one set per device with the tag
 * {@code device=<name>} (never one per register).
 *
 * <pre>{@code
 * new ModbusMetrics(List.of(plc7, plc8)).bindTo(registry);
 * }</pre>
 *
 * <table>
 * <caption>Meters (tag {@code device} on each)</caption>
 * <tr><th>meter</th><th>type</th><th>more tags</th><th>moves when</th></tr>
 * <tr><td>historian.modbus.state</td><td>gauge</td><td>state</td><td>1 for the device's current {@link DeviceState}, 0 for the others</td></tr>
 * <tr><td>historian.modbus.polls</td><td>counter</td><td>result=ok|failed</td><td>a poll completes / a poll or connect writes Bad_NoCommunication</td></tr>
 * <tr><td>historian.modbus.requests</td><td>counter</td><td></td><td>a request is sent</td></tr>
 * <tr><td>historian.modbus.timeouts</td><td>counter</td><td></td><td>a request gets no complete response in time</td></tr>
 * <tr><td>historian.modbus.exceptions</td><td>counter</td><td>code (01 to 0B)</td><td>the device answers with that exception code</td></tr>
 * <tr><td>historian.modbus.reconnects</td><td>counter</td><td></td><td>a connection opens after the first</td></tr>
 * <tr><td>historian.modbus.connect.failures</td><td>counter</td><td></td><td>a connection attempt fails</td></tr>
 * <tr><td>historian.modbus.last.good.poll</td><td>time gauge</td><td></td><td>a poll completes (seconds since the epoch; NaN before the first)</td></tr>
 * </table>
 *
 * <p>One {@link ModbusSource#stats()} snapshot serves every meter of a device read within 200 ms,
 * so one scrape sees one consistent set of figures per device.
 *
 * <p><b>Thread safety:</b> bind from any thread; the meters may be read concurrently.
 * <p><b>Lifecycle:</b> the meters keep the sources reachable; a closed source reports its final
 * counts and state CLOSED.
 */
public final class ModbusMetrics implements MeterBinder {
    /** The exception codes of the Modbus specification; a code outside them is counted by none. */
    private static final int[] CODES = {1, 2, 3, 4, 5, 6, 8, 10, 11};
    private static final long SNAPSHOT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final List<ModbusSource> sources;
    private final Tags tags;

    /**
     * Meters for some devices.
     *
     * @param sources the devices, each with a distinct name
     */
    public ModbusMetrics(List<ModbusSource> sources) {
        this(sources, Tags.empty());
    }

    /**
     * Meters for some devices, each with extra tags.
     *
     * @param sources the devices, each with a distinct name
     * @param tags tags added to every meter
     */
    public ModbusMetrics(List<ModbusSource> sources, Iterable<Tag> tags) {
        this.sources = List.copyOf(Objects.requireNonNull(sources, "sources"));
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        for (ModbusSource source : sources) {
            bind(registry, source, new Snapshot(source));
        }
    }

    private void bind(MeterRegistry r, ModbusSource source, Snapshot snap) {
        Tags t = tags.and("device", source.name());
        for (DeviceState state : DeviceState.values()) {
            Gauge.builder("historian.modbus.state", source, s -> s.state() == state ? 1 : 0)
                    .description("1 for the device's current connection state").tags(t)
                    .tag("state", state.name().toLowerCase(Locale.ROOT)).register(r);
        }
        counter(r, "historian.modbus.polls", "polls that completed with the connection intact", source, snap,
                DeviceStats::polls, t.and("result", "ok"));
        counter(r, "historian.modbus.polls", "polls and connection attempts that wrote Bad_NoCommunication", source,
                snap, DeviceStats::failedPolls, t.and("result", "failed"));
        counter(r, "historian.modbus.requests", "requests sent", source, snap, DeviceStats::requests, t);
        counter(r, "historian.modbus.timeouts", "requests without a complete response in time", source, snap,
                DeviceStats::timeouts, t);
        for (int code : CODES) {
            counter(r, "historian.modbus.exceptions", "exception responses", source, snap,
                    s -> s.exceptionsByCode().getOrDefault(code, 0L), t.and("code", String.format("%02X", code)));
        }
        counter(r, "historian.modbus.reconnects", "connections opened after the first", source, snap,
                DeviceStats::reconnects, t);
        counter(r, "historian.modbus.connect.failures", "connection attempts that failed", source, snap,
                DeviceStats::connectFailures, t);
        TimeGauge.builder("historian.modbus.last.good.poll", source, TimeUnit.MILLISECONDS, s -> {
            Instant last = snap.get().lastGoodPoll();
            return last == null ? Double.NaN : last.toEpochMilli();
        }).description("when the last good poll ended, since the epoch").tags(t).register(r);
    }

    private static void counter(MeterRegistry r, String name, String description, ModbusSource source, Snapshot snap,
            ToDoubleFunction<DeviceStats> f, Tags t) {
        FunctionCounter.builder(name, source, s -> f.applyAsDouble(snap.get())).description(description).tags(t)
                .register(r);
    }

    /** A device's stats, read at most once per 200 ms. */
    private static final class Snapshot {
        private final ModbusSource source;
        private volatile DeviceStats stats;
        private volatile long at;

        Snapshot(ModbusSource source) {
            this.source = source;
        }

        DeviceStats get() {
            DeviceStats s = stats;
            long now = System.nanoTime();
            if (s == null || now - at > SNAPSHOT_NANOS) {
                s = source.stats();
                stats = s;
                at = now;
            }
            return s;
        }
    }
}
