package io.historian.modbus;

import com.ghgande.j2mod.modbus.ModbusIOException;
import com.ghgande.j2mod.modbus.io.ModbusTCPTransport;
import com.ghgande.j2mod.modbus.msg.ModbusRequest;
import com.ghgande.j2mod.modbus.msg.ModbusResponse;
import com.ghgande.j2mod.modbus.msg.ReadCoilsRequest;
import com.ghgande.j2mod.modbus.msg.ReadCoilsResponse;
import com.ghgande.j2mod.modbus.msg.ReadInputDiscretesRequest;
import com.ghgande.j2mod.modbus.msg.ReadInputDiscretesResponse;
import com.ghgande.j2mod.modbus.msg.ReadInputRegistersRequest;
import com.ghgande.j2mod.modbus.msg.ReadInputRegistersResponse;
import com.ghgande.j2mod.modbus.msg.ReadMultipleRegistersRequest;
import com.ghgande.j2mod.modbus.msg.ReadMultipleRegistersResponse;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

/**
 * One Modbus connection over a socket this class opens and owns: Modbus TCP through j2mod's
 * master transport ({@link ModbusTCPTransport} and its request and response messages) by
 * default, or through our own MBAP framing ({@link Framing#OWN}, kept for comparison and as a
 * fallback); RTU over TCP (unit id, PDU, CRC-16; no header) always with our own framing,
 * because j2mod's RTU-over-TCP transport discards the CRC unchecked ({@code J2modContractTest}).
 *
 * <p>What stays ours around j2mod's transport, because j2mod's master classes do not provide
 * it ({@code J2modContractTest} shows each): the socket (j2mod's {@code TCPMasterConnection}
 * reconnects behind the caller's back and cannot carry our deadline), retries (its
 * {@code ModbusTCPTransaction} repeats, sleeps and reconnects inside one call), the
 * transaction-id check (that transaction reuses a timed-out request's id for the next request,
 * so the late answer passes its validity check as the next request's answer), the deadline
 * (its reads restart the socket timeout per read, so a trickling device holds the thread for
 * as long as it keeps sending; here the socket's input stream enforces the deadline under
 * j2mod's reads), and the mapping of exception responses and malformed answers.
 *
 * <p>Invariants: one transaction in flight at a time (the caller is the device's poll thread;
 * {@link #read} is not reentrant). Every TCP request carries a fresh transaction id and only a
 * response with the same id is accepted; a late answer to an earlier, timed-out request is
 * discarded and counted, so a timeout does not poison the connection. RTU frames have no id:
 * after a timeout the caller must drop an RTU connection. Every read obeys one deadline per
 * request: the socket read timeout is set to the time left before each read, so a device
 * that trickles bytes cannot hold the thread past the deadline. {@link #close} may be called
 * from any thread and unblocks a pending read.
 */
final class ModbusConnection implements AutoCloseable {
    /** Who frames Modbus TCP requests and responses; RTU over TCP is always {@link #OWN}. */
    enum Framing {
        /** j2mod's {@link ModbusTCPTransport} and messages, inside our socket, deadline and id check. */
        J2MOD,
        /** Our own MBAP framing. */
        OWN
    }

    /** The framing of Modbus TCP connections unless a device says otherwise. */
    static final Framing DEFAULT_FRAMING = Framing.J2MOD;

    private final DeadlineSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final boolean rtu;
    private final String device;
    /** j2mod's transport over {@link #socket}; null for our own framing. */
    private final ModbusTCPTransport j2mod;
    private int nextTransactionId;
    private long staleResponses;

