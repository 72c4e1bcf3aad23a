package io.historian.modbus;

import java.time.Duration;
import java.util.Map;

/**
 * A snapshot of one device's counters, from {@link ModbusSource#stats()}. All counts are since
 * {@link ModbusSource#start}.
 *
 * @param device the source's name
 * @param state the state when the snapshot was taken
 * @param polls polls that completed with the connection intact (some points may still be Bad
 *     because of exception responses)
 * @param failedPolls polls, and connection attempts, that wrote Bad_NoCommunication
 * @param requests requests sent
 * @param responses normal responses received
 * @param timeouts requests that got no complete response in time
 * @param exceptionsByCode exception responses, by Modbus exception code
 * @param connects connections opened
 * @param reconnects connections opened after the first
 * @param connectFailures connection attempts that failed
 * @param connectionErrors connections lost during a request (reset, closed, malformed response)
 * @param staleResponses responses discarded because their transaction id did not match
 * @param samplesWritten samples accepted by the sink, Good and Bad
 * @param badSamples of those, samples of Bad quality
 * @param samplesRefused samples the sink refused (counted and logged, not retried)
 * @param lastLatency round trip of the last answered request
 * @param maxLatency longest round trip of an answered request
 * @param meanLatency mean round trip of answered requests
 */
public record DeviceStats(String device, DeviceState state, long polls, long failedPolls, long requests,
                          long responses, long timeouts, Map<Integer, Long> exceptionsByCode, long connects,
                          long reconnects, long connectFailures, long connectionErrors, long staleResponses,
                          long samplesWritten, long badSamples, long samplesRefused, Duration lastLatency,
                          Duration maxLatency, Duration meanLatency) {

    /**
     * Copies the map.
     *
     * @param device the source's name
     * @param state the state when the snapshot was taken
     * @param polls polls that completed with the connection intact
     * @param failedPolls polls, and connection attempts, that wrote Bad_NoCommunication
     * @param requests requests sent
     * @param responses normal responses received
     * @param timeouts requests that got no complete response in time
     * @param exceptionsByCode exception responses, by Modbus exception code; copied
     * @param connects connections opened
     * @param reconnects connections opened after the first
     * @param connectFailures connection attempts that failed
     * @param connectionErrors connections lost during a request
     * @param staleResponses responses discarded because their transaction id did not match
     * @param samplesWritten samples accepted by the sink, Good and Bad
     * @param badSamples of those, samples of Bad quality
     * @param samplesRefused samples the sink refused
     * @param lastLatency round trip of the last answered request
     * @param maxLatency longest round trip of an answered request
     * @param meanLatency mean round trip of answered requests
     */
    public DeviceStats {
        exceptionsByCode = Map.copyOf(exceptionsByCode);
    }

    /** {@return exception responses of every code together} */
    public long exceptions() {
        return exceptionsByCode.values().stream().mapToLong(Long::longValue).sum();
    }
}
