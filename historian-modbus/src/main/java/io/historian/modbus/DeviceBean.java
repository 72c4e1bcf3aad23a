package io.historian.modbus;

import java.time.Instant;
import java.util.Map;

/** Serves {@link ModbusDeviceMXBean} from fresh {@link DeviceStats} snapshots. */
final class DeviceBean implements ModbusDeviceMXBean {
    private final ModbusSource source;

    DeviceBean(ModbusSource source) {
        this.source = source;
    }

    private DeviceStats s() {
        return source.stats();
    }

    private static long millis(Instant t) {
        return t == null ? 0 : t.toEpochMilli();
    }

    @Override
    public String getState() {
        return source.state().name();
    }

    @Override
    public long getPolls() {
        return s().polls();
    }

    @Override
    public long getFailedPolls() {
        return s().failedPolls();
    }

    @Override
    public long getRequests() {
        return s().requests();
    }

    @Override
    public long getResponses() {
        return s().responses();
    }

    @Override
    public long getTimeouts() {
        return s().timeouts();
    }

    @Override
    public Map<Integer, Long> getExceptionsByCode() {
        return s().exceptionsByCode();
    }

    @Override
    public long getReconnects() {
        return s().reconnects();
    }

    @Override
    public long getConnectFailures() {
        return s().connectFailures();
    }

    @Override
    public long getConnectionErrors() {
        return s().connectionErrors();
    }

    @Override
    public long getLastGoodPollMillis() {
        return millis(s().lastGoodPoll());
    }

    @Override
    public long getUnreachableSinceMillis() {
        return millis(s().unreachableSince());
    }
}
