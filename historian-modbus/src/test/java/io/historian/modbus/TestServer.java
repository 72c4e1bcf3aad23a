package io.historian.modbus;

import com.digitalpetri.modbus.server.ModbusRequestContext;
import com.digitalpetri.modbus.server.ModbusTcpServer;
import com.digitalpetri.modbus.server.ProcessImage;
import com.digitalpetri.modbus.server.ReadWriteModbusServices;
import com.digitalpetri.modbus.tcp.server.NettyTcpServerTransport;
import com.digitalpetri.modbus.exceptions.UnknownUnitIdException;
import com.digitalpetri.modbus.pdu.ReadCoilsRequest;
import com.digitalpetri.modbus.pdu.ReadCoilsResponse;
import com.digitalpetri.modbus.pdu.ReadDiscreteInputsRequest;
import com.digitalpetri.modbus.pdu.ReadDiscreteInputsResponse;
import com.digitalpetri.modbus.pdu.ReadHoldingRegistersRequest;
import com.digitalpetri.modbus.pdu.ReadHoldingRegistersResponse;
import com.digitalpetri.modbus.pdu.ReadInputRegistersRequest;
import com.digitalpetri.modbus.pdu.ReadInputRegistersResponse;
import com.ghgande.j2mod.modbus.procimg.DigitalIn;
import com.ghgande.j2mod.modbus.procimg.DigitalOut;
import com.ghgande.j2mod.modbus.procimg.InputRegister;
import com.ghgande.j2mod.modbus.procimg.Register;
import com.ghgande.j2mod.modbus.procimg.SimpleDigitalIn;
import com.ghgande.j2mod.modbus.procimg.SimpleDigitalOut;
import com.ghgande.j2mod.modbus.procimg.SimpleInputRegister;
import com.ghgande.j2mod.modbus.procimg.SimpleProcessImage;
import com.ghgande.j2mod.modbus.procimg.SimpleRegister;
import com.ghgande.j2mod.modbus.slave.ModbusSlave;
import com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * A real Modbus TCP server on 127.0.0.1 with an ephemeral port (bound race-free, see the
 * constructors), either j2mod's slave or
 * digitalpetri's server, with the values a test places and a count of the read requests it
 * served (and the largest quantity one request asked for).
 */
abstract class TestServer implements AutoCloseable {
    static final int SIZE = 2100;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger maxQuantity = new AtomicInteger();

    abstract int port();

    abstract void holding(int wire, int... words);

    abstract void input(int wire, int... words);

    abstract void coil(int wire, boolean value);

    abstract void discrete(int wire, boolean value);

    abstract String kind();

    @Override
    public abstract void close();

    @Override
    public String toString() {
        return kind();
    }

    void served(int quantity) {
        requests.incrementAndGet();
        maxQuantity.accumulateAndGet(quantity, Math::max);
    }

