package io.historian.examples;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.Subscription;
import io.historian.TagDefinition;
import io.historian.query.PointCursor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trend page for one historian: a small HTTP/1.1 server on the JDK's NIO channels that serves a
 * uPlot chart from the classpath (no network at run time), a live trend fed by a subscription as
 * server-sent events, and history that the page re-queries with LTTB sized to the chart's width
 * whenever the user zooms.
 *
 * <pre>{@code
 * try (TrendServer server = TrendServer.start(historian, new InetSocketAddress("127.0.0.1", 8080), null)) {
 *     System.out.println(server.uri() + "?tag=reactor.temp");
 *     ...
 * }
 * }</pre>
 *
 * <p>Run as a program it starts the simulated plant, a historian polling it with two hours of
 * history, and the page: {@code mvn -q -pl examples -am test-compile exec:exec
 * -Dexec.mainClass=io.historian.examples.TrendServer}, then open the printed address.
 *
 * <p><b>Endpoints</b> (GET only): {@code /} the page, {@code /trend.js}, {@code /trend.css},
 * {@code /uplot.js}, {@code /uplot.css} its static files; {@code /api/tags}; {@code
 * /api/history?tag=&from=&to=&width=} (epoch milliseconds, {@code [from, to)}, width in chart
 * pixels, 3 to {@value #MAX_WIDTH}) answers {@code {"t":[ms...],"v":[value or null...]}} with a
 * {@code null} wherever the data has a gap or a sample is Bad, so the line breaks there;
 * {@code /api/live?tag=&from=} an event stream of {@code [[ms, value], ...]} batches, from the
 * journal at {@code from} if given. Bad parameters get 400, an unknown tag 404, each with a fixed
 * one-line message that never repeats the request (no reflected input, whatever the content type).
 *
 * <p><b>Security:</b> binds to loopback unless told otherwise; any other address needs a token of
 * at least {@value #MIN_TOKEN_LENGTH} visible ASCII characters, and {@link #start} refuses a weak
 * one (and, on any other address, none). With a token, every {@code /api/} request must carry it
 * as {@code Authorization: Bearer <token>}; only {@code /api/live} also takes {@code ?token=},
 * because a browser's {@code EventSource} cannot send headers. The page and its scripts hold no
 * data and are served without it: a browser cannot add a header to a page load, so the page takes
 * the token from the address's fragment ({@code #token=}), which browsers never send to a server.
 * Tokens are compared by SHA-256 digest in constant time, and neither they nor query strings are
 * ever logged. Every request must name this server in its {@code Host} header (the bound address
 * and port; on loopback also {@code localhost}, {@code 127.0.0.1} and {@code [::1]}; more names through {@link Options#allowHost});
 * others get 421, which stops DNS rebinding from turning a web page into a client of a token-less
 * loopback server. Responses carry {@code X-Content-Type-Options: nosniff}, {@code X-Frame-Options:
 * DENY}, {@code Referrer-Policy: no-referrer} and a {@code Content-Security-Policy} that allows
 * only this server's own scripts, styles and connections (the page has no inline script or style).
 *
 * <p><b>Slow and greedy clients:</b> a client has {@link Options#headerTimeout} (default 10 s) from
 * connecting to send its whole request (line, headers and any body, at most 16 KiB), else it is
 * closed; each response write has 30 s. Requests are read by one selector thread, so a client
 * that stalls mid-request holds no worker thread. One remote address may hold at most
 * {@value #MAX_CONNECTIONS_PER_CLIENT} connections and all clients together 256; further ones are
 * closed at once. The JDK's {@code com.sun.net.httpserver} was not used because it reads headers
 * on its worker threads, its only deadline ({@code sun.net.httpserver.maxReqTime}) is a JVM-wide
 * system property read once when its first server is created, and it has no per-client limit.
 *
 * <p><b>Threads:</b> {@code trend-accept} accepts connections, reads requests and enforces the
 * deadlines; complete requests run on {@code trend-http-N} threads; each live stream holds one of
 * them and owns one subscription ({@code historian-subscription-N}) whose listener only appends
 * to the stream's buffer; the stream's thread writes the buffer out four times a second. At most
 * {@value #MAX_STREAMS} streams at once. Every response closes its connection (no keep-alive).
 *
 * <p><b>Lifecycle:</b> {@link #close()} stops the server and ends every stream and its
 * subscription; the historian stays open (the caller owns it).
 */
public final class TrendServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrendServer.class);
    /** The widest chart a history request may ask for, in points. */
    public static final int MAX_WIDTH = 10_000;
    /** The most live streams served at once. */
    public static final int MAX_STREAMS = 16;
    /** The most connections one remote address may hold open at once. */
    public static final int MAX_CONNECTIONS_PER_CLIENT = 32;
    /** The shortest token accepted, in characters. */
    public static final int MIN_TOKEN_LENGTH = 16;
    private static final int MAX_CONNECTIONS = 256;
    /** Request line, headers and body together; the page's requests are well under 2 KiB. */
    private static final int MAX_REQUEST_BYTES = 16 * 1024;
    private static final long WRITE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int MAX_STREAM_BUFFER = 1 << 20;
    private static final String WEBJAR = "META-INF/resources/webjars/uplot/1.6.30/dist/";
    /** Only this server's own files and endpoints; the page has no inline script or style. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final Map<String, String[]> STATIC = Map.of(
            "/", new String[] {"io/historian/examples/trend.html", "text/html; charset=utf-8"},
            "/index.html", new String[] {"io/historian/examples/trend.html", "text/html; charset=utf-8"},
            "/trend.js", new String[] {"io/historian/examples/trend.js", "text/javascript; charset=utf-8"},
            "/trend.css", new String[] {"io/historian/examples/trend.css", "text/css; charset=utf-8"},
            "/uplot.js", new String[] {WEBJAR + "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "/uplot.css", new String[] {WEBJAR + "uPlot.min.css", "text/css; charset=utf-8"});
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-fA-F:.]+\\]");

    /**
     * What a server allows beyond its defaults: immutable, each method returns a copy.
     * {@code Options.defaults().headerTimeout(Duration.ofSeconds(5)).allowHost("trend.plant.example")}.
     */
    public static final class Options {
        private final Duration headerTimeout;
        private final Set<String> hosts;

        private Options(Duration headerTimeout, Set<String> hosts) {
            this.headerTimeout = headerTimeout;
            this.hosts = hosts;
        }

        /** A 10 s header timeout; only the bound address (and on loopback {@code localhost}) as Host. */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(10), Set.of());
        }

        /** How long a client may take from connecting to having sent its whole request. */
        public Options headerTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("header timeout must be positive [timeout=" + timeout + "]");
            }
            return new Options(timeout, hosts);
        }

        /**
         * One more name (or address) that requests may give in their {@code Host} header, such
         * as the DNS name of a server bound to {@code 0.0.0.0}; the port must still be the
         * server's.
         */
        public Options allowHost(String host) {
            if (host == null || host.isBlank() || host.contains(":") && !IPV6.matcher(host).matches()) {
                throw new IllegalArgumentException("a host name or address without port, e.g. trend.plant.example");
            }
            Set<String> more = new LinkedHashSet<>(hosts);
            more.add(host);
            return new Options(headerTimeout, Set.copyOf(more));
        }
    }

    private final Historian historian;
    private final ServerSocketChannel channel;
    private final Selector selector;
    private final ExecutorService workers;
    private final Thread acceptor;
    private final byte[] tokenDigest;
    private final Set<String> allowedHosts;
    private final long headerTimeoutNanos;
    private final Set<Conn> open = ConcurrentHashMap.newKeySet();
    private final Map<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
    private final AtomicLong historyRequests = new AtomicLong();
    private final AtomicInteger streams = new AtomicInteger();
    private final Set<LiveStream> live = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private TrendServer(Historian historian, ServerSocketChannel channel, Selector selector, String token,
            Options options) throws IOException {
        this.historian = historian;
        this.channel = channel;
        this.selector = selector;
        this.tokenDigest = token == null ? null : sha256(token);
        this.headerTimeoutNanos = options.headerTimeout.toNanos();
        InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
        this.allowedHosts = allowedHosts(local, options.hosts);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(MAX_STREAMS + 8, r -> {
            Thread t = new Thread(r, "trend-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "trend-accept");
        acceptor.setDaemon(true);
    }

    /** Starts serving with the default {@link Options}; see {@link #start(Historian, InetSocketAddress, String, Options)}. */
    public static TrendServer start(Historian historian, InetSocketAddress bind, String token) {
        return start(historian, bind, token, Options.defaults());
    }

    /**
     * Starts serving.
     *
     * @param historian the historian to chart; the caller keeps owning it
     * @param bind the address and port (0: any free port); a non-loopback address needs a token
     * @param token the token every API request must carry (at least {@value #MIN_TOKEN_LENGTH}
     *     visible ASCII characters, no spaces), or null for none (loopback only)
     * @param options the header timeout and any further Host names
     * @throws IllegalArgumentException if the token is weak, or the address is not loopback and
     *     there is no token
     */
    public static TrendServer start(Historian historian, InetSocketAddress bind, String token, Options options) {
        if (historian == null) {
            throw new NullPointerException("historian");
        }
        if (token != null && !strong(token)) {
            // The message never repeats the token: it may end up in a log.
            throw new IllegalArgumentException("token too weak: it needs at least " + MIN_TOKEN_LENGTH
                    + " visible ASCII characters and no spaces; pass null for none (loopback only), or use "
                    + "TrendServer.randomToken()");
        }
        if (bind.getAddress() == null || (!bind.getAddress().isLoopbackAddress() && token == null)) {
            throw new IllegalArgumentException("binding to a non-loopback address needs a token [bind=" + bind
                    + "]; pass --token, or bind to 127.0.0.1");
        }
        ServerSocketChannel channel = null;
        Selector selector = null;
        try {
            channel = ServerSocketChannel.open();
            channel.bind(bind, 64);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_ACCEPT);
            TrendServer trend = new TrendServer(historian, channel, selector, token, options);
            trend.acceptor.start();
            return trend;
        } catch (IOException e) {
            closeQuietly(selector);
            closeQuietly(channel);
            throw new UncheckedIOException("cannot bind trend server [bind=" + bind + "]", e);
        }
    }

    /** A strong token: 32 random bytes from {@link SecureRandom}, base64url (43 characters). */
    public static String randomToken() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The port it listens on. */
    public int port() {
        return local().getPort();
    }

    /** The page's address, {@code http://host:port/}. */
    public URI uri() {
        InetSocketAddress a = local();
        return URI.create("http://" + literal(a.getAddress()) + ":" + a.getPort() + "/");
    }

    private InetSocketAddress local() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException("trend server is closed", e);
        }
    }

    /** History queries answered so far (each zoom of the page is one). */
    public long historyRequests() {
        return historyRequests.get();
    }

    /** Live streams open now. */
    public int liveStreams() {
        return streams.get();
    }

    /** Stops the server and ends every live stream; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (LiveStream s : live) {
            s.end();
        }
        selector.wakeup();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Conn c : open) {
            c.close();
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- Connections: accepted, read and timed out on trend-accept; answered on trend-http-N.

    /** One client connection, closed after its one response. */
    private final class Conn {
        final SocketChannel ch;
        final InetAddress client;
        final ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST_BYTES);
        /** System.nanoTime() by which the current read or write must finish; 0 while none runs. */
        volatile long deadline;
        private final AtomicBoolean done = new AtomicBoolean();

        Conn(SocketChannel ch, InetAddress client) {
            this.ch = ch;
            this.client = client;
        }

        void close() {
            if (done.compareAndSet(false, true)) {
                closeQuietly(ch);
                open.remove(this);
                perClient.computeIfPresent(client, (k, v) -> v > 1 ? v - 1 : null);
            }
        }
    }

    private void acceptLoop() {
        List<Conn> complete = new ArrayList<>();
        List<Request> requests = new ArrayList<>();
        try {
            while (!closed) {
                selector.select(250);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        SocketChannel ch;
                        while ((ch = channel.accept()) != null) {
                            admit(ch);
                        }
                    } else if (key.isReadable()) {
                        Conn c = (Conn) key.attachment();
                        Request r = read(c);
                        if (r != null) {
                            key.cancel();
                            complete.add(c);
                            requests.add(r);
                        }
                    }
                }
                if (!complete.isEmpty()) {
                    // A channel leaves the selector (and may block again) only once its cancelled
                    // key is flushed by a select.
                    selector.selectNow();
                    for (int i = 0; i < complete.size(); i++) {
                        dispatch(complete.get(i), requests.get(i));
                    }
                    complete.clear();
                    requests.clear();
                }
                long now = System.nanoTime();
                for (Conn c : open) {
                    long d = c.deadline;
                    if (d != 0 && now - d > 0) {
                        timedOut(c);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.error("trend server stopped accepting", e);
            }
        } finally {
            closeQuietly(channel);
            closeQuietly(selector);
        }
    }

    private void admit(SocketChannel ch) {
        InetAddress client;
        try {
            client = ((InetSocketAddress) ch.getRemoteAddress()).getAddress();
            ch.configureBlocking(false);
        } catch (IOException e) {
            closeQuietly(ch);
            return;
        }
        if (open.size() >= MAX_CONNECTIONS) {
            closeQuietly(ch);
            return;
        }
        if (perClient.merge(client, 1, Integer::sum) > MAX_CONNECTIONS_PER_CLIENT) {
            perClient.computeIfPresent(client, (k, v) -> v > 1 ? v - 1 : null);
            closeQuietly(ch);
            return;
        }
        Conn c = new Conn(ch, client);
        open.add(c);
        // The clock runs from the connection, not the first byte: an idle one costs a slot too.
        c.deadline = System.nanoTime() + headerTimeoutNanos;
        try {
            ch.register(selector, SelectionKey.OP_READ, c);
        } catch (IOException e) {
            c.close();
        }
    }

    /** Reads what has arrived; the whole request once it is complete, else null. */
    private Request read(Conn c) {
        try {
            if (c.ch.read(c.in) < 0) {
                c.close();
                return null;
            }
            Request r = Request.parse(c.in, c.client);
            if (r == null && !c.in.hasRemaining()) {
                throw new BadRequest(431, "request too large");
            }
            return r;
        } catch (BadRequest e) {
            refuseNow(c, e.status, e.getMessage());
        } catch (IOException e) {
            c.close();
        }
        return null;
    }

    private void dispatch(Conn c, Request r) {
        c.deadline = 0;
        try {
            c.ch.configureBlocking(true);
            workers.execute(() -> serve(c, r));
        } catch (IOException | RejectedExecutionException e) {
            c.close();
        }
    }

    private void timedOut(Conn c) {
        if (c.in.position() > 0 && !c.ch.isBlocking()) {
            refuseNow(c, 408, "request not received in time");
        } else {
            c.close();
        }
    }

    /** A short answer written without blocking (what does not fit is dropped), then the close. */
    private static void refuseNow(Conn c, int status, String message) {
        try {
            c.ch.write(ByteBuffer.wrap(head(status, "text/plain; charset=utf-8", message.length() + 1, null)
                    .concat(message).concat("\n").getBytes(StandardCharsets.ISO_8859_1)));
        } catch (IOException | RuntimeException e) {
            // The client is gone or not reading: closing is all that is left.
        }
        c.close();
    }

    /** A parsed request. Header names are lower case; the target's path is still percent-encoded. */
    private record Request(String method, String path, String rawQuery, Map<String, String> headers,
            InetAddress client) {
        private static final Set<String> SINGLE = Set.of("host", "authorization", "content-length",
                "transfer-encoding");

        /** The request if the buffer holds all of it, null if more is to come. */
        static Request parse(ByteBuffer in, InetAddress client) {
            byte[] b = in.array();
            int n = in.position();
            int end = -1;
            int bodyStart = -1;
            for (int i = 0; i + 1 < n; i++) {
                if (b[i] == '\n' && b[i + 1] == '\n') {
                    end = i;
                    bodyStart = i + 2;
                    break;
                }
                if (b[i] == '\n' && b[i + 1] == '\r' && i + 2 < n && b[i + 2] == '\n') {
                    end = i;
                    bodyStart = i + 3;
                    break;
                }
            }
            if (end < 0) {
                return null;
            }
            // end is the last line's \n: drop its \r too, or a request without headers ends in "HTTP/1.1\r".
            int last = end > 0 && b[end - 1] == '\r' ? end - 1 : end;
            String[] lines = new String(b, 0, last, StandardCharsets.ISO_8859_1).split("\r?\n", -1);
            String[] first = lines[0].split(" ", -1);
            if (first.length != 3 || first[0].isEmpty() || !first[1].startsWith("/")) {
                throw new BadRequest(400, "malformed request line");
            }
            if (!first[2].equals("HTTP/1.1") && !first[2].equals("HTTP/1.0")) {
                throw new BadRequest(505, "HTTP/1.1 only");
            }
            for (int i = 0; i < first[1].length(); i++) {
                char ch = first[1].charAt(i);
                if (ch <= 0x20 || ch >= 0x7f) {
                    throw new BadRequest(400, "malformed request line");
                }
            }
            Map<String, String> headers = new HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                int colon = line.indexOf(':');
                // No folded lines and no space before the colon: both are ways to smuggle a header.
                if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t'
                        || Character.isWhitespace(line.charAt(colon - 1))) {
                    throw new BadRequest(400, "malformed header");
                }
                String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).strip();
                if (headers.putIfAbsent(name, value) != null && SINGLE.contains(name)) {
                    throw new BadRequest(400, "repeated header");
                }
            }
            if (headers.containsKey("transfer-encoding")) {
                throw new BadRequest(501, "Transfer-Encoding is not supported");
            }
            String length = headers.get("content-length");
            if (length != null) {
                long bodyLength;
                try {
                    bodyLength = Long.parseLong(length);
                } catch (NumberFormatException e) {
                    throw new BadRequest(400, "malformed Content-Length");
                }
                if (bodyLength < 0) {
                    throw new BadRequest(400, "malformed Content-Length");
                }
                if (bodyStart + bodyLength > in.capacity()) {
                    throw new BadRequest(413, "request too large");
                }
                if (n < bodyStart + bodyLength) {
                    return null; // the body (read and ignored: only GET is served) is still coming
                }
            }
            int q = first[1].indexOf('?');
            String path = q < 0 ? first[1] : first[1].substring(0, q);
            String query = q < 0 ? null : first[1].substring(q + 1);
            return new Request(first[0], path, query, headers, client);
        }
    }

    // ---- Answering: one request per connection.

    /** The response side of one request on a blocking channel. */
    private final class Exchange {
        final Conn conn;
        final Request request;
        boolean started;

        Exchange(Conn conn, Request request) {
            this.conn = conn;
            this.request = request;
        }

        void send(int status, String type, String body, String extraHeader) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            started = true;
            write(head(status, type, bytes.length, extraHeader).getBytes(StandardCharsets.ISO_8859_1));
            write(bytes);
        }

        void send(int status, String type, String body) throws IOException {
            send(status, type, body, null);
        }

        void sendBytes(String type, byte[] body) throws IOException {
            started = true;
            write(head(200, type, body.length, null).getBytes(StandardCharsets.ISO_8859_1));
            write(body);
        }

        /** Headers for a body of unknown length, which ends when the connection closes. */
        void startStream(String type) throws IOException {
            started = true;
            write(head(200, type, -1, null).getBytes(StandardCharsets.ISO_8859_1));
        }

        void write(byte[] bytes) throws IOException {
            // trend-accept closes the channel if a client stops reading for too long.
            conn.deadline = System.nanoTime() + WRITE_TIMEOUT_NANOS;
            try {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    conn.ch.write(buf);
                }
            } finally {
                conn.deadline = 0;
            }
        }
    }

    private static String head(int status, String type, long length, String extraHeader) {
        StringBuilder sb = new StringBuilder(512).append("HTTP/1.1 ").append(status).append(' ').append(reason(status))
                .append("\r\nContent-Type: ").append(type)
                .append("\r\nCache-Control: no-store")
                .append("\r\nX-Content-Type-Options: nosniff")
                .append("\r\nX-Frame-Options: DENY")
                .append("\r\nReferrer-Policy: no-referrer")
                .append("\r\nContent-Security-Policy: ").append(CONTENT_SECURITY_POLICY)
                .append("\r\nConnection: close");
        if (length >= 0) {
            sb.append("\r\nContent-Length: ").append(length);
        }
        if (extraHeader != null) {
            sb.append("\r\n").append(extraHeader);
        }
        return sb.append("\r\n\r\n").toString();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 421 -> "Misdirected Request";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Internal Server Error";
        };
    }

    private void serve(Conn conn, Request request) {
        Exchange ex = new Exchange(conn, request);
        try {
            try {
                route(ex);
            } catch (BadRequest e) {
                if (!ex.started) {
                    ex.send(e.status, "text/plain; charset=utf-8", e.getMessage() + "\n");
                }
            } catch (RuntimeException e) {
                // Method and path only: the query string may hold the stream's token.
                LOG.warn("trend request failed [method={}, path={}]", request.method(), request.path(), e);
                if (!ex.started) {
                    ex.send(500, "text/plain; charset=utf-8", "internal error\n");
                }
            }
        } catch (IOException e) {
            LOG.debug("trend client went away before its answer");
        } finally {
            conn.close();
        }
    }

    private void route(Exchange ex) throws IOException {
        Request r = ex.request;
        // First the Host: a page that rebound its own name to this address learns nothing.
        if (!allowedHost(r.headers().get("host"))) {
            throw new BadRequest(421, "unknown Host: this server answers only to its own address");
        }
        if (!"GET".equals(r.method())) {
            ex.send(405, "text/plain; charset=utf-8", "only GET is served\n", "Allow: GET");
            return;
        }
        String[] file = STATIC.get(r.path());
        if (file != null) {
            resource(ex, file[0], file[1]);
            return;
        }
        Map<String, String> q = query(r.rawQuery());
        if (!authorized(r, q)) {
            ex.send(401, "text/plain; charset=utf-8",
                    "missing or wrong token: send 'Authorization: Bearer <token>'\n", "WWW-Authenticate: Bearer");
            return;
        }
        switch (r.path()) {
            case "/api/tags" -> tags(ex);
            case "/api/history" -> history(ex, q);
            case "/api/live" -> live(ex, q);
            default -> throw new BadRequest(404, "no such page");
        }
    }

    private boolean allowedHost(String host) {
        if (host == null) {
            return false;
        }
        String name = host;
        int port = 80;
        int colon = host.lastIndexOf(':');
        if (colon > host.lastIndexOf(']')) {
            name = host.substring(0, colon);
            try {
                port = Integer.parseInt(host.substring(colon + 1));
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return port == port() && allowedHosts.contains(hostKey(name));
    }

    /** IP literals compare as addresses ([::1] is [0:0:0:0:0:0:0:1]); names, case-insensitively. */
    private static String hostKey(String host) {
        if (IPV4.matcher(host).matches() || IPV6.matcher(host).matches()) {
            try {
                // A literal: no name lookup happens.
                InetAddress a = InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
                return "ip " + literal(a);
            } catch (UnknownHostException e) {
                return "bad";
            }
        }
        return "name " + host.toLowerCase(Locale.ROOT);
    }

    private static Set<String> allowedHosts(InetSocketAddress local, Set<String> more) throws SocketException {
        Set<String> keys = new HashSet<>();
        InetAddress a = local.getAddress();
        if (a.isAnyLocalAddress()) {
            // Bound to every address: each of this machine's addresses names it.
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress each : Collections.list(nif.getInetAddresses())) {
                    keys.add("ip " + literal(each));
                }
            }
        } else {
            keys.add("ip " + literal(a));
        }
        if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
            // IP literals cannot be rebound to another server, so both loopback ones are safe.
            keys.add("name localhost");
            keys.add("ip 127.0.0.1");
            keys.add("ip [0:0:0:0:0:0:0:1]");
        }
        for (String h : more) {
            keys.add(hostKey(h));
        }
        return Set.copyOf(keys);
    }

    /** The address as a URI host: IPv6 in brackets, without a zone. */
    private static String literal(InetAddress a) {
        String s = a.getHostAddress();
        int zone = s.indexOf('%');
        if (zone >= 0) {
            s = s.substring(0, zone);
        }
        return s.contains(":") ? "[" + s + "]" : s;
    }

    private boolean authorized(Request r, Map<String, String> q) {
        if (tokenDigest == null) {
            return true;
        }
        String given = null;
        String header = r.headers().get("authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = header.substring(7).strip();
        } else if ("/api/live".equals(r.path())) {
            // EventSource cannot send headers; nowhere else does the query count.
            given = q.get("token");
        }
        // Digests of equal length, compared in constant time: neither content nor length leaks.
        return given != null && MessageDigest.isEqual(tokenDigest, sha256(given));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static boolean strong(String token) {
        if (token.length() < MIN_TOKEN_LENGTH) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    private void resource(Exchange ex, String name, String type) throws IOException {
        try (InputStream in = TrendServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing from the classpath: " + name);
            }
            ex.sendBytes(type, in.readAllBytes());
        }
    }

    private void tags(Exchange ex) throws IOException {
        StringBuilder sb = new StringBuilder("[");
        for (TagDefinition d : historian.tags()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append("{\"name\":");
            string(sb, d.name());
            sb.append(",\"unit\":");
            string(sb, d.unit());
            sb.append(",\"description\":");
            string(sb, d.description());
            sb.append('}');
        }
        ex.send(200, "application/json; charset=utf-8", sb.append(']').toString());
    }

    private void history(Exchange ex, Map<String, String> q) throws IOException {
        String tag = knownTag(q);
        long from = millis(q, "from");
        long to = millis(q, "to");
        if (from >= to) {
            throw new BadRequest(400, "empty or inverted range: from must be before to");
        }
        int width = intParam(q, "width");
        if (width < 3 || width > MAX_WIDTH) {
            throw new BadRequest(400, "width must be 3 to " + MAX_WIDTH + " points");
        }
        StringBuilder t = new StringBuilder();
        StringBuilder v = new StringBuilder();
        int points = 0;
        long previous = Long.MIN_VALUE;
        try (PointCursor c = historian.query(tag).between(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to))
                .lttb(width)) {
            while (c.next()) {
                long ms = c.epochMillis();
                if (c.gapBefore() && previous != Long.MIN_VALUE) {
                    // A null between the two sides of a gap breaks the line there.
                    comma(t, v).append((previous + ms) / 2);
                    v.append("null");
                }
                comma(t, v).append(ms);
                number(v, c.quality().isBad() ? Double.NaN : c.value());
                previous = ms;
                points++;
            }
        }
        historyRequests.incrementAndGet();
        StringBuilder sb = new StringBuilder(t.length() + v.length() + 128);
        sb.append("{\"tag\":");
        string(sb, tag);
        sb.append(",\"from\":").append(from).append(",\"to\":").append(to).append(",\"width\":").append(width)
                .append(",\"points\":").append(points).append(",\"t\":[").append(t).append("],\"v\":[").append(v)
                .append("]}");
        ex.send(200, "application/json; charset=utf-8", sb.toString());
    }

    private void live(Exchange ex, Map<String, String> q) throws IOException {
        String tag = knownTag(q);
        Instant from = q.containsKey("from") ? Instant.ofEpochMilli(millis(q, "from")) : null;
        if (streams.incrementAndGet() > MAX_STREAMS) {
            streams.decrementAndGet();
            throw new BadRequest(503, "too many live streams");
        }
        try {
            LiveStream s = new LiveStream();
            live.add(s);
            try {
                s.run(ex, tag, from);
            } finally {
                live.remove(s);
            }
        } finally {
            streams.decrementAndGet();
        }
    }

    /**
     * One event stream. The subscription's listener appends to {@code buffer} under its lock and
     * never blocks on the network; this stream's HTTP thread swaps the buffer out and writes it
     * four times a second, so a slow client delays only itself. A client more than
     * {@value #MAX_STREAM_BUFFER} bytes behind is told so and cut off rather than buffered
     * without bound.
     */
    private final class LiveStream {
        private final Object lock = new Object();
        private StringBuilder buffer = new StringBuilder(4096);
        private StringBuilder spare = new StringBuilder(4096);
        private final CountDownLatch ended = new CountDownLatch(1);
        private boolean overflow;

        void run(Exchange ex, String tag, Instant from) throws IOException {
            // Subscribe before the 200 goes out, so that a failure still gets a proper 500.
            try (Subscription sub = from == null
                    ? historian.subscribe(tag, this::onSample)
                    : historian.subscribeFrom(from, tag, this::onSample)) {
                ex.startStream("text/event-stream");
                ex.write(": live\n\n".getBytes(StandardCharsets.UTF_8));
                long lastWrite = System.nanoTime();
                while (!ended.await(250, TimeUnit.MILLISECONDS)) {
                    StringBuilder batch;
                    boolean lagged;
                    synchronized (lock) {
                        batch = buffer;
                        buffer = spare;
                        spare = batch;
                        lagged = overflow;
                    }
                    if (lagged) {
                        ex.write("event: lagged\ndata: the page fell too far behind; reload it\n\n"
                                .getBytes(StandardCharsets.UTF_8));
                        return;
                    }
                    if (sub.isClosed()) {
                        String why = sub.failure().map(Throwable::getMessage).orElse("closed");
                        ex.write(("event: ended\ndata: " + why.replace('\n', ' ') + "\n\n")
                                .getBytes(StandardCharsets.UTF_8));
                        return;
                    }
                    if (batch.length() > 0) {
                        ex.write(("data: [" + batch + "]\n\n").getBytes(StandardCharsets.UTF_8));
                        batch.setLength(0);
                        lastWrite = System.nanoTime();
                    } else if (System.nanoTime() - lastWrite > TimeUnit.SECONDS.toNanos(10)) {
                        // A comment now and then finds a closed page, which a silent stream never notices.
                        ex.write(": ping\n\n".getBytes(StandardCharsets.UTF_8));
                        lastWrite = System.nanoTime();
                    }
                }
            } catch (IOException e) {
                LOG.debug("live stream closed by the client [tag={}]", tag);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void onSample(String tag, long epochMillis, double value, Quality quality) {
            synchronized (lock) {
                if (overflow) {
                    return;
                }
                if (buffer.length() > MAX_STREAM_BUFFER) {
                    overflow = true;
                    return;
                }
                if (buffer.length() > 0) {
                    buffer.append(',');
                }
                buffer.append('[').append(epochMillis).append(',');
                number(buffer, quality.isBad() ? Double.NaN : value);
                buffer.append(']');
            }
        }

        void end() {
            ended.countDown();
        }
    }

    private String knownTag(Map<String, String> q) {
        String tag = q.get("tag");
        if (tag == null || tag.isEmpty()) {
            throw new BadRequest(400, "missing parameter 'tag'");
        }
        Optional<TagDefinition> d = tag.indexOf('*') >= 0 || tag.indexOf('?') >= 0 ? Optional.empty() : historian.tag(tag);
        if (d.isEmpty()) {
            throw new BadRequest(404, "unknown tag");
        }
        return d.get().name();
    }

    private static long millis(Map<String, String> q, String name) {
        String s = q.get(name);
        if (s == null) {
            throw new BadRequest(400, "missing parameter '" + name + "' (epoch milliseconds)");
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "parameter '" + name + "' must be epoch milliseconds");
        }
    }

    private static int intParam(Map<String, String> q, String name) {
        String s = q.get(name);
        if (s == null) {
            throw new BadRequest(400, "missing parameter '" + name + "'");
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "parameter '" + name + "' must be an integer");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.putIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new BadRequest(400, "malformed query string");
            }
        }
        return out;
    }

    private static StringBuilder comma(StringBuilder t, StringBuilder v) {
        if (t.length() > 0) {
            t.append(',');
            v.append(',');
        }
        return t;
    }

    private static void number(StringBuilder sb, double v) {
        if (Double.isFinite(v)) {
            sb.append(v);
        } else {
            sb.append("null");
        }
    }

    private static void string(StringBuilder sb, String s) {
        if (s == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '<' -> sb.append("\\u003c"); // never closes a script element
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // Closing for good: nothing to do about a failure.
        }
    }

    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /**
     * Runs the simulated plant, a historian polling it (two hours of history first), and the page.
     * Options: {@code --data DIR} (default {@code trend-data}), {@code --bind ADDRESS} (default
     * 127.0.0.1), {@code --port N} (default 8080; 0 for any), {@code --token T} (at least
     * {@value #MIN_TOKEN_LENGTH} characters; on a non-loopback address without one, a random token is
     * made and printed), {@code --allow-host NAME} (a further name for the Host check, e.g. the
     * server's DNS name), {@code --seconds N} (stop after N seconds; default: until Ctrl-C).
     */
    public static void main(String[] args) throws InterruptedException {
        Map<String, String> opts = options(args);
        Path dataDir = Path.of(opts.getOrDefault("data", "trend-data"));
        InetAddress address;
        try {
            address = InetAddress.getByName(opts.getOrDefault("bind", "127.0.0.1"));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot resolve --bind [bind=" + opts.get("bind") + "]", e);
        }
        int port = Integer.parseInt(opts.getOrDefault("port", "8080"));
        long seconds = Long.parseLong(opts.getOrDefault("seconds", "0"));
        String tokenOpt = opts.get("token");
        boolean madeToken = false;
        if (tokenOpt == null && !address.isLoopbackAddress()) {
            tokenOpt = randomToken();
            madeToken = true;
        }
        Options serverOptions = Options.defaults();
        if (opts.containsKey("allow-host")) {
            serverOptions = serverOptions.allowHost(opts.get("allow-host"));
        }

        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closedDown = new CountDownLatch(1);
        // Ctrl-C: main closes the server, the historian and the plant before the JVM goes.
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                closedDown.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "trend-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (SimulatedPlant plant = SimulatedPlant.start(Duration.ofMinutes(1), Duration.ofSeconds(6),
                Duration.ofHours(2), Duration.ofSeconds(1), 7)) {
            Historian.Builder builder = Historian.builder().dataDirectory(dataDir)
                    .source(plant.plcSource(Duration.ofMillis(250))).source(plant.rioSource(Duration.ofMillis(250)));
            for (TagDefinition d : SimulatedPlant.tagDefinitions()) {
                builder.tag(d);
            }
            try (Historian historian = builder.build()) {
                long written = plant.backfill(historian);
                System.out.printf(Locale.ROOT, "history: %,d samples, the 2 h before %s on simulated time%n", written,
                        plant.startTime());
                try (TrendServer server = TrendServer.start(historian, new InetSocketAddress(address, port), tokenOpt,
                        serverOptions)) {
                    // The page reads the token from the fragment, which the browser never sends.
                    String shown = madeToken ? tokenOpt : "<your token>";
                    String fragment = tokenOpt == null ? "" : "#token=" + shown;
                    System.out.println("trend page: " + server.uri() + "?tag=reactor.temp" + fragment);
                    if (madeToken) {
                        System.out.println("made a random token (pass --token to choose one); the API takes it as "
                                + "'Authorization: Bearer " + shown + "'");
                    }
                    System.out.println("tags: " + (tokenOpt == null ? "" : "curl -H 'Authorization: Bearer " + shown
                            + "' ") + server.uri() + "api/tags; Ctrl-C stops");
                    if (seconds > 0) {
                        stop.await(seconds, TimeUnit.SECONDS);
                    } else {
                        stop.await();
                    }
                    System.out.printf(Locale.ROOT, "served %d history queries%n", server.historyRequests());
                }
            }
        } finally {
            closedDown.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running, and returns now that everything is closed.
            }
        }
    }

    private static Map<String, String> options(String[] args) {
        Set<String> known = Set.of("data", "bind", "port", "token", "allow-host", "seconds");
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || !known.contains(a.substring(2)) || i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value at argument " + (i + 1) + " [arg="
                        + a + "]; options: --data DIR --bind ADDRESS --port N --token T --allow-host NAME --seconds N");
            }
            out.put(a.substring(2), args[++i]);
        }
        return out;
    }
}
