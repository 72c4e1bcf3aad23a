package io.historian.modbus;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Everything a built source knows about its device; immutable. */
record DeviceConfig(String name, String host, int port, boolean rtu, Duration pollInterval, Duration timeout,
                    int retries, Duration pauseAfterConnect, Duration pauseBetweenRequests, Duration backoffInitial,
                    Duration backoffMax, Clock clock, List<Point> points, List<ReadRequest> requests,
                    ModbusConnection.Framing tcpFraming) {
    DeviceConfig {
        points = List.copyOf(points);
        requests = List.copyOf(requests);
    }
}
