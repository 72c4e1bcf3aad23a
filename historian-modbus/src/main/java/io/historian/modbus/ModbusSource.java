package io.historian.modbus;

import io.historian.TagDefinition;
import io.historian.spi.SampleSink;
import io.historian.spi.SampleSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Polls one Modbus device (Modbus TCP or RTU over TCP) and writes its registers as samples.
 *
 * <pre>{@code
 * ModbusSource plc = ModbusSource.tcp("127.0.0.1", 502).name("plc-7").unitId(1)
 *         .pollEvery(Duration.ofMillis(500)).timeout(Duration.ofSeconds(1))
 *         .holdingRegister(40001).float32(WordOrder.CDAB).tag("boiler.temp").scale(0.1)
 *         .inputRegister(30010).uint16().tag("pump.speed")
 *         .coil(1).tag("pump.running")
 *         .build();
 * Historian historian = Historian.builder().dataDirectory(dir).source(plc).build();
 * }</pre>
 *
 * <p><b>Addresses:</b> configuration uses 1-based register numbers; the wire uses 0-based
 * addresses. Each table accepts three spellings, and they all mean the same register:
 * <pre>
 *   holdingRegister(40001)  == holdingRegister(400001) == holdingRegister(1)   -&gt; wire address 0, fc 03
 *   holdingRegister(40010)  == holdingRegister(400010) == holdingRegister(10)  -&gt; wire address 9
 *   inputRegister(30010)    == inputRegister(300010)   == inputRegister(10)    -&gt; wire address 9, fc 04
 *   discreteInput(10001)    == discreteInput(100001)   == discreteInput(1)     -&gt; wire address 0, fc 02
 *   coil(1)                                                                   -&gt; wire address 0, fc 01
 *   holdingRegister(465536)                                                   -&gt; wire address 65535
 * </pre>
 * So a device manual that says "temperature at 40010" and a tool that says "holding register
 * offset 9" describe the same register. Registers above 9,999 need the 6-digit form; a
 * number of another table ({@code holdingRegister(30010)}) is refused at build time.
 *
 * <p><b>Requests:</b> neighbouring points of one table and unit are merged into one read of
 * at most 125 registers or 2,000 bits ({@link Builder#maxGap},
 * {@link Builder#excludeHoldingRegisters}, {@link Builder#requestPerTag}).
 *
 * <p><b>Thread safety:</b> the built source is immutable and thread-safe; it polls on one
 * daemon thread of its own ({@code historian-modbus-<name>}), so one slow or dead device never
 * delays another source. {@link #state()} and {@link #stats()} may be called from any thread.
 *
 * <p><b>Lifecycle:</b> {@link #start} (called by the historian, once) opens the connection
 * and starts polling; {@link #close} (called by the historian's {@code close()}, idempotent)
 * stops the thread and closes the socket before it returns.
 *
 * <p><b>Errors:</b> configuration errors are {@link IllegalArgumentException}s (a bad value)
 * or {@link IllegalStateException}s (a contradiction, at {@link Builder#build()}) whose
 * message names the device, the tag and the field. Runtime failures become data: a poll that
 * cannot reach the device writes NaN with {@code Bad_NoCommunication} for the affected tags;
 * a Modbus exception response writes {@code Bad_ConfigurationError} (codes 01-03),
 * {@code Bad_DeviceFailure} (04-08) or {@code Bad_NoCommunication} (0A, 0B); all are counted
 * in {@link #stats()}. A value the device sends as NaN or an infinity (a float register's way
 * of reporting a failed sensor) is written as read, with {@code Bad_SensorFailure}.
 *
 * <p><b>Values:</b> {@code raw * scale + offset}; with scale 1 and offset 0 (the defaults) the
 * value read is stored bit for bit, -0.0 and NaN payloads included.
 */
public final class ModbusSource implements SampleSource {
    private final DeviceConfig config;
    private final Object lock = new Object();
    private DevicePoller poller;
    private boolean closed;
    private javax.management.ObjectName mbeanName;

    private ModbusSource(DeviceConfig config) {
        this.config = config;
    }

    /**
     * Starts configuring a Modbus TCP device at {@code host:port}.
     *
     * @param host the device's host name or IP address, not blank
     * @param port the TCP port, 1 to 65535; Modbus TCP uses 502
     * @return a builder for the device's settings and points
     * @throws IllegalArgumentException if the host is blank or the port out of range
     */
    public static Builder tcp(String host, int port) {
        return new Builder(host, port, false);
    }

    /**
     * Starts configuring a serial (RTU) device behind a transparent TCP gateway: RTU frames with
     * CRC-16 and no MBAP header, over TCP to {@code host:port}.
     *
     * @param host the gateway's host name or IP address, not blank
     * @param port the gateway's TCP port, 1 to 65535
     * @return a builder for the device's settings and points
     * @throws IllegalArgumentException if the host is blank or the port out of range
     */
    public static Builder rtuOverTcp(String host, int port) {
        return new Builder(host, port, true);
    }

    /**
     * Reads and checks a CSV register map, the spreadsheet engineers already keep; give it to
     * a device with {@link Builder#registerMap(RegisterMap)}. A map holds no host, so this
     * returns the points, not a source:
     *
     * <pre>{@code
     * RegisterMap map = ModbusSource.fromCsv(Path.of("register-map.csv"));
     * ModbusSource plc = ModbusSource.tcp("127.0.0.1", 502).name("plc-7").registerMap(map).build();
     * }</pre>
     *
     * The format is described at {@link Builder#registerMap(Path)}.
     *
     * @param csv the CSV file, UTF-8
     * @return the checked points, to apply to any number of device builders
     * @throws IllegalArgumentException naming the file, line and column of the first error
     * @throws java.io.UncheckedIOException if the file cannot be read
     */
    public static RegisterMap fromCsv(Path csv) {
        return RegisterMap.read(csv);
    }

    @Override
    public String name() {
        return config.name();
    }

    /** {@return the current connection state; {@link DeviceState#NEW} before {@link #start}, {@link DeviceState#CLOSED} after {@link #close}} */
    public DeviceState state() {
        synchronized (lock) {
            if (poller == null) {
                return closed ? DeviceState.CLOSED : DeviceState.NEW;
            }
            return poller.state();
        }
    }

    /** {@return a snapshot of the counters (all zero before {@link #start})} */
    public DeviceStats stats() {
        DevicePoller p;
        synchronized (lock) {
            p = poller;
        }
        return p == null ? new DevicePoller(config, null).stats() : p.stats();
    }

    /** {@return the number of read requests one poll sends (the planner's result)} */
    public int requestsPerPoll() {
        return config.requests().size();
    }

    /** The planned requests, for tests and diagnostics. */
    List<ReadRequest> plannedRequests() {
        return config.requests();
    }

    /**
     * Starts polling into {@code sink} on a new thread and returns at once.
     *
     * @param sink where the samples go; the historian passes its write path
     * @throws IllegalStateException if already started or closed
     */
    @Override
    public void start(SampleSink sink) {
        Objects.requireNonNull(sink, "sink");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("modbus source is closed [device=" + config.name() + "]");
            }
            if (poller != null) {
                throw new IllegalStateException("modbus source already started [device=" + config.name() + "]");
            }
            poller = new DevicePoller(config, sink);
            poller.start();
            mbeanName = registerMBean();
        }
    }

    /** {@return when the current outage began, or null while the device answers (or before start)} */
    @Override
    public java.time.Instant unreachableSince() {
        DevicePoller p;
        synchronized (lock) {
            p = poller;
        }
        return p == null ? null : p.unreachableSince();
    }

    private javax.management.ObjectName registerMBean() {
        try {
            javax.management.ObjectName name = new javax.management.ObjectName("io.historian:type=ModbusDevice,name="
                    + javax.management.ObjectName.quote(config.name()));
            java.lang.management.ManagementFactory.getPlatformMBeanServer().registerMBean(new DeviceBean(this), name);
            return name;
        } catch (Exception e) {
            // Another started source of the same name in this JVM holds it; polling does not need it.
            org.slf4j.LoggerFactory.getLogger(ModbusSource.class).debug("cannot register the JMX bean [device={}]: {}",
                    config.name(), e.toString());
            return null;
        }
    }

    /** Stops polling, closes the socket and waits for the poll thread to end; idempotent. */
    @Override
    public void close() {
        DevicePoller p;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            p = poller;
            if (mbeanName != null) {
                try {
                    java.lang.management.ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbeanName);
                } catch (Exception e) {
                    // already gone
                }
            }
        }
        if (p != null) {
            p.close();
        }
    }

    @Override
    public String toString() {
        return "ModbusSource[" + config.name() + " " + (config.rtu() ? "rtu-over-tcp" : "tcp") + "://"
                + config.host() + ":" + config.port() + ", tags=" + config.points().size() + ", requests/poll="
                + config.requests().size() + "]";
    }

    /**
     * Configures one device. Device settings come first, then one call per point: a table
     * method ({@link #holdingRegister}, {@link #inputRegister}, {@link #coil},
     * {@link #discreteInput}) returns a {@link PointBuilder} for that point's type, tag, scale
     * and offset.
     *
     * <table>
     * <caption>Device settings</caption>
     * <tr><th>setting</th><th>default</th><th>meaning</th></tr>
     * <tr><td>name</td><td>host:port</td><td>the device name in logs, errors and stats</td></tr>
     * <tr><td>unitId</td><td>1</td><td>default unit (slave) id of the points</td></tr>
     * <tr><td>pollEvery</td><td>1 s</td><td>poll period (fixed rate; missed slots are skipped)</td></tr>
     * <tr><td>timeout</td><td>1 s</td><td>connect timeout, and deadline of one request</td></tr>
     * <tr><td>retries</td><td>0</td><td>repeats of a timed-out request on the same TCP connection</td></tr>
     * <tr><td>pauseAfterConnect</td><td>0</td><td>wait after connecting, for devices that need it</td></tr>
     * <tr><td>pauseBetweenRequests</td><td>0</td><td>wait between the requests of one poll</td></tr>
     * <tr><td>backoff</td><td>100 ms .. 30 s</td><td>reconnect delay, doubled per failure, jittered</td></tr>
     * <tr><td>maxGap</td><td>0</td><td>unread addresses one request may bridge between points</td></tr>
     * <tr><td>maxRegistersPerRequest</td><td>125</td><td>lower it for devices that refuse long reads</td></tr>
     * <tr><td>maxBitsPerRequest</td><td>2000</td><td>the same for coils and discrete inputs</td></tr>
     * <tr><td>requestPerTag</td><td>false</td><td>one request per point, for devices that reject merged reads</td></tr>
     * </table>
     *
     * <p><b>Thread safety:</b> not thread-safe; use from one thread.
     */
    public static final class Builder {
        private final String host;
        private final int port;
        private final boolean rtu;
        private String name;
        private int unitId = 1;
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration timeout = Duration.ofSeconds(1);
        private int retries;
        private Duration pauseAfterConnect = Duration.ZERO;
        private Duration pauseBetweenRequests = Duration.ZERO;
        private Duration backoffInitial = Duration.ofMillis(100);
        private Duration backoffMax = Duration.ofSeconds(30);
        private int maxGap;
        private int maxRegisters = 125;
        private int maxBits = 2000;
        private boolean requestPerTag;
        private Clock clock = Clock.systemUTC();
        private ModbusConnection.Framing tcpFraming = ModbusConnection.DEFAULT_FRAMING;
        private final Map<Table, List<int[]>> exclusions = new EnumMap<>(Table.class);
        private final List<PointBuilder> points = new ArrayList<>();

        Builder(String host, int port) {
            this(host, port, false);
        }

        private Builder(String host, int port, boolean rtu) {
            this.host = Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range 1..65535 [host=" + host + ", port=" + port + "]");
            }
            this.port = port;
            this.rtu = rtu;
        }

        private String device() {
            return "device=" + (name != null ? name : host + ":" + port);
        }

        /**
         * The device name used in logs, errors and statistics; default {@code host:port}.
         *
         * @param name the name, not blank; also the {@link SampleSource#name()} the historian requires to be unique
         * @return this builder
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank [" + device() + "]");
            }
            this.name = name;
            return this;
        }

        /**
         * The default unit id (0..255) of the points; a point may override it. Default 1.
         *
         * @param unitId the unit (slave) id, 0 to 255; gateways route by it, plain TCP devices often ignore it
         * @return this builder
         */
        public Builder unitId(int unitId) {
            this.unitId = checkUnit(unitId, device());
            return this;
        }

        /**
         * The poll period; default 1 s.
         *
         * @param interval the time between poll starts, positive; a poll that overruns skips the missed slots
         * @return this builder
         */
        public Builder pollEvery(Duration interval) {
            this.pollInterval = positive(interval, "pollEvery");
            return this;
        }

        /**
         * The connect timeout and the deadline of each request; default 1 s.
         *
         * @param timeout the timeout, positive
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /**
         * Repeats of a timed-out request before the connection is dropped (TCP only); default 0.
         *
         * @param retries the repeats, 0 to 10
         * @return this builder
         */
        public Builder retries(int retries) {
            if (retries < 0 || retries > 10) {
                throw new IllegalArgumentException("retries out of range 0..10 [" + device() + ", retries=" + retries + "]");
            }
            this.retries = retries;
            return this;
        }

        /**
         * A wait after each connect before the first request; default 0.
         *
         * @param pause the wait, zero or more
         * @return this builder
         */
        public Builder pauseAfterConnect(Duration pause) {
            this.pauseAfterConnect = nonNegative(pause, "pauseAfterConnect");
            return this;
        }

        /**
         * A wait between the requests of one poll; default 0.
         *
         * @param pause the wait, zero or more
         * @return this builder
         */
        public Builder pauseBetweenRequests(Duration pause) {
            this.pauseBetweenRequests = nonNegative(pause, "pauseBetweenRequests");
            return this;
        }

        /**
         * The reconnect delay: {@code initial} after the first failure, doubled per further
         * failure up to {@code max}, each scaled by a random factor in [0.5, 1]. Default
         * 100 ms and 30 s.
         *
         * @param initial the delay after the first failure, positive
         * @param max the longest delay, not below {@code initial}
         * @return this builder
         */
        public Builder backoff(Duration initial, Duration max) {
            positive(initial, "backoff initial");
            positive(max, "backoff max");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff max is below initial [" + device() + ", initial="
                        + initial + ", max=" + max + "]");
            }
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        /**
         * Unread addresses (registers or bits) one request may bridge between two points; default 0.
         *
         * @param addresses the gap, 0 to 2000; a larger gap means fewer requests but more data read and discarded
         * @return this builder
         */
        public Builder maxGap(int addresses) {
            if (addresses < 0 || addresses > 2000) {
                throw new IllegalArgumentException("maxGap out of range 0..2000 [" + device() + ", maxGap=" + addresses + "]");
            }
            this.maxGap = addresses;
            return this;
        }

        /**
         * Registers per request, 1..125 (the protocol limit, and the default).
         *
         * @param registers the most registers one request reads, 1 to 125
         * @return this builder
         */
        public Builder maxRegistersPerRequest(int registers) {
            if (registers < 1 || registers > 125) {
                throw new IllegalArgumentException("maxRegistersPerRequest out of range 1..125 [" + device()
                        + ", maxRegistersPerRequest=" + registers + "]");
            }
            this.maxRegisters = registers;
            return this;
        }

        /**
         * Coils or discrete inputs per request, 1..2000 (the protocol limit, and the default).
         *
         * @param bits the most bits one request reads, 1 to 2000
         * @return this builder
         */
        public Builder maxBitsPerRequest(int bits) {
            if (bits < 1 || bits > 2000) {
                throw new IllegalArgumentException("maxBitsPerRequest out of range 1..2000 [" + device()
                        + ", maxBitsPerRequest=" + bits + "]");
            }
            this.maxBits = bits;
            return this;
        }

        /**
         * One request per point, never merged, for devices that reject multi-register reads.
         *
         * @param oneEach true for one request per point; default false
         * @return this builder
         */
        public Builder requestPerTag(boolean oneEach) {
            this.requestPerTag = oneEach;
            return this;
        }

        /**
         * Never reads the holding registers {@code first..last} (1-based, inclusive, any
         * spelling the table accepts), even to bridge a gap.
         *
         * @param first the first excluded register number
         * @param last the last excluded register number, not before {@code first}
         * @return this builder
         * @throws IllegalArgumentException if a number is out of range or {@code last} comes before {@code first}
         */
        public Builder excludeHoldingRegisters(int first, int last) {
            return exclude(Table.HOLDING_REGISTER, first, last);
        }

        /**
         * Never reads the input registers {@code first..last}; see {@link #excludeHoldingRegisters}.
         *
         * @param first the first excluded number, 1-based
         * @param last the last excluded number, not before {@code first}
         * @return this builder
         */
        public Builder excludeInputRegisters(int first, int last) {
            return exclude(Table.INPUT_REGISTER, first, last);
        }

        /**
         * Never reads the coils {@code first..last}; see {@link #excludeHoldingRegisters}.
         *
         * @param first the first excluded number, 1-based
         * @param last the last excluded number, not before {@code first}
         * @return this builder
         */
        public Builder excludeCoils(int first, int last) {
            return exclude(Table.COIL, first, last);
        }

        /**
         * Never reads the discrete inputs {@code first..last}; see {@link #excludeHoldingRegisters}.
         *
         * @param first the first excluded number, 1-based
         * @param last the last excluded number, not before {@code first}
         * @return this builder
         */
        public Builder excludeDiscreteInputs(int first, int last) {
            return exclude(Table.DISCRETE_INPUT, first, last);
        }

        Builder exclude(Table table, int first, int last) {
            String ctx = device() + ", field=exclude";
            int a = table.toWire(first, ctx);
            int b = table.toWire(last, ctx);
            if (b < a) {
                throw new IllegalArgumentException("exclusion ends before it starts [" + ctx + ", first=" + first
                        + ", last=" + last + "]");
            }
            exclusions.computeIfAbsent(table, t -> new ArrayList<>()).add(new int[] {a, b});
            return this;
        }

        /**
         * The clock that timestamps samples; default the system UTC clock.
         *
         * @param clock the clock read when a response arrives or a failure is written
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Adds every point of a CSV register map, the spreadsheet engineers already keep.
         *
         * <pre>
         * name,address,type,order,scale,offset,unit,description
         * boiler.temp,40001,float32,CDAB,0.1,0,degC,Boiler temperature
         * pump.speed,30010,uint16,,,,rpm,
         * pump.running,00001,bool,,,,,
         * </pre>
         *
         * <p>The first non-comment line is the header; columns may come in any order and their
         * names are case-insensitive. {@code name} and {@code address} are required. Optional:
         * {@code type} (default uint16, or bool for coils and discrete inputs; int16, uint16,
         * int32, uint32, int64, uint64, float32, float64, bit, and the aliases float, real,
         * double, int, word, dint, dword), {@code order} (ABCD, DCBA, BADC, CDAB; default ABCD),
         * {@code scale} (1), {@code offset} (0), {@code table} (holding, input, coil, discrete),
         * {@code unit_id} and {@code bit}; {@code unit} and {@code description} are accepted
         * and ignored. Without a {@code table} column the address must be in the 5- or 6-digit
         * form whose first digit names the table (00001 coil, 10001 discrete input, 30001 input
         * register, 40001 holding register). Blank lines and lines starting with {@code #} are
         * skipped; fields may be double-quoted. A {@code string} type is refused: samples are
         * numbers. Refused as well, naming file, line, column and value: an {@code order}
         * without a type, or with bool or bit; {@code bool} on a register (use type
         * {@code bit} with a {@code bit} column); a {@code bit} column with any type but
         * {@code bit}; a value that runs past the last register; non-blank fields beyond the
         * header's columns.
         *
         * @param csv the CSV file, UTF-8
         * @return this builder
         * @throws IllegalArgumentException naming the file, line and column of the first error,
         *     such as {@code unknown type 'flaot32' [file=map.csv, line=3, column=3 (type)]}
         * @throws java.io.UncheckedIOException if the file cannot be read
         */
        public Builder registerMap(Path csv) {
            RegisterMaps.read(csv, this);
            return this;
        }

        /**
         * Adds every point of a map read by {@link ModbusSource#fromCsv(Path)}.
         *
         * @param map the checked points
         * @return this builder
         */
        public Builder registerMap(RegisterMap map) {
            Objects.requireNonNull(map, "map").applyTo(this);
            return this;
        }

        /** The tags configured so far, in order (null for a point whose tag is not set yet). */
        List<String> tags() {
            List<String> out = new ArrayList<>(points.size());
            for (PointBuilder p : points) {
                out.add(p.tag);
            }
            return out;
        }

        /**
         * Starts a holding register point (fc 03); {@code number} as in {@link ModbusSource}.
         *
         * @param number the 1-based register number, in any spelling the table accepts (see {@link ModbusSource})
         * @return the new point's builder
         */
        public PointBuilder holdingRegister(int number) {
            return point(Table.HOLDING_REGISTER, number);
        }

        /**
         * Starts an input register point (fc 04); {@code number} as in {@link ModbusSource}.
         *
         * @param number the 1-based register number, in any spelling the table accepts (see {@link ModbusSource})
         * @return the new point's builder
         */
        public PointBuilder inputRegister(int number) {
            return point(Table.INPUT_REGISTER, number);
        }

        /**
         * Starts a coil point (fc 01), 1-based: coil 1 is wire address 0.
         *
         * @param number the coil number, 1 to 65536
         * @return the new point's builder
         */
        public PointBuilder coil(int number) {
            return point(Table.COIL, number);
        }

        /**
         * Starts a discrete input point (fc 02); {@code number} as in {@link ModbusSource}.
         *
         * @param number the 1-based register number, in any spelling the table accepts (see {@link ModbusSource})
         * @return the new point's builder
         */
        public PointBuilder discreteInput(int number) {
            return point(Table.DISCRETE_INPUT, number);
        }

        PointBuilder point(Table table, int number) {
            String ctx = device() + ", point #" + (points.size() + 1) + ", field=address";
            PointBuilder p = new PointBuilder(this, table, number, table.toWire(number, ctx));
            points.add(p);
            return p;
        }

        /**
         * Checks the configuration, plans the requests and returns the source.
         *
         * @return the source; hand it to {@code Historian.Builder.source}
         * @throws IllegalStateException if no point is configured, a point has no tag, two
         *     points share a tag, a point overlaps an excluded range, runs past address 65535,
         *     or is wider than one request
         */
        public ModbusSource build() {
            String deviceName = name != null ? name : host + ":" + port;
            if (points.isEmpty()) {
                throw new IllegalStateException("no points configured [device=" + deviceName + "]");
            }
            RequestPlanner planner = new RequestPlanner(maxGap, maxRegisters, maxBits, requestPerTag, exclusions);
            Map<String, Integer> seen = new HashMap<>();
            List<Point> built = new ArrayList<>();
            for (int i = 0; i < points.size(); i++) {
                PointBuilder pb = points.get(i);
                String where = "device=" + deviceName + ", point #" + (i + 1) + ", " + pb.table.label + " " + pb.number;
                if (pb.tag == null) {
                    throw new IllegalStateException("point has no tag; call tag(name) [" + where + ", field=tag]");
                }
                where = "device=" + deviceName + ", tag=" + pb.tag + ", " + pb.table.label + " " + pb.number;
                Integer previous = seen.putIfAbsent(pb.tag, i + 1);
                if (previous != null) {
                    throw new IllegalStateException("duplicate tag name, also point #" + previous + " [" + where
                            + ", field=tag]");
                }
                Point p = pb.toPoint(unitId);
                if (p.end() > 65536) {
                    throw new IllegalStateException(p.type() + " runs past the last address 65535 [" + where
                            + ", field=address]");
                }
                if (p.width() > planner.limit(p.table())) {
                    throw new IllegalStateException(p.type() + " needs " + p.width() + " registers, more than one"
                            + " request may read (" + planner.limit(p.table()) + ") [" + where + ", field=type]");
                }
                if (planner.excluded(p.table(), p.address(), p.end())) {
                    throw new IllegalStateException("point overlaps an excluded range [" + where + ", field=address]");
                }
                built.add(p);
            }
            DeviceConfig config = new DeviceConfig(deviceName, host, port, rtu, pollInterval, timeout, retries,
                    pauseAfterConnect, pauseBetweenRequests, backoffInitial, backoffMax, clock, built,
                    planner.plan(built), tcpFraming);
            return new ModbusSource(config);
        }

        /**
         * Internal: who frames Modbus TCP (j2mod by default, or our own framing), so that the
         * throughput harness and the tests can compare both; not part of the API.
         */
        Builder tcpFraming(ModbusConnection.Framing framing) {
            this.tcpFraming = Objects.requireNonNull(framing, "framing");
            return this;
        }

        private Duration positive(Duration d, String field) {
            Objects.requireNonNull(d, field);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(field + " must be positive [" + device() + ", " + field + "=" + d + "]");
            }
            return d;
        }

        private Duration nonNegative(Duration d, String field) {
            Objects.requireNonNull(d, field);
            if (d.isNegative()) {
                throw new IllegalArgumentException(field + " must not be negative [" + device() + ", " + field + "=" + d + "]");
            }
            return d;
        }
    }

    static int checkUnit(int unitId, String context) {
        if (unitId < 0 || unitId > 255) {
            throw new IllegalArgumentException("unitId out of range 0..255 [" + context + ", unitId=" + unitId + "]");
        }
        return unitId;
    }

    /**
     * Configures one point: its data type and order, its tag, scale, offset and unit id. The
     * value written is {@code raw * scale + offset}, each step left out when it is the identity
     * (scale 1, offset 0), so that by default the raw value passes bit for bit (IEEE
     * {@code -0.0 + 0.0} would be {@code +0.0}). Registers default to {@code uint16};
     * coils and discrete inputs are 0 or 1. Chain the next table method or
     * {@link #build()} to go on.
     *
     * <p><b>Thread safety:</b> not thread-safe; use from one thread.
     */
    public static final class PointBuilder {
        private final Builder device;
        private final Table table;
        private final int number;
        private final int wire;
        private DataType type;
        private WordOrder order = WordOrder.ABCD;
        private int bit = -1;
        private String tag;
        private double scale = 1.0;
        private double offset;
        private Integer unitId;

        PointBuilder(Builder device, Table table, int number, int wire) {
            this.device = device;
            this.table = table;
            this.number = number;
            this.wire = wire;
            this.type = table.isBits() ? DataType.BOOL : DataType.UINT16;
        }

        private String where() {
            return device.device() + (tag != null ? ", tag=" + tag : "") + ", " + table.label + " " + number;
        }

        PointBuilder type(DataType t, WordOrder o) {
            Objects.requireNonNull(o, "order");
            if (table.isBits()) {
                throw new IllegalArgumentException(table.label + " points are boolean, " + t + " does not apply ["
                        + where() + ", field=type]");
            }
            this.type = t;
            this.order = o;
            return this;
        }

        /**
         * Signed 16-bit.
         *
         * @return this point's builder
         */
        public PointBuilder int16() {
            return type(DataType.INT16, WordOrder.ABCD);
        }

        /**
         * Signed 16-bit with the bytes in {@code order} (BADC and DCBA swap them).
         *
         * @param order the byte order; BADC and DCBA swap the two bytes
         * @return this point's builder
         */
        public PointBuilder int16(WordOrder order) {
            return type(DataType.INT16, order);
        }

        /**
         * Unsigned 16-bit (the default for registers).
         *
         * @return this point's builder
         */
        public PointBuilder uint16() {
            return type(DataType.UINT16, WordOrder.ABCD);
        }

        /**
         * Unsigned 16-bit with the bytes in {@code order}.
         *
         * @param order the byte order; BADC and DCBA swap the two bytes
         * @return this point's builder
         */
        public PointBuilder uint16(WordOrder order) {
            return type(DataType.UINT16, order);
        }

        /**
         * Signed 32-bit over two registers.
         *
         * @param order the byte and word order on the wire
         * @return this point's builder
         */
        public PointBuilder int32(WordOrder order) {
            return type(DataType.INT32, order);
        }

        /**
         * Unsigned 32-bit over two registers.
         *
         * @param order the byte and word order on the wire
         * @return this point's builder
         */
        public PointBuilder uint32(WordOrder order) {
            return type(DataType.UINT32, order);
        }

        /**
         * Signed 64-bit over four registers; values beyond 2^53 lose precision as doubles.
         *
         * @param order the byte and word order on the wire
         * @return this point's builder
         */
        public PointBuilder int64(WordOrder order) {
            return type(DataType.INT64, order);
        }

        /**
         * Unsigned 64-bit over four registers; values beyond 2^53 lose precision as doubles.
         *
         * @param order the byte and word order on the wire
         * @return this point's builder
         */
        public PointBuilder uint64(WordOrder order) {
            return type(DataType.UINT64, order);
        }

        /**
         * IEEE 754 single precision over two registers.
         *
         * @param order the byte and word order on the wire
         * @return this point's builder
         */
        public PointBuilder float32(WordOrder order) {
            return type(DataType.FLOAT32, order);
        }

        /**
         * IEEE 754 double precision over four registers.
         *
         * @param order the byte and word order on the wire
         * @return this point's builder
         */
        public PointBuilder float64(WordOrder order) {
            return type(DataType.FLOAT64, order);
        }

        /**
         * One bit of the register, 0 (least significant) to 15; the value is 0 or 1.
         *
         * @param index the bit, 0 (least significant) to 15
         * @return this point's builder
         */
        public PointBuilder bit(int index) {
            if (index < 0 || index > 15) {
                throw new IllegalArgumentException("bit index out of range 0..15 [" + where() + ", bit=" + index + "]");
            }
            type(DataType.BIT, WordOrder.ABCD);
            this.bit = index;
            return this;
        }

        /**
         * The historian tag the values go to (required).
         *
         * @param name a valid tag name (see {@link TagDefinition}), unique within the device
         * @return this point's builder
         */
        public PointBuilder tag(String name) {
            Objects.requireNonNull(name, "tag");
            String problem = TagDefinition.nameProblem(name);
            if (problem != null) {
                throw new IllegalArgumentException("invalid tag name: " + problem + " [" + where() + ", field=tag, tag=" + name + "]");
            }
            this.tag = name;
            return this;
        }

        /**
         * Multiplied into the raw value; default 1. IEEE rules apply: -0.0 times a positive
         * scale stays -0.0, NaN stays NaN (its payload is not guaranteed), an infinity keeps
         * or flips its sign with the scale's.
         *
         * @param factor the scale, finite and not zero
         * @return this point's builder
         */
        public PointBuilder scale(double factor) {
            if (!Double.isFinite(factor) || factor == 0) {
                throw new IllegalArgumentException("scale must be finite and non-zero [" + where() + ", scale=" + factor + "]");
            }
            this.scale = factor;
            return this;
        }

        /**
         * Added after scaling; default 0. An offset of 0 is not added at all, so a device's
         * -0.0 stays -0.0; a non-zero offset turns a zero of either sign into the offset.
         *
         * @param offset the offset in the tag's unit, finite
         * @return this point's builder
         */
        public PointBuilder offset(double offset) {
            if (!Double.isFinite(offset)) {
                throw new IllegalArgumentException("offset must be finite [" + where() + ", offset=" + offset + "]");
            }
            this.offset = offset;
            return this;
        }

        /**
         * The unit id of this point when it differs from the device's, for several slaves
         * behind one gateway; they share the connection and its one-at-a-time request queue.
         *
         * @param unitId the unit (slave) id, 0 to 255
         * @return this point's builder
         */
        public PointBuilder unitId(int unitId) {
            this.unitId = checkUnit(unitId, where());
            return this;
        }

        /**
         * Finishes this point and starts a holding register point.
         *
         * @param number the 1-based register number, in any spelling the table accepts (see {@link ModbusSource})
         * @return the new point's builder
         */
        public PointBuilder holdingRegister(int number) {
            return device.holdingRegister(number);
        }

        /**
         * Finishes this point and starts an input register point.
         *
         * @param number the 1-based register number, in any spelling the table accepts (see {@link ModbusSource})
         * @return the new point's builder
         */
        public PointBuilder inputRegister(int number) {
            return device.inputRegister(number);
        }

        /**
         * Finishes this point and starts a coil point.
         *
         * @param number the coil number, 1 to 65536
         * @return the new point's builder
         */
        public PointBuilder coil(int number) {
            return device.coil(number);
        }

        /**
         * Finishes this point and starts a discrete input point.
         *
         * @param number the 1-based register number, in any spelling the table accepts (see {@link ModbusSource})
         * @return the new point's builder
         */
        public PointBuilder discreteInput(int number) {
            return device.discreteInput(number);
        }

        /**
         * Finishes this point and builds the source; see {@link Builder#build()}.
         *
         * @return the source
         */
        public ModbusSource build() {
            return device.build();
        }

        Point toPoint(int defaultUnit) {
            return new Point(tag, unitId != null ? unitId : defaultUnit, table, wire, type, order, bit, scale, offset);
        }
    }
}
