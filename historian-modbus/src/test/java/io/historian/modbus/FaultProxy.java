package io.historian.modbus;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy between our client and a real Modbus TCP server, on 127.0.0.1, that injects
 * faults. It parses MBAP frames in both directions so that faults hit whole requests.
 *
 * <ul>
 *   <li>{@link Mode#PASS}: forwards both ways.
 *   <li>{@link Mode#STALL}: reads requests and never answers.
 *   <li>{@link Mode#CUT}: forwards the first 5 bytes of a response, then closes the connection.
 *   <li>{@link Mode#SLOW}: delays every response by {@link #delayMillis}.
 *   <li>{@link Mode#EXCEPTION}: answers every request with exception code {@link #exceptionCode}.
 *   <li>{@link Mode#REFUSE}: accepts and closes at once (a device that drops connections).
 *   <li>{@link Mode#TRICKLE}: sends every response one byte at a time, {@link #delayMillis}
 *       apart (a device or gateway that dribbles a frame out).
 * </ul>
 *
 * <p>{@link #responsesForwarded} counts the responses written back in full, so a test can
 * wait for a late answer to reach the client before it sends its next request.
 */
final class FaultProxy implements AutoCloseable {
    enum Mode { PASS, STALL, CUT, SLOW, EXCEPTION, REFUSE, TRICKLE }

    private final ServerSocket listener;
    private final int upstreamPort;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closed = new CountDownLatch(1);
    volatile Mode mode = Mode.PASS;
    volatile int delayMillis = 0;
    volatile int exceptionCode = 2;
    final AtomicInteger responsesForwarded = new AtomicInteger();
    final AtomicInteger accepted = new AtomicInteger();

    FaultProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        this.acceptor = new Thread(this::accept, "fault-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    FaultProxy mode(Mode m) {
        this.mode = m;
        return this;
    }

    /** Sockets currently open on either side of the proxy. */
    int openSockets() {
        return open.size();
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            if (mode == Mode.REFUSE) {
                closeQuietly(client);
                continue;
            }
            open.add(client);
            Thread t = new Thread(() -> serve(client), "fault-proxy-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket client) {
        Socket upstream = null;
        try {
            upstream = new Socket(InetAddress.getByName("127.0.0.1"), upstreamPort);
            open.add(upstream);
            InputStream cin = client.getInputStream();
            OutputStream cout = client.getOutputStream();
            InputStream uin = upstream.getInputStream();
            OutputStream uout = upstream.getOutputStream();
            byte[] header = new byte[7];
            while (true) {
                if (!readFully(cin, header, 7)) {
                    return;
                }
                int len = ((header[4] & 0xFF) << 8) | (header[5] & 0xFF);
                byte[] pdu = new byte[len - 1];
                if (!readFully(cin, pdu, pdu.length)) {
                    return;
                }
                Mode m = mode;
                if (m == Mode.STALL) {
                    continue;
                }
                if (m == Mode.EXCEPTION) {
                    byte[] reply = {header[0], header[1], 0, 0, 0, 3, header[6], (byte) (pdu[0] | 0x80),
                        (byte) exceptionCode};
                    cout.write(reply);
                    cout.flush();
                    responsesForwarded.incrementAndGet();
                    continue;
                }
                uout.write(header);
                uout.write(pdu);
                uout.flush();
                byte[] rh = new byte[7];
                if (!readFully(uin, rh, 7)) {
                    return;
                }
                int rlen = ((rh[4] & 0xFF) << 8) | (rh[5] & 0xFF);
                byte[] rpdu = new byte[rlen - 1];
                if (!readFully(uin, rpdu, rpdu.length)) {
                    return;
                }
                m = mode;
                if (m == Mode.STALL) {
                    continue;
                }
                if (m == Mode.CUT) {
                    cout.write(rh, 0, 5);
                    cout.flush();
                    return;
                }
                if (m == Mode.SLOW && closed.await(delayMillis, TimeUnit.MILLISECONDS)) {
                    return;
                }
                if (m == Mode.TRICKLE) {
                    byte[] frame = new byte[7 + rpdu.length];
                    System.arraycopy(rh, 0, frame, 0, 7);
                    System.arraycopy(rpdu, 0, frame, 7, rpdu.length);
                    for (byte b : frame) {
                        // the latch doubles as an interruptible, close-aware pause between bytes
                        if (closed.await(delayMillis, TimeUnit.MILLISECONDS)) {
                            return;
                        }
                        cout.write(b);
                        cout.flush();
                    }
                } else {
                    cout.write(rh);
                    cout.write(rpdu);
                    cout.flush();
                }
                responsesForwarded.incrementAndGet();
            }
        } catch (IOException | InterruptedException e) {
            // the connection ends; that is the fault or the test closing
        } finally {
            closeQuietly(client);
            if (upstream != null) {
                closeQuietly(upstream);
            }
        }
    }

    private static boolean readFully(InputStream in, byte[] b, int n) throws IOException {
        int off = 0;
        while (off < n) {
            int r = in.read(b, off, n - off);
            if (r < 0) {
                return false;
            }
            off += r;
        }
        return true;
    }

    private void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.remove(s);
    }

    /** Closes every connection through the proxy, keeping the listener. */
    void dropConnections() {
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        listener.close();
        dropConnections();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
