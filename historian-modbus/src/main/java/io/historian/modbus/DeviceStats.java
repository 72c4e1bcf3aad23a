package io.historian.modbus;

import java.time.Duration;
import java.util.Map;

/**
 * A snapshot of one device's counters, from {@link ModbusSource#stats()}. All counts are since
 * {@link ModbusSource#start}.
 *
 * <p><b>Consistency:</b> the snapshot is the device's figures as of the end of its last poll,
 * connection attempt or state change, all taken at one point between two requests: there
 * {@code requests = responses + timeouts + connectionErrors} (a poll cut by {@code close()}
 * aside), and every request of a counted poll is counted. It is at most one poll interval (or
 * one request timeout) old.
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
 * @param lastGoodPoll when the last poll that completed with the connection intact ended (device
 *     clock), or null before the first
 * @param unreachableSince when the current outage began (the first failed connect or poll after a
 *     good one, or since start when none succeeded yet), or null while the device answers
 */
public record DeviceStats(String device, DeviceState state, long polls, long failedPolls, long requests,
                          long responses, long timeouts, Map<Integer, Long> exceptionsByCode, long connects,
                          long reconnects, long connectFailures, long connectionErrors, long staleResponses,
                          long samplesWritten, long badSamples, long samplesRefused, Duration lastLatency,
                          Duration maxLatency, Duration meanLatency, java.time.Instant lastGoodPoll,
                          java.time.Instant unreachableSince) {

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
     * @param lastGoodPoll when the last good poll ended, or null before the first
     * @param unreachableSince when the current outage began, or null while the device answers
     */
    public DeviceStats {
        exceptionsByCode = Map.copyOf(exceptionsByCode);
    }

    /** {@return exception responses of every code together} */
    public long exceptions() {
        return exceptionsByCode.values().stream().mapToLong(Long::longValue).sum();
    }
}
