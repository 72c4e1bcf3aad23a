package io.historian.tiering;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of the S3 server that injects faults into new connections:
 * pass, cut the connection after some request bytes, stall (accept and never answer), or answer
 * HTTP 500. {@link #faults(Mode, int)} applies a mode to the next {@code n} connections (or to all,
 * with -1); after that, connections pass.
 */
final class FaultProxy implements AutoCloseable {
    enum Mode { PASS, CUT, STALL, HTTP_500 }

    private final ServerSocket server;
    private final int upstreamPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile Mode mode = Mode.PASS;
    private final AtomicInteger left = new AtomicInteger();
    private volatile int cutAfter = 1500;
    final AtomicInteger faulted = new AtomicInteger();

    FaultProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Applies {@code m} to the next {@code n} connections (-1: every connection until changed). */
    void faults(Mode m, int n) {
        left.set(n);
        mode = m;
        if (m != Mode.PASS) {
            // Pooled keep-alive connections would bypass the fault: drop them.
            for (Socket s : sockets) {
                closeQuietly(s);
            }
            sockets.clear();
        }
    }

    void cutAfter(int bytes) {
        cutAfter = bytes;
    }

    private Mode take() {
        Mode m = mode;
        if (m == Mode.PASS) {
            return m;
        }
        int n = left.get();
        if (n == -1) {
            return m;
        }
        while (n > 0) {
            if (left.compareAndSet(n, n - 1)) {
                return m;
            }
            n = left.get();
        }
        return Mode.PASS;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            sockets.add(client);
            Mode m = take();
            if (m != Mode.PASS) {
                faulted.incrementAndGet();
            }
            Thread t = new Thread(() -> handle(client, m), "fault-proxy-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void handle(Socket client, Mode m) {
        try {
            switch (m) {
                case STALL -> {
                    // Read and drop whatever comes; never answer.
                    InputStream in = client.getInputStream();
                    byte[] buf = new byte[8192];
                    while (in.read(buf) >= 0) {
                        // discard
                    }
                }
                case HTTP_500 -> {
                    InputStream in = client.getInputStream();
                    byte[] buf = new byte[8192];
                    in.read(buf);
                    OutputStream out = client.getOutputStream();
                    out.write(("HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
                            + "Connection: close\r\n\r\nfault").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                default -> {
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                    sockets.add(upstream);
                    Thread back = new Thread(() -> pump(upstream, client, Long.MAX_VALUE), "fault-proxy-pump");
                    back.setDaemon(true);
                    back.start();
                    pump(client, upstream, m == Mode.CUT ? cutAfter : Long.MAX_VALUE);
                    return;
                }
            }
        } catch (IOException e) {
            // the connection ended
        }
        closeQuietly(client);
    }

    private void pump(Socket from, Socket to, long limit) {
        byte[] buf = new byte[8192];
        long total = 0;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (total + n > limit) {
                    out.write(buf, 0, (int) (limit - total));
                    break;
                }
                out.write(buf, 0, n);
                total += n;
            }
        } catch (IOException e) {
            // fall through to close
        }
        closeQuietly(from);
        closeQuietly(to);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
