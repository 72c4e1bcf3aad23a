package io.historian.examples;

import com.digitalpetri.modbus.server.ModbusTcpServer;
import com.digitalpetri.modbus.server.ProcessImage;
import com.digitalpetri.modbus.server.ReadWriteModbusServices;
import com.digitalpetri.modbus.tcp.server.NettyTcpServerTransport;
import io.historian.Historian;
import io.historian.Interpolation;
import io.historian.Quality;
import io.historian.SampleBatch;
import io.historian.TagDefinition;
import io.historian.modbus.ModbusSource;
import io.historian.modbus.WordOrder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small plant behind two real Modbus TCP servers on 127.0.0.1: {@code plc-1} (tanks, a pump, a
 * valve, a heated reactor: 32 registers and bits) and {@code rio-2}, a remote I/O rack with eight
 * field temperatures that drops out for a few seconds every minute (its listener closes and its
 * connections are cut, so pollers record {@code Bad_NoCommunication}).
 *
 * <pre>{@code
 * try (SimulatedPlant plant = SimulatedPlant.start(Duration.ofMinutes(1), Duration.ofSeconds(6),
 *         Duration.ofHours(6), Duration.ofSeconds(1), 42);
 *      Historian historian = Historian.builder().dataDirectory(dir)
 *              .source(plant.plcSource(Duration.ofMillis(200)))
 *              .source(plant.rioSource(Duration.ofMillis(200)))
 *              .build()) { ... }
 * }</pre>
 *
 * <p>The physics ({@link PlantModel}) runs on simulated time through the history before the
 * start, then on real time; {@link #backfill} writes that history through the same model and
 * register encodings, so history and live polls join without a seam.
 *
 * <p><b>Threads:</b> {@code plant-physics} steps the model ten times a second, writes the
 * registers and takes {@code rio-2} off and on line; Netty's {@code plant-modbus} threads answer
 * requests. All are daemon threads, stopped by {@link #close()}.
 */
public final class SimulatedPlant implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedPlant.class);

    /** Device names, as the sources report them. */
    public static final String PLC = "plc-1";
    /** The device that drops out every {@code dropoutEvery}. */
    public static final String RIO = "rio-2";

    private final PlantModel model;
    private final long seed;
    private final Duration history;
    private final Duration historyStep;
    private final Duration dropoutEvery;
    private final Duration dropoutFor;
    private final long startMillis;
    // Live dropouts count from here: the plant's start, moved to the end of backfill() so a slow
    // backfill does not swallow the first live dropout.
    private volatile long liveAnchorMillis;
    private final NioEventLoopGroup eventLoop;
    private final ExecutorService serverExecutor;
    private final ScheduledExecutorService physics;
    private final Device plc;
    private final Device rio;
    private long lastStepNanos; // plant-physics only, after start

    private SimulatedPlant(Duration dropoutEvery, Duration dropoutFor, Duration history, Duration historyStep,
            long seed) {
        this.model = new PlantModel(seed);
        this.seed = seed;
        this.history = history;
        this.historyStep = historyStep;
        this.dropoutEvery = dropoutEvery;
        this.dropoutFor = dropoutFor;
        this.startMillis = System.currentTimeMillis();
        this.liveAnchorMillis = startMillis;
        this.eventLoop = new NioEventLoopGroup(1, new DefaultThreadFactory("plant-modbus", true));
        this.serverExecutor = Executors.newFixedThreadPool(2, new DefaultThreadFactory("plant-modbus-exec", true));
        this.plc = new Device(PLC);
        this.rio = new Device(RIO);
        this.physics = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "plant-physics");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the plant: its physics first runs through {@code history} on simulated time (see
     * {@link #backfill}), then both servers listen on ephemeral ports of 127.0.0.1 and the physics
     * carries on in real time.
     *
     * @param dropoutEvery how often {@code rio-2} drops out (the plant's minute)
     * @param dropoutFor how long it stays away each time; it leaves {@code dropoutEvery / 12}
     *     into each period, counted from the plant's start (live: from the end of
     *     {@link #backfill}, if called)
     * @param history how long the plant ran before it started (zero: none)
     * @param historyStep the sample period of that history
     * @param seed the noise seed
     */
    public static SimulatedPlant start(Duration dropoutEvery, Duration dropoutFor, Duration history,
            Duration historyStep, long seed) {
        if (dropoutEvery.toMillis() <= 0 || dropoutFor.isNegative()
                || dropoutFor.toMillis() + dropoutEvery.toMillis() / 12 >= dropoutEvery.toMillis()) {
            throw new IllegalArgumentException("the dropout must fit in its period [dropoutEvery=" + dropoutEvery
                    + ", dropoutFor=" + dropoutFor + "]");
        }
        if (history.isNegative() || historyStep.toMillis() <= 0) {
            throw new IllegalArgumentException("history must not be negative and its step must be positive [history="
                    + history + ", historyStep=" + historyStep + "]");
        }
        SimulatedPlant plant = new SimulatedPlant(dropoutEvery, dropoutFor, history, historyStep, seed);
        try {
            plant.runHistory(plant.model, null);
            plant.publish();
            plant.plc.open(0);
            plant.rio.open(0);
            plant.lastStepNanos = System.nanoTime();
            plant.physics.scheduleAtFixedRate(plant::tick, 100, 100, TimeUnit.MILLISECONDS);
            return plant;
        } catch (RuntimeException e) {
            plant.close();
            throw e;
        }
    }

    /** The TCP port of {@code plc-1} on 127.0.0.1. */
    public int plcPort() {
        return plc.port;
    }

    /** The TCP port of {@code rio-2} on 127.0.0.1. */
    public int rioPort() {
        return rio.port;
    }

    /** True while {@code rio-2} is off line. */
    public boolean rioOffline() {
        return rio.server.get() == null;
    }

    /** A source polling {@code plc-1}: every plant tag but the field temperatures. */
    public ModbusSource plcSource(Duration pollEvery) {
        return source(PLC, plcPort(), pollEvery);
    }

    /**
     * A source polling {@code rio-2}; its backoff is capped at one second so it is back soon after
     * the device is.
     */
    public ModbusSource rioSource(Duration pollEvery) {
        return source(RIO, rioPort(), pollEvery);
    }

    private static ModbusSource source(String device, int port, Duration pollEvery) {
        ModbusSource.Builder b = ModbusSource.tcp("127.0.0.1", port).name(device).unitId(1)
                .pollEvery(pollEvery).timeout(Duration.ofMillis(500)).backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        ModbusSource.PointBuilder p = null;
        for (Point point : Point.ALL) {
            if (!point.device.equals(device)) {
                continue;
            }
            p = switch (point.kind) {
                case FLOAT32 -> (p == null ? b.holdingRegister(point.address) : p.holdingRegister(point.address))
                        .float32(WordOrder.ABCD);
                case UINT16 -> (p == null ? b.holdingRegister(point.address) : p.holdingRegister(point.address))
                        .uint16();
                case UINT32 -> (p == null ? b.holdingRegister(point.address) : p.holdingRegister(point.address))
                        .uint32(WordOrder.ABCD);
                case INT16_INPUT -> (p == null ? b.inputRegister(point.address) : p.inputRegister(point.address))
                        .int16();
                case COIL -> p == null ? b.coil(point.address) : p.coil(point.address);
                case DISCRETE -> p == null ? b.discreteInput(point.address) : p.discreteInput(point.address);
            };
            p = p.tag(point.tag);
            if (point.scale != 1) {
                p = p.scale(point.scale);
            }
        }
        if (p == null) {
            throw new IllegalStateException("no points for device " + device);
        }
        return p.build();
    }

    /** The plant's tags with units and descriptions, for {@code Historian.Builder.tag}. */
    public static List<TagDefinition> tagDefinitions() {
        List<TagDefinition> out = new ArrayList<>();
        for (Point p : Point.ALL) {
            TagDefinition d = TagDefinition.of(p.tag).unit(p.unit).description(p.description + " (" + p.device + ")");
            if (p.kind == Kind.COIL || p.kind == Kind.DISCRETE) {
                d = d.interpolation(Interpolation.STEPPED);
            }
            out.add(d);
        }
        return out;
    }

    /** Number of tags the plant has. */
    public static int tagCount() {
        return Point.ALL.size();
    }

    /**
     * Writes the history the pollers would have recorded before the plant started (the
     * {@code history} given to {@link #start}, one sample per tag per {@code historyStep}): a
     * fresh model with the same seed replays the steps the live one took at start, so the history
     * ends exactly where the live registers begin. {@code rio-2}'s tags are
     * {@code Bad_NoCommunication} during its dropouts, as live.
     *
     * @return the samples written
     */
    public long backfill(Historian historian) {
        long written = runHistory(new PlantModel(seed), historian);
        liveAnchorMillis = System.currentTimeMillis();
        return written;
    }

    private long runHistory(PlantModel sim, Historian sink) {
        double stepSeconds = historyStep.toMillis() / 1000.0;
        SampleBatch batch = sink == null ? null : new SampleBatch(64 * 1024);
        long written = 0;
        for (long t = startMillis - history.toMillis(); t < startMillis; t += historyStep.toMillis()) {
            sim.step(stepSeconds);
            if (sink == null) {
                continue;
            }
            boolean rioAway = offlineAt(t, startMillis);
            for (Point p : Point.ALL) {
                if (rioAway && p.device.equals(RIO)) {
                    batch.add(p.tag, t, Double.NaN, Quality.BAD_NO_COMMUNICATION);
                } else {
                    batch.add(p.tag, t, p.decoded(sim), Quality.GOOD);
                }
            }
            if (batch.size() >= 60_000) {
                sink.write(batch);
                written += batch.size();
                batch.clear();
            }
        }
        if (sink != null) {
            sink.write(batch);
            written += batch.size();
        }
        return written;
    }

    /** When the plant started: live polls come after it, backfilled history before. */
    public Instant startTime() {
        return Instant.ofEpochMilli(startMillis);
    }

    private boolean offlineAt(long epochMillis, long anchorMillis) {
        long period = dropoutEvery.toMillis();
        long phase = Math.floorMod(epochMillis - anchorMillis, period);
        long leave = period / 12;
        return phase >= leave && phase < leave + dropoutFor.toMillis();
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            double seconds = (now - lastStepNanos) / 1e9;
            lastStepNanos = now;
            model.step(Math.min(seconds, 5));
            publish();
            boolean away = offlineAt(System.currentTimeMillis(), liveAnchorMillis);
            if (away && rio.server.get() != null) {
                LOG.info("{} drops out (listener closed, connections cut)", RIO);
                rio.shut();
            } else if (!away && rio.server.get() == null) {
                LOG.info("{} is back on port {}", RIO, rio.port);
                rio.open(rio.port);
            }
        } catch (RuntimeException e) {
            // Keep the plant running: a failed restart is retried on the next tick.
            LOG.warn("plant tick failed, retrying next tick", e);
        }
    }

    private void publish() {
        for (Device d : new Device[] {plc, rio}) {
            d.image.with(tx -> {
                tx.writeHoldingRegisters(m -> put(d.name, Kind.FLOAT32, m));
                tx.writeInputRegisters(m -> put(d.name, Kind.INT16_INPUT, m));
                tx.writeCoils(m -> putBits(d.name, Kind.COIL, m));
                tx.writeDiscreteInputs(m -> putBits(d.name, Kind.DISCRETE, m));
            });
        }
    }

    private void put(String device, Kind table, Map<Integer, byte[]> m) {
        for (Point p : Point.ALL) {
            if (!p.device.equals(device) || p.table() != table) {
                continue;
            }
            long raw = p.raw(model);
            int words = p.kind == Kind.FLOAT32 || p.kind == Kind.UINT32 ? 2 : 1;
            int wire = p.wire();
            for (int i = 0; i < words; i++) {
                int word = (int) (raw >>> (16 * (words - 1 - i))) & 0xFFFF;
                m.put(wire + i, new byte[] {(byte) (word >> 8), (byte) word});
            }
        }
    }

    private void putBits(String device, Kind table, Map<Integer, Boolean> m) {
        for (Point p : Point.ALL) {
            if (p.device.equals(device) && p.kind == table) {
                m.put(p.wire(), p.value.applyAsDouble(model) != 0);
            }
        }
    }

    /** Stops the physics and both servers; idempotent. */
    @Override
    public void close() {
        physics.shutdownNow();
        try {
            physics.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        plc.shut();
        rio.shut();
        serverExecutor.shutdownNow();
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** One Modbus TCP server with its own image; can leave and come back on the same port. */
    private final class Device {
        final String name;
        final ProcessImage image = new ProcessImage();
        final AtomicReference<ModbusTcpServer> server = new AtomicReference<>();
        final Set<Channel> connections = ConcurrentHashMap.newKeySet();
        volatile int port;

        Device(String name) {
            this.name = name;
        }

        /** Binds {@code port} (0: an ephemeral one, read back from the bound channel). */
        void open(int wanted) {
            AtomicReference<Channel> listener = new AtomicReference<>();
            NettyTcpServerTransport transport = NettyTcpServerTransport.create(cfg -> {
                cfg.setBindAddress("127.0.0.1");
                cfg.setPort(wanted);
                cfg.setEventLoopGroup(eventLoop);
                cfg.setExecutor(serverExecutor);
                cfg.setBootstrapCustomizer(b -> b.handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void handlerAdded(ChannelHandlerContext ctx) {
                        listener.set(ctx.channel());
                    }
                }));
                // Remember accepted connections: a device that drops out must cut them too.
                cfg.setPipelineCustomizer(pipeline -> {
                    Channel ch = pipeline.channel();
                    connections.add(ch);
                    ch.closeFuture().addListener(f -> connections.remove(ch));
                });
            });
            ReadWriteModbusServices services = new ReadWriteModbusServices() {
                @Override
                protected Optional<ProcessImage> getProcessImage(int unitId) {
                    return Optional.of(image);
                }
            };
            ModbusTcpServer s = ModbusTcpServer.create(transport, services);
            try {
                s.start();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("cannot start Modbus server [device=" + name + ", port=" + wanted + "]", e);
            }
            Channel ch = listener.get();
            if (ch == null || !(ch.localAddress() instanceof InetSocketAddress bound)) {
                stop(s);
                throw new IllegalStateException("Modbus server bound, but its port is unknown [device=" + name + "]");
            }
            port = bound.getPort();
            server.set(s);
        }

        void shut() {
            ModbusTcpServer s = server.getAndSet(null);
            if (s != null) {
                stop(s);
            }
            for (Channel ch : connections) {
                ch.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
            }
        }

        private void stop(ModbusTcpServer s) {
            try {
                s.stop();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                LOG.warn("cannot stop Modbus server [device={}]", name, e);
            }
        }
    }

    private enum Kind { FLOAT32, UINT16, UINT32, INT16_INPUT, COIL, DISCRETE }

    /** One register or bit: where it lives, how it is encoded, and which model value it shows. */
    private record Point(String tag, String device, Kind kind, int address, double scale, String unit,
                         String description, ToDoubleFunction<PlantModel> value) {
        static final List<Point> ALL = build();

        private static List<Point> build() {
            List<Point> l = new ArrayList<>();
            l.add(new Point("tank1.level", PLC, Kind.FLOAT32, 40001, 1, "m", "tank 1 level", m -> m.tank1Level));
            l.add(new Point("tank2.level", PLC, Kind.FLOAT32, 40003, 1, "m", "tank 2 level", m -> m.tank2Level));
            l.add(new Point("tank1.inflow", PLC, Kind.FLOAT32, 40005, 1, "m3/h", "tank 1 inflow", m -> m.inflow));
            l.add(new Point("pump1.flow", PLC, Kind.FLOAT32, 40007, 1, "m3/h", "pump 1 flow", m -> m.pumpFlow));
            l.add(new Point("tank2.outflow", PLC, Kind.FLOAT32, 40009, 1, "m3/h", "tank 2 outflow", m -> m.tank2Outflow));
            l.add(new Point("reactor.temp", PLC, Kind.FLOAT32, 40011, 1, "°C", "reactor temperature", m -> m.reactorTemp));
            l.add(new Point("reactor.pressure", PLC, Kind.FLOAT32, 40013, 1, "bar", "reactor pressure",
                    m -> m.reactorPressure));
            l.add(new Point("ambient.temp", PLC, Kind.FLOAT32, 40015, 1, "°C", "ambient temperature", m -> m.ambientTemp));
            l.add(new Point("coolant.temp", PLC, Kind.FLOAT32, 40017, 1, "°C", "coolant temperature", m -> m.coolantTemp));
            l.add(new Point("pump1.speed", PLC, Kind.UINT16, 40020, 1, "rpm", "pump 1 speed", m -> m.pumpSpeed));
            l.add(new Point("valve1.position", PLC, Kind.UINT16, 40021, 0.1, "%", "valve 1 position", m -> m.valvePosition));
            l.add(new Point("pump1.current", PLC, Kind.UINT16, 40022, 0.01, "A", "pump 1 motor current", m -> m.pumpCurrent));
            l.add(new Point("heater.power", PLC, Kind.UINT16, 40023, 0.1, "kW", "reactor heater power", m -> m.heaterPower));
            l.add(new Point("heater.energy", PLC, Kind.UINT32, 40024, 0.1, "kWh", "heater energy counter",
                    m -> m.heaterEnergy));
            l.add(new Point("pump1.running", PLC, Kind.COIL, 1, 1, "", "pump 1 running", m -> m.pumpRunning ? 1 : 0));
            l.add(new Point("valve1.open", PLC, Kind.COIL, 2, 1, "", "valve 1 commanded open", m -> m.valveOpen ? 1 : 0));
            l.add(new Point("heater.on", PLC, Kind.COIL, 3, 1, "", "reactor heater on", m -> m.heaterOn ? 1 : 0));
            l.add(new Point("tank1.high", PLC, Kind.DISCRETE, 10001, 1, "", "tank 1 high level switch",
                    m -> m.tank1High ? 1 : 0));
            l.add(new Point("tank2.low", PLC, Kind.DISCRETE, 10002, 1, "", "tank 2 low level switch",
                    m -> m.tank2Low ? 1 : 0));
            for (int i = 0; i < 8; i++) {
                int n = i;
                l.add(new Point("field.t" + (i + 1), RIO, Kind.INT16_INPUT, 30001 + i, 0.1, "°C",
                        "field temperature " + (i + 1), m -> m.fieldTemps[n]));
            }
            l.add(new Point("rio2.heartbeat", RIO, Kind.INT16_INPUT, 30009, 1, "", "remote I/O heartbeat counter",
                    m -> m.heartbeat));
            return List.copyOf(l);
        }

        Kind table() {
            return kind == Kind.UINT16 || kind == Kind.UINT32 ? Kind.FLOAT32 : kind;
        }

        /** The 0-based wire address (5-digit Modbus numbers, plain numbers for coils). */
        int wire() {
            return switch (kind) {
                case FLOAT32, UINT16, UINT32 -> address - 40001;
                case INT16_INPUT -> address - 30001;
                case DISCRETE -> address - 10001;
                case COIL -> address - 1;
            };
        }

        /** The register contents for the model's current value. */
        long raw(PlantModel m) {
            double v = value.applyAsDouble(m);
            return switch (kind) {
                case FLOAT32 -> Float.floatToIntBits((float) v) & 0xFFFF_FFFFL;
                case UINT16 -> Math.max(0, Math.min(0xFFFF, Math.round(v / scale)));
                case UINT32 -> Math.max(0, Math.min(0xFFFF_FFFFL, Math.round(v / scale)));
                case INT16_INPUT -> Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(v / scale))) & 0xFFFF;
                case COIL, DISCRETE -> v != 0 ? 1 : 0;
            };
        }

        /** The value a poller decodes from {@link #raw}, so backfilled history matches live polls. */
        double decoded(PlantModel m) {
            long raw = raw(m);
            return switch (kind) {
                case FLOAT32 -> Float.intBitsToFloat((int) raw);
                case UINT16, UINT32 -> raw * scale;
                case INT16_INPUT -> (short) raw * scale;
                case COIL, DISCRETE -> raw;
            };
        }
    }
}