    private ModbusConnection(DeadlineSocket socket, boolean rtu, Framing framing, String device) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.rtu = rtu;
        this.device = device;
        // j2mod reads through socket.getInputStream(), which is the deadline stream: its
        // blocking reads end at our deadline, not at a per-read timeout it restarts.
        this.j2mod = !rtu && framing == Framing.J2MOD ? new ModbusTCPTransport(socket) : null;
    }

    static ModbusConnection open(String host, int port, boolean rtu, int connectTimeoutMillis, String device)
            throws IOException {
        return open(host, port, rtu, DEFAULT_FRAMING, connectTimeoutMillis, device);
    }

    static ModbusConnection open(String host, int port, boolean rtu, Framing framing, int connectTimeoutMillis,
                                 String device) throws IOException {
        DeadlineSocket socket = new DeadlineSocket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            return new ModbusConnection(socket, rtu, framing, device);
        } catch (IOException | RuntimeException e) {
            try {
                socket.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    boolean isRtu() {
        return rtu;
    }

    Framing framing() {
        return j2mod != null ? Framing.J2MOD : Framing.OWN;
    }

    /** Responses discarded because their transaction id did not match the request. */
    long staleResponses() {
        return staleResponses;
    }

    /**
     * Sends one read request and returns the data bytes of the response (registers big-endian
     * as sent, or the packed bits).
     *
     * @throws ExceptionResponse if the device answered with an exception code
     * @throws SocketTimeoutException if no complete response arrived before the deadline
     * @throws IOException if the connection failed or the response was malformed
     */
    byte[] read(int unitId, Table table, int address, int count, long deadlineNanos, String context)
            throws IOException, ExceptionResponse {
        int fc = table.functionCode;
        int expectedBytes = table.isBits() ? (count + 7) / 8 : count * 2;
        socket.deadline(deadlineNanos, context);
        if (rtu) {
            return readRtu(unitId, fc, address, count, expectedBytes, deadlineNanos, context);
        }
        return j2mod != null ? readJ2mod(unitId, table, address, count, expectedBytes, context)
                : readTcp(unitId, fc, address, count, expectedBytes, deadlineNanos, context);
    }

    /**
     * Modbus TCP through j2mod's transport. j2mod writes the MBAP frame and parses the response
     * into its message types; the transaction id we set is checked here, and a response to an
     * earlier request is discarded and counted, as on our own framing.
     */
    private byte[] readJ2mod(int unitId, Table table, int address, int count, int expectedBytes, String context)
            throws IOException, ExceptionResponse {
        int tid = nextTransactionId;
        nextTransactionId = (nextTransactionId + 1) & 0xFFFF;
        ModbusRequest request = switch (table) {
            case COIL -> new ReadCoilsRequest(address, count);
            case DISCRETE_INPUT -> new ReadInputDiscretesRequest(address, count);
            case INPUT_REGISTER -> new ReadInputRegistersRequest(address, count);
            case HOLDING_REGISTER -> new ReadMultipleRegistersRequest(address, count);
        };
        request.setUnitID(unitId);
        request.setTransactionID(tid);
        try {
            j2mod.writeRequest(request);
        } catch (ModbusIOException e) {
            throw j2modFailure(e, context);
        }
        int fc = table.functionCode;
        while (true) {
            ModbusResponse response;
            try {
                response = j2mod.readResponse();
            } catch (ModbusIOException e) {
                throw j2modFailure(e, context);
            }
            if (response.getProtocolID() != 0) {
                throw new IOException("malformed MBAP header: protocol id " + response.getProtocolID()
                        + " [" + context + "]");
            }
            if (response.getTransactionID() != tid) {
                staleResponses++;
                continue;
            }
            int rfc = response.getFunctionCode();
            if (response instanceof com.ghgande.j2mod.modbus.msg.ExceptionResponse x && rfc == (fc | 0x80)) {
                throw new ExceptionResponse(x.getExceptionCode(), context);
            }
            if (rfc != fc) {
                throw new IOException("response function code " + rfc + " to a request with " + fc + " [" + context
                        + "]");
            }
            byte[] data = new byte[expectedBytes];
            int byteCount = switch (table) {
                case HOLDING_REGISTER -> {
                    ReadMultipleRegistersResponse r = (ReadMultipleRegistersResponse) response;
                    yield registers(r.getByteCount(), r.getWordCount(), r::getRegisterValue, data);
                }
                case INPUT_REGISTER -> {
                    ReadInputRegistersResponse r = (ReadInputRegistersResponse) response;
                    yield registers(r.getByteCount(), r.getWordCount(), r::getRegisterValue, data);
                }
                case COIL -> bits(((ReadCoilsResponse) response).getMessage(), data);
                case DISCRETE_INPUT -> bits(((ReadInputDiscretesResponse) response).getMessage(), data);
            };
            if (byteCount != expectedBytes) {
                throw new IOException("response carries " + byteCount + " data bytes, expected " + expectedBytes
                        + " [" + context + "]");
            }
            return data;
        }
    }

    /**
     * Copies the register values into {@code data} if they fit; returns the byte count received.
     * j2mod's two register responses share no type that reads a register, hence the function.
     */
    private static int registers(int byteCount, int words, IntUnaryOperator register, byte[] data) {
        if (byteCount == data.length && words * 2 == byteCount) {
            for (int i = 0; i < words; i++) {
                int v = register.applyAsInt(i);
                data[2 * i] = (byte) (v >> 8);
                data[2 * i + 1] = (byte) v;
            }
        }
        return byteCount;
    }

    /** {@code message} is j2mod's PDU data: the byte count, then the packed bits as sent. */
    private static int bits(byte[] message, byte[] data) {
        int n = message.length - 1;
        if (n == data.length) {
            System.arraycopy(message, 1, data, 0, n);
        }
        return n;
    }

    /**
     * j2mod reports every read failure as a ModbusIOException; the deadline stream remembers
     * whether the cause was our deadline, so a timeout stays a timeout (TCP connections survive
     * it) and anything else is a connection error.
     */
    private IOException j2modFailure(ModbusIOException e, String context) {
        if (socket.deadlinePassed()) {
            SocketTimeoutException t = new SocketTimeoutException("no response within the timeout [" + context + "]");
            t.initCause(e);
            return t;
        }
        return new IOException("j2mod: " + e.getMessage() + " [" + context + "]", e);
    }

    private byte[] readTcp(int unitId, int fc, int address, int count, int expectedBytes, long deadline,
                           String context) throws IOException, ExceptionResponse {
        int tid = nextTransactionId;
        nextTransactionId = (nextTransactionId + 1) & 0xFFFF;
        byte[] req = {(byte) (tid >> 8), (byte) tid, 0, 0, 0, 6, (byte) unitId, (byte) fc,
            (byte) (address >> 8), (byte) address, (byte) (count >> 8), (byte) count};
        out.write(req);
        out.flush();
        byte[] header = new byte[7];
        while (true) {
            readFully(header, 0, 7, deadline, context);
            int rid = ((header[0] & 0xFF) << 8) | (header[1] & 0xFF);
            int protocol = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            int length = ((header[4] & 0xFF) << 8) | (header[5] & 0xFF);
            if (protocol != 0 || length < 2 || length > 254) {
                throw new IOException("malformed MBAP header " + hex(header, 7) + " [" + context + "]");
            }
            byte[] pdu = new byte[length - 1];
            readFully(pdu, 0, pdu.length, deadline, context);
            if (rid != tid) {
                staleResponses++;
                continue;
            }
            return checkPdu(pdu, pdu.length, fc, expectedBytes, context);
        }
    }

    private byte[] readRtu(int unitId, int fc, int address, int count, int expectedBytes, long deadline,
                           String context) throws IOException, ExceptionResponse {
        byte[] req = new byte[8];
        req[0] = (byte) unitId;
        req[1] = (byte) fc;
        req[2] = (byte) (address >> 8);
        req[3] = (byte) address;
        req[4] = (byte) (count >> 8);
        req[5] = (byte) count;
        int crc = Crc16.of(req, 0, 6);
        req[6] = (byte) crc;
        req[7] = (byte) (crc >> 8);
        out.write(req);
        out.flush();
        byte[] frame = new byte[3 + 255 + 2];
        readFully(frame, 0, 3, deadline, context);
        int length;
        if ((frame[1] & 0x80) != 0) {
            length = 3;
        } else {
            length = 3 + (frame[2] & 0xFF);
        }
        readFully(frame, 3, length - 3 + 2, deadline, context);
        int got = (frame[length] & 0xFF) | ((frame[length + 1] & 0xFF) << 8);
        if (got != Crc16.of(frame, 0, length)) {
            throw new IOException("RTU CRC mismatch in " + hex(frame, length + 2) + " [" + context + "]");
        }
        if ((frame[0] & 0xFF) != unitId) {
            throw new IOException("RTU response from unit " + (frame[0] & 0xFF) + " [" + context + "]");
        }
        return checkPdu(Arrays.copyOfRange(frame, 1, length), length - 1, fc, expectedBytes, context);
    }

    private static byte[] checkPdu(byte[] pdu, int length, int fc, int expectedBytes, String context)
            throws IOException, ExceptionResponse {
        int rfc = pdu[0] & 0xFF;
        if (rfc == (fc | 0x80) && length >= 2) {
            throw new ExceptionResponse(pdu[1] & 0xFF, context);
        }
        if (rfc != fc) {
            throw new IOException("response function code " + rfc + " to a request with " + fc + " [" + context + "]");
        }
        int byteCount = length >= 2 ? pdu[1] & 0xFF : -1;
        if (byteCount != expectedBytes || length != 2 + byteCount) {
            throw new IOException("response carries " + byteCount + " data bytes in a PDU of " + length
                    + ", expected " + expectedBytes + " [" + context + "]");
        }
        return Arrays.copyOfRange(pdu, 2, 2 + byteCount);
    }

    /** Reads through the deadline stream, which throws SocketTimeoutException at the deadline. */
    private void readFully(byte[] b, int off, int len, long deadline, String context) throws IOException {
        while (len > 0) {
            int n = in.read(b, off, len);
            if (n < 0) {
                throw new EOFException("connection closed by " + device + " [" + context + "]");
            }
            off += n;
            len -= n;
        }
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%02X", b[i] & 0xFF));
        }
        return sb.toString();
    }

    /**
     * A socket whose input stream enforces one deadline per request: before each read the
     * socket timeout is set to the time left, and a read at or past the deadline fails. Every
     * reader of the socket goes through it, j2mod's transport included (it reads through
     * {@code getInputStream()}), so a device that trickles bytes cannot stretch a request.
     * Used by the connection's one poll thread only; {@link #close} is thread-safe (Socket's).
     */
    static final class DeadlineSocket extends Socket {
        private long deadline = Long.MAX_VALUE;
        private String context = "";
        private boolean passed;
        private InputStream deadlineStream;

        void deadline(long deadlineNanos, String context) {
            this.deadline = deadlineNanos;
            this.context = context;
            this.passed = false;
        }

        /** True if a read of the current request failed at the deadline. */
        boolean deadlinePassed() {
            return passed;
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (deadlineStream == null) {
                deadlineStream = new DeadlineStream(super.getInputStream());
            }
            return deadlineStream;
        }

        private final class DeadlineStream extends InputStream {
            private final InputStream raw;
            private final byte[] one = new byte[1];

            DeadlineStream(InputStream raw) {
                this.raw = raw;
            }

            @Override
            public int read() throws IOException {
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    passed = true;
                    throw new SocketTimeoutException("no response within the timeout [" + context + "]");
                }
                setSoTimeout((int) Math.min(Integer.MAX_VALUE,
                        Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999))));
                try {
                    return raw.read(b, off, len);
                } catch (SocketTimeoutException e) {
                    passed = true;
                    throw new SocketTimeoutException("no response within the timeout [" + context + "]");
                }
            }

            @Override
            public int available() throws IOException {
                return raw.available();
            }

            @Override
            public void close() throws IOException {
                DeadlineSocket.this.close();
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to recover: the socket is gone either way
        }
    }
}
