package io.historian.modbus;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.ghgande.j2mod.modbus.ModbusException;
import com.ghgande.j2mod.modbus.io.ModbusTCPTransaction;
import com.ghgande.j2mod.modbus.msg.ReadMultipleRegistersRequest;
import com.ghgande.j2mod.modbus.msg.ReadMultipleRegistersResponse;
import com.ghgande.j2mod.modbus.net.TCPMasterConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The connection contracts (transaction ids checked, one deadline per request, CRC checked on
 * RTU over TCP) against j2mod 3.3.0's own master classes and against our connection.
 *
 * <p>The {@code j2mod...} tests assert the defect in j2mod's master classes: each one is why a
 * part of the transport stays ours (README, "j2mod"). If a j2mod upgrade fixes one, its test
 * fails, and that part can move to j2mod. The other tests hold our connection, on both TCP
 * framings, to the same scenario.
 */
class J2modContractTest {
    private static final InetAddress LOCALHOST = loopback();

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName("127.0.0.1");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TCPMasterConnection j2modMaster(int port, int timeoutMillis, boolean rtuOverTcp) throws Exception {
        TCPMasterConnection c = new TCPMasterConnection(LOCALHOST);
        c.setPort(port);
        c.setTimeout(timeoutMillis);
        c.connect(rtuOverTcp);
        return c;
    }

    /** One holding-register read through j2mod's transaction, one attempt (no hidden retry). */
    private static ModbusTCPTransaction j2modRead(TCPMasterConnection c, int wire) {
        ReadMultipleRegistersRequest request = new ReadMultipleRegistersRequest(wire, 1);
        request.setUnitID(1);
        ModbusTCPTransaction tx = new ModbusTCPTransaction(c);
        tx.setRequest(request);
        tx.setRetries(1);
        return tx;
    }

    private static int word(byte[] data) {
        return ((data[0] & 0xFF) << 8) | (data[1] & 0xFF);
    }

    private static long deadlineIn(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    // --- a late answer to a timed-out request --------------------------------------------------

    /**
     * j2mod's ModbusTCPTransaction advances its transaction id only after a transaction that got
     * an answer: a timed-out request leaves the id unchanged, so the next request goes out with
     * the same id, and the late answer to the first request passes its validity check and is
     * returned as the second request's answer: register 0's value for register 1. Why the
     * transaction id stays ours.
     */
    @Test
    void j2modAcceptsALateAnswerToAnotherRequest() throws Exception {
        try (TestServer server = TestServer.of("digitalpetri"); FaultProxy proxy = new FaultProxy(server.port())) {
            server.holding(0, 42, 7);
            TCPMasterConnection c = j2modMaster(proxy.port(), 100, false);
            try {
                proxy.delayMillis = 400;
                proxy.mode(FaultProxy.Mode.SLOW);
                ModbusTCPTransaction first = j2modRead(c, 0);
                assertTrue(first.isCheckingValidity(), "j2mod's default: transaction ids are checked");
                assertThrows(ModbusException.class, first::execute, "register 0 times out");
                await().atMost(Duration.ofSeconds(10)).until(() -> proxy.responsesForwarded.get() == 1);
                proxy.mode(FaultProxy.Mode.PASS);

                ModbusTCPTransaction second = j2modRead(c, 1);
                second.execute();
                ReadMultipleRegistersResponse answer = (ReadMultipleRegistersResponse) second.getResponse();
                // (j2mod bumps a request's id after a successful execute, so the answer's id is
                // the record of what went out)
                assertEquals(first.getRequest().getTransactionID(), answer.getTransactionID(),
                        "the second request went out with the timed-out request's transaction id");
                assertEquals(42, answer.getRegisterValue(0), "register 1 (7) answered with register 0's late value");
            } finally {
                c.close();
            }
        }
    }

    /** Ours: the late answer is discarded by its transaction id and counted; the next request gets its own. */
    @ParameterizedTest
    @EnumSource(ModbusConnection.Framing.class)
    void lateAnswer_isDiscarded_andTheNextRequestGetsItsOwnAnswer(ModbusConnection.Framing framing) throws Exception {
        try (TestServer server = TestServer.of("digitalpetri"); FaultProxy proxy = new FaultProxy(server.port());
             ModbusConnection c = ModbusConnection.open("127.0.0.1", proxy.port(), false, framing, 1000, "late")) {
            server.holding(0, 42, 7);
            proxy.delayMillis = 400;
            proxy.mode(FaultProxy.Mode.SLOW);
            assertThrows(SocketTimeoutException.class,
                    () -> c.read(1, Table.HOLDING_REGISTER, 0, 1, deadlineIn(100), "first"));
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.responsesForwarded.get() == 1);
            proxy.mode(FaultProxy.Mode.PASS);

            assertEquals(7, word(c.read(1, Table.HOLDING_REGISTER, 1, 1, deadlineIn(2000), "second")));
            assertEquals(1, c.staleResponses());
            assertEquals(42, word(c.read(1, Table.HOLDING_REGISTER, 0, 1, deadlineIn(2000), "third")),
                    "the connection is not left one answer behind");
            assertEquals(1, proxy.accepted.get(), "no reconnect");
        }
    }