    static TestServer of(String kind) {
        return switch (kind) {
            case "j2mod" -> new J2mod(false);
            case "j2mod-rtu" -> new J2mod(true);
            case "digitalpetri" -> new Petri();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /**
     * A port on 127.0.0.1 that refuses connections for as long as the returned socket stays
     * open: the socket is bound (so nobody else gets the port) but never listens, so a connect
     * is answered with a reset. Deterministic, unlike "pick a free port and hope it stays free".
     */
    static Socket refusingPort() {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            return s;
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException(e);
        }
    }

    /** A port that was free a moment ago; only for j2mod, which cannot bind port 0, and retried. */
    private static int candidatePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** j2mod's slave; unit 1 and unit 2 each have their own image. */
    static final class J2mod extends TestServer {
        private final ModbusSlave slave;
        private final int port;
        private final CountingImage[] images = {new CountingImage(1), new CountingImage(2)};
        private final boolean rtu;

        final class CountingImage extends SimpleProcessImage {
            CountingImage(int unit) {
                super(unit);
                for (int i = 0; i < SIZE; i++) {
                    addRegister(new SimpleRegister(0));
                    addInputRegister(new SimpleInputRegister(0));
                    addDigitalOut(new SimpleDigitalOut(false));
                    addDigitalIn(new SimpleDigitalIn(false));
                }
            }

            @Override
            public Register[] getRegisterRange(int offset, int count) {
                served(count);
                return super.getRegisterRange(offset, count);
            }

            @Override
            public InputRegister[] getInputRegisterRange(int offset, int count) {
                served(count);
                return super.getInputRegisterRange(offset, count);
            }

            @Override
            public DigitalOut[] getDigitalOutRange(int offset, int count) {
                served(count);
                return super.getDigitalOutRange(offset, count);
            }

            @Override
            public DigitalIn[] getDigitalInRange(int offset, int count) {
                served(count);
                return super.getDigitalInRange(offset, count);
            }
        }

        /**
         * j2mod's listener binds inside its own thread and does not expose the bound socket, and
         * its factory caches slaves by port, so port 0 cannot be used. Instead: take a port that
         * was free, and if another process grabbed it in between ({@code open()} then fails with
         * the bind error), close that slave and try a fresh port; 20 attempts.
         */
        J2mod(boolean rtu) {
            this.rtu = rtu;
            ModbusSlave started = null;
            int bound = -1;
            Exception last = null;
            for (int attempt = 0; attempt < 20 && started == null; attempt++) {
                int candidate = candidatePort();
                ModbusSlave s = null;
                try {
                    s = ModbusSlaveFactory.createTCPSlave(InetAddress.getByName("127.0.0.1"), candidate, 4, rtu);
                    s.addProcessImage(1, images[0]);
                    s.addProcessImage(2, images[1]);
                    s.open();
                    started = s;
                    bound = candidate;
                } catch (Exception e) {
                    last = e;
                    if (s != null) {
                        ModbusSlaveFactory.close(s);
                    }
                }
            }
            if (started == null) {
                throw new IllegalStateException("cannot start j2mod slave after 20 ports", last);
            }
            this.slave = started;
            this.port = bound;
        }

        CountingImage image(int unit) {
            return images[unit - 1];
        }

        @Override
        int port() {
            return port;
        }

        @Override
        void holding(int wire, int... words) {
            for (int i = 0; i < words.length; i++) {
                images[0].getRegister(wire + i).setValue(words[i]);
            }
        }

        void holding(int unit, int wire, int word) {
            images[unit - 1].getRegister(wire).setValue(word);
        }

        @Override
        void input(int wire, int... words) {
            for (int i = 0; i < words.length; i++) {
                images[0].setInputRegister(wire + i, new SimpleInputRegister(words[i]));
            }
        }

        @Override
        void coil(int wire, boolean value) {
            images[0].getDigitalOut(wire).set(value);
        }

        @Override
        void discrete(int wire, boolean value) {
            images[0].setDigitalIn(wire, new SimpleDigitalIn(value));
        }

        @Override
        String kind() {
            return rtu ? "j2mod-rtu" : "j2mod";
        }

        @Override
        public void close() {
            ModbusSlaveFactory.close(slave);
        }
    }

    /** digitalpetri's modbus-tcp server (Netty); every unit id shares one image. */
    static final class Petri extends TestServer {
        private final ProcessImage image = new ProcessImage();
        private final ModbusTcpServer server;
        private final int port;

        /**
         * Binds port 0 and reads the bound port back: the transport does not expose its server
         * channel, but its bootstrap customizer can install a handler on that channel, which
         * captures it; once {@code start()} returns the bind is complete and the channel knows
         * its local address. No race with other processes.
         */
        Petri() {
            AtomicReference<Channel> serverChannel = new AtomicReference<>();
            NettyTcpServerTransport transport = NettyTcpServerTransport.create(cfg -> {
                cfg.setBindAddress("127.0.0.1");
                cfg.setPort(0);
                cfg.setBootstrapCustomizer(b -> b.handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void handlerAdded(ChannelHandlerContext ctx) {
                        serverChannel.set(ctx.channel());
                    }
                }));
            });
            ReadWriteModbusServices services = new ReadWriteModbusServices() {
                @Override
                protected Optional<ProcessImage> getProcessImage(int unitId) {
                    return Optional.of(image);
                }

                @Override
                public ReadHoldingRegistersResponse readHoldingRegisters(ModbusRequestContext ctx, int unitId,
                        ReadHoldingRegistersRequest request) throws UnknownUnitIdException {
                    served(request.quantity());
                    return super.readHoldingRegisters(ctx, unitId, request);
                }

                @Override
                public ReadInputRegistersResponse readInputRegisters(ModbusRequestContext ctx, int unitId,
                        ReadInputRegistersRequest request) throws UnknownUnitIdException {
                    served(request.quantity());
                    return super.readInputRegisters(ctx, unitId, request);
                }

                @Override
                public ReadCoilsResponse readCoils(ModbusRequestContext ctx, int unitId, ReadCoilsRequest request)
                        throws UnknownUnitIdException {
                    served(request.quantity());
                    return super.readCoils(ctx, unitId, request);
                }

                @Override
                public ReadDiscreteInputsResponse readDiscreteInputs(ModbusRequestContext ctx, int unitId,
                        ReadDiscreteInputsRequest request) throws UnknownUnitIdException {
                    served(request.quantity());
                    return super.readDiscreteInputs(ctx, unitId, request);
                }
            };
            server = ModbusTcpServer.create(transport, services);
            try {
                server.start();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start digitalpetri server on port 0", e);
            }
            Channel ch = serverChannel.get();
            if (ch == null || !(ch.localAddress() instanceof InetSocketAddress bound)) {
                close();
                throw new IllegalStateException("digitalpetri server bound, but its port is unknown: " + ch);
            }
            port = bound.getPort();
        }

        private static byte[] bytes(int word) {
            return new byte[] {(byte) (word >> 8), (byte) word};
        }

        @Override
        int port() {
            return port;
        }

        @Override
        void holding(int wire, int... words) {
            image.with(tx -> tx.writeHoldingRegisters(m -> {
                for (int i = 0; i < words.length; i++) {
                    m.put(wire + i, bytes(words[i]));
                }
            }));
        }

        @Override
        void input(int wire, int... words) {
            image.with(tx -> tx.writeInputRegisters(m -> {
                for (int i = 0; i < words.length; i++) {
                    m.put(wire + i, bytes(words[i]));
                }
            }));
        }

        @Override
        void coil(int wire, boolean value) {
            image.with(tx -> tx.writeCoils(m -> m.put(wire, value)));
        }

        @Override
        void discrete(int wire, boolean value) {
            image.with(tx -> tx.writeDiscreteInputs(m -> m.put(wire, value)));
        }

        @Override
        String kind() {
            return "digitalpetri";
        }

        @Override
        public void close() {
            try {
                server.stop();
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop digitalpetri server", e);
            }
        }
    }
}
