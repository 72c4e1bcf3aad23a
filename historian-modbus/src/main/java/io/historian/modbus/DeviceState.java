package io.historian.modbus;

/**
 * The connection state of one Modbus device, readable through {@link ModbusSource#state()}.
 *
 * <pre>
 * NEW --start--&gt; CONNECTING --connected--&gt; POLLING --failure--&gt; BACKING_OFF --delay--&gt; CONNECTING
 *                  |  connect failed -----------------------------^
 * any state --close--&gt; CLOSED
 * </pre>
 *
 * Each transition is logged once, at INFO (or WARN when entering {@link #BACKING_OFF}).
 */
public enum DeviceState {
    /** Built but not started. */
    NEW,
    /** Opening the connection. */
    CONNECTING,
    /** Connected and polling on schedule. */
    POLLING,
    /** The connection failed; waiting (exponential backoff with jitter) before reconnecting. */
    BACKING_OFF,
    /** Closed; the poll thread and socket are released. */
    CLOSED
}