    // --- the deadline ----------------------------------------------------------------------------

    /**
     * j2mod's transport sets its timeout as the socket's read timeout, which restarts with every
     * read: a device that sends a byte every 100 ms keeps a 200 ms request going for the whole
     * frame (11 bytes, about 1.1 s). TCPMasterConnection opens its own socket, so nothing can be
     * put under j2mod's reads. Why the socket and the deadline stay ours.
     */
    @Test
    void j2modLetsATricklingDeviceHoldARequestPastItsTimeout() throws Exception {
        try (TestServer server = TestServer.of("digitalpetri"); FaultProxy proxy = new FaultProxy(server.port())) {
            server.holding(0, 42);
            TCPMasterConnection c = j2modMaster(proxy.port(), 200, false);
            try {
                proxy.delayMillis = 100;
                proxy.mode(FaultProxy.Mode.TRICKLE);
                ModbusTCPTransaction tx = j2modRead(c, 0);
                long t0 = System.nanoTime();
                tx.execute();
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertEquals(42, ((ReadMultipleRegistersResponse) tx.getResponse()).getRegisterValue(0));
                assertTrue(millis >= 1000, "a 200 ms timeout, answered after " + millis + " ms");
            } finally {
                c.close();
            }
        }
    }

    /**
     * j2mod's transaction, by default, repeats a timed-out request 5 times, closing and
     * reopening the socket before each repeat and sleeping a random while in between, so one
     * call outlives 5 timeouts and reconnects behind the caller. Why retries, backoff and
     * reconnects stay in our poller.
     */
    @Test
    void j2modRetriesAndReconnectsBehindTheCaller() throws Exception {
        try (TestServer server = TestServer.of("digitalpetri"); FaultProxy proxy = new FaultProxy(server.port())) {
            TCPMasterConnection c = j2modMaster(proxy.port(), 100, false);
            try {
                proxy.mode(FaultProxy.Mode.STALL);
                ReadMultipleRegistersRequest request = new ReadMultipleRegistersRequest(0, 1);
                request.setUnitID(1);
                ModbusTCPTransaction tx = new ModbusTCPTransaction(c);
                tx.setRequest(request);
                long t0 = System.nanoTime();
                assertThrows(ModbusException.class, tx::execute);
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(millis >= 500, "5 attempts of 100 ms, took " + millis + " ms");
                assertTrue(proxy.accepted.get() >= 5, "connections opened: " + proxy.accepted.get());
            } finally {
                c.close();
            }
        }
    }

    /** Ours: the same trickle is a timeout at the deadline, on both framings. */
    @ParameterizedTest
    @EnumSource(ModbusConnection.Framing.class)
    void tricklingDevice_timesOutAtTheDeadline(ModbusConnection.Framing framing) throws Exception {
        try (TestServer server = TestServer.of("digitalpetri"); FaultProxy proxy = new FaultProxy(server.port());
             ModbusConnection c = ModbusConnection.open("127.0.0.1", proxy.port(), false, framing, 1000, "trickle")) {
            server.holding(0, 42);
            proxy.delayMillis = 100;
            proxy.mode(FaultProxy.Mode.TRICKLE);
            long t0 = System.nanoTime();
            assertThrows(SocketTimeoutException.class,
                    () -> c.read(1, Table.HOLDING_REGISTER, 0, 1, deadlineIn(200), "trickle"));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            // the deadline is 200 ms; the bound leaves room for a loaded machine, and stays
            // well below the 1.1 s the trickled frame takes
            assertTrue(millis < 700, "a 200 ms deadline, gave up after " + millis + " ms");
        }
    }

    // --- RTU over TCP ----------------------------------------------------------------------------

    /**
     * j2mod's RTU-over-TCP transport reads the CRC of a response and discards it unchecked: a
     * response whose CRC was corrupted on the way is returned as good data. Why RTU over TCP
     * keeps our framing.
     */
    @Test
    void j2modRtuOverTcpAcceptsACorruptCrc() throws Exception {
        try (TestServer server = TestServer.of("j2mod-rtu"); RtuCorruptingProxy proxy = new RtuCorruptingProxy(server.port())) {
            server.holding(0, 42);
            TCPMasterConnection c = j2modMaster(proxy.port(), 2000, true);
            try {
                ModbusTCPTransaction tx = j2modRead(c, 0);
                tx.execute();
                assertEquals(1, proxy.corrupted.size(), "the response went through with a corrupt CRC");
                assertEquals(42, ((ReadMultipleRegistersResponse) tx.getResponse()).getRegisterValue(0));
            } finally {
                c.close();
            }
        }
    }

