package io.historian.modbus;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * One Modbus connection over a plain socket, with our own framing: Modbus TCP (MBAP header)
 * or RTU over TCP (unit id, PDU, CRC-16; no header).
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
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final boolean rtu;
    private final String device;
    private int nextTransactionId;
    private long staleResponses;

    private ModbusConnection(Socket socket, boolean rtu, String device) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.rtu = rtu;
        this.device = device;
    }

    static ModbusConnection open(String host, int port, boolean rtu, int connectTimeoutMillis, String device)
            throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            return new ModbusConnection(socket, rtu, device);
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
        return rtu ? readRtu(unitId, fc, address, count, expectedBytes, deadlineNanos, context)
                : readTcp(unitId, fc, address, count, expectedBytes, deadlineNanos, context);
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

    private void readFully(byte[] b, int off, int len, long deadline, String context) throws IOException {
        while (len > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("no response within the timeout [" + context + "]");
            }
            socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
            int n;
            try {
                n = in.read(b, off, len);
            } catch (SocketTimeoutException e) {
                throw new SocketTimeoutException("no response within the timeout [" + context + "]");
            }
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

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to recover: the socket is gone either way
        }
    }
}
