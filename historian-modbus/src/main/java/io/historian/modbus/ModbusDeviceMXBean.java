package io.historian.modbus;

import java.util.Map;

/**
 * The JMX view of one device's {@link DeviceStats}, registered as
 * {@code io.historian:type=ModbusDevice,name="<device name>"} from {@link ModbusSource#start} to
 * {@link ModbusSource#close}. Each attribute reads a fresh snapshot; see {@link DeviceStats} for
 * what each count means and when it moves.
 */
public interface ModbusDeviceMXBean {
    /** {@return the connection state: NEW, CONNECTING, POLLING, BACKING_OFF or CLOSED} */
    String getState();

    /** {@return polls that completed with the connection intact} See {@link DeviceStats#polls()}. */
    long getPolls();

    /** {@return polls and connection attempts that wrote Bad_NoCommunication} See {@link DeviceStats#failedPolls()}. */
    long getFailedPolls();

    /** {@return requests sent} See {@link DeviceStats#requests()}. */
    long getRequests();

    /** {@return responses received, exception responses included} See {@link DeviceStats#responses()}. */
    long getResponses();

    /** {@return requests that got no complete response in time} See {@link DeviceStats#timeouts()}. */
    long getTimeouts();

    /** {@return exception responses by Modbus exception code} See {@link DeviceStats#exceptionsByCode()}. */
    Map<Integer, Long> getExceptionsByCode();

    /** {@return connections opened after the first} See {@link DeviceStats#reconnects()}. */
    long getReconnects();

    /** {@return connection attempts that failed} See {@link DeviceStats#connectFailures()}. */
    long getConnectFailures();

    /** {@return connections lost during a request} See {@link DeviceStats#connectionErrors()}. */
    long getConnectionErrors();

    /** {@return the end of the last good poll in epoch milliseconds, or 0 before the first} See {@link DeviceStats#lastGoodPoll()}. */
    long getLastGoodPollMillis();

    /** {@return the start of the current outage in epoch milliseconds, or 0 while the device answers} See {@link DeviceStats#unreachableSince()}. */
    long getUnreachableSinceMillis();
}