    /** Ours: the corrupt CRC is a connection error, never data. */
    @Test
    void rtuOverTcp_corruptCrc_isRefused() throws Exception {
        try (TestServer server = TestServer.of("j2mod-rtu"); RtuCorruptingProxy proxy = new RtuCorruptingProxy(server.port());
             ModbusConnection c = ModbusConnection.open("127.0.0.1", proxy.port(), true, 2000, "rtu")) {
            server.holding(0, 42);
            IOException e = assertThrows(IOException.class,
                    () -> c.read(1, Table.HOLDING_REGISTER, 0, 1, deadlineIn(2000), "rtu"));
            assertTrue(e.getMessage().contains("CRC mismatch"), e.getMessage());
            assertEquals(1, proxy.corrupted.size());
        }
    }

    /** Ours, without corruption: both TCP framings read every table alike (unit 1). */
    @ParameterizedTest
    @EnumSource(ModbusConnection.Framing.class)
    void bothFramingsReadTheSameBytes(ModbusConnection.Framing framing) throws Exception {
        try (TestServer server = TestServer.of("j2mod");
             ModbusConnection c = ModbusConnection.open("127.0.0.1", server.port(), false, framing, 2000, "tables")) {
            server.holding(3, 0x1234, 0xABCD);
            server.input(5, 0x0102);
            server.coil(9, true);
            server.discrete(1, true);
            assertArrayEquals(new byte[] {0x12, 0x34, (byte) 0xAB, (byte) 0xCD},
                    c.read(1, Table.HOLDING_REGISTER, 3, 2, deadlineIn(2000), "hr"));
            assertArrayEquals(new byte[] {1, 2}, c.read(1, Table.INPUT_REGISTER, 5, 1, deadlineIn(2000), "ir"));
            // coils 0..11 with coil 9 set: bit 1 of the second byte (bits are packed LSB first)
            assertArrayEquals(new byte[] {0, 2}, c.read(1, Table.COIL, 0, 12, deadlineIn(2000), "co"));
            assertArrayEquals(new byte[] {2}, c.read(1, Table.DISCRETE_INPUT, 0, 3, deadlineIn(2000), "di"));
            assertEquals(framing, c.framing());
        }
    }

    /**
     * A proxy for RTU over TCP (frames: unit, function, data, CRC) in front of j2mod's RTU
     * slave that flips the last CRC byte of every response and records which it corrupted.
     * It serves read requests (8-byte frames), which is all these tests send.
     */
    static final class RtuCorruptingProxy implements AutoCloseable {
        private final ServerSocket listener;
        private final int upstreamPort;
        private final Thread acceptor;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        final Set<Integer> corrupted = ConcurrentHashMap.newKeySet();

        RtuCorruptingProxy(int upstreamPort) throws IOException {
            this.upstreamPort = upstreamPort;
            this.listener = new ServerSocket(0, 50, LOCALHOST);
            this.acceptor = new Thread(this::accept, "rtu-proxy-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        private void accept() {
            // one connection at a time, on this thread: the tests open one
            while (!listener.isClosed()) {
                try (Socket client = listener.accept(); Socket upstream = new Socket(LOCALHOST, upstreamPort)) {
                    open.add(client);
                    open.add(upstream);
                    serve(client, upstream);
                } catch (IOException e) {
                    // the connection or the listener closed: the test is over with it
                }
            }
        }

        private void serve(Socket client, Socket upstream) throws IOException {
            InputStream cin = client.getInputStream();
            OutputStream cout = client.getOutputStream();
            InputStream uin = upstream.getInputStream();
            OutputStream uout = upstream.getOutputStream();
            byte[] request = new byte[8];
            byte[] response = new byte[3 + 255 + 2];
            int n = 0;
            while (readFully(cin, request, 0, 8)) {
                uout.write(request);
                uout.flush();
                if (!readFully(uin, response, 0, 3)) {
                    return;
                }
                int length = (response[1] & 0x80) != 0 ? 3 : 3 + (response[2] & 0xFF);
                if (!readFully(uin, response, 3, length - 3 + 2)) {
                    return;
                }
                response[length + 1] ^= 0x5A;
                corrupted.add(n++);
                cout.write(response, 0, length + 2);
                cout.flush();
            }
        }

        private static boolean readFully(InputStream in, byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int r = in.read(b, off, len);
                if (r < 0) {
                    return false;
                }
                off += r;
                len -= r;
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : open) {
                s.close();
            }
            try {
                acceptor.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
