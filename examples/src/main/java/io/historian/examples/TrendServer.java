package io.historian.examples;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.Subscription;
import io.historian.TagDefinition;
import io.historian.query.PointCursor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trend page for one historian: a small Jetty 12 server (core handlers, no servlets) that serves a
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
 * one-line message that never repeats the request (no reflected input, whatever the content type);
 * so do the requests Jetty itself refuses (malformed, too large), through an error handler that
 * writes fixed text.
 *
 * <p><b>Security:</b> binds to loopback unless told otherwise; any other address needs a token of
 * at least {@value #MIN_TOKEN_LENGTH} visible ASCII characters, and {@link #start} refuses a weak
 * one (and, on any other address, none). With a token, every {@code /api/} request must carry it
 * as {@code Authorization: Bearer <token>}; only {@code /api/live} also takes {@code ?token=},
 * because a browser's {@code EventSource} cannot send headers. The page and its scripts hold no
 * data and are served without it: a browser cannot add a header to a page load, so the page takes
 * the token from the address's fragment ({@code #token=}), which browsers never send to a server.
 * Tokens are compared by SHA-256 digest in constant time, and neither they nor query strings are
 * ever logged (no request log; failures are logged with method and path only). Every request must name this server in its {@code Host} header (the bound address
 * and port; on loopback also {@code localhost}, {@code 127.0.0.1} and {@code [::1]}; more names through {@link Options#allowHost});
 * others get 421, which stops DNS rebinding from turning a web page into a client of a token-less
 * loopback server. Responses carry {@code X-Content-Type-Options: nosniff}, {@code X-Frame-Options:
 * DENY}, {@code Referrer-Policy: no-referrer} and a {@code Content-Security-Policy} that allows
 * only this server's own scripts, styles and connections (the page has no inline script or style).
 *
 * <p><b>Slow and greedy clients:</b> a client has {@link Options#headerTimeout} (default 10 s) from
 * connecting to send its request line and headers (at most 16 KiB), else it is closed; once its
 * request is being answered, the connection may stay idle (a write stalled by a client that does
 * not read) for at most 30 s. Jetty reads requests on its selector without blocking, so a client
 * that stalls mid-request holds no worker thread. One remote address may hold at most
 * {@value #MAX_CONNECTIONS_PER_CLIENT} connections, further ones are closed at once; with 256
 * connections open in all, Jetty stops accepting until one closes. The JDK's {@code
 * com.sun.net.httpserver} was not used because it reads headers on its worker threads, its only
 * deadline ({@code sun.net.httpserver.maxReqTime}) is a JVM-wide system property read once when
 * its first server is created, and it has no per-client limit.
 *
 * <p><b>Threads:</b> Jetty's pool {@code trend-http-N} accepts connections, runs the selector and
 * answers requests; {@code trend-deadline-N} closes connections past their header deadline. Each
 * live stream holds one pool thread and owns one subscription ({@code historian-subscription-N})
 * whose listener only appends to the stream's buffer; the stream's thread writes the buffer out
 * four times a second. At most {@value #MAX_STREAMS} streams at once. Every response closes its
 * connection (no keep-alive).
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
    /** Request line and headers together; the page's requests are well under 2 KiB. */
    private static final int MAX_REQUEST_BYTES = 16 * 1024;
    private static final long WRITE_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(30);
    private static final int MAX_STREAM_BUFFER = 1 << 20;
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String HOST_REFUSED = "unknown Host: this server answers only to its own address";
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

        /** How long a client may take from connecting to having sent its request line and headers. */
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
    private final Server server;
    private final ClientLimits limits;
    private final byte[] tokenDigest;
    private final Set<String> allowedHosts;
    private final InetSocketAddress local;
    private final AtomicLong historyRequests = new AtomicLong();
    private final AtomicInteger streams = new AtomicInteger();
    private final Set<LiveStream> live = ConcurrentHashMap.newKeySet();

    private TrendServer(Historian historian, Server server, ClientLimits limits, String token,
            InetSocketAddress local, Set<String> hosts) throws SocketException {
        this.historian = historian;
        this.server = server;
        this.limits = limits;
        this.tokenDigest = token == null ? null : sha256(token);
        this.local = local;
        this.allowedHosts = allowedHosts(local, hosts);
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
        // Streams hold a thread each; the rest answer the short requests, accept and select.
        QueuedThreadPool pool = new QueuedThreadPool(MAX_STREAMS + 24, 4);
        pool.setName("trend-http");
        pool.setDaemon(true);
        Server server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_REQUEST_BYTES);
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // A malformed Host (say a port of "8080x") reaches the handler, whose exact match refuses it
        // with 421 like any other foreign name, instead of Jetty's parser answering 400.
        http.setHttpCompliance(HttpCompliance.RFC9110.with("host-checked-by-handler",
                HttpCompliance.Violation.UNSAFE_HOST_HEADER));
        Scheduler scheduler = new ScheduledExecutorScheduler("trend-deadline", true);
        ServerConnector connector = new ServerConnector(server, null, scheduler, null, 1, 1,
                new HttpConnectionFactory(http));
        connector.setHost(bind.getAddress().getHostAddress());
        connector.setPort(bind.getPort());
        connector.setAcceptQueueSize(64);
        // Until a request is complete its connection may idle for the header timeout at most;
        // the handler then allows the write timeout.
        connector.setIdleTimeout(options.headerTimeout.toMillis());
        ClientLimits limits = new ClientLimits(scheduler, options.headerTimeout.toMillis());
        connector.addEventListener(limits);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, connector));
        server.setErrorHandler(new FixedErrors());
        try {
            // Bind first: the Host check needs the port before the first request can arrive.
            connector.open();
            InetSocketAddress local = (InetSocketAddress) ((ServerSocketChannel) connector.getTransport())
                    .getLocalAddress();
            TrendServer trend = new TrendServer(historian, server, limits, token, local, options.hosts);
            server.setHandler(trend.new Routes());
            server.start();
            return trend;
        } catch (Exception e) {
            stopQuietly(server);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot bind trend server [bind=" + bind + "]", io);
            }
            throw new IllegalStateException("cannot start trend server [bind=" + bind + "]", e);
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
        return local.getPort();
    }

    /** The page's address, {@code http://host:port/}. */
    public URI uri() {
        return URI.create("http://" + literal(local.getAddress()) + ":" + local.getPort() + "/");
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
        for (LiveStream s : live) {
            s.end();
        }
        // Stopping joins the pool's threads, so every stream has ended when this returns.
        stopQuietly(server);
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.debug("trend server did not stop cleanly", e);
        }
    }

    // ---- Connections: Jetty reads the requests; these limits and deadlines are ours.

    /**
     * Counts connections per remote address and closes those over the limit the moment they open,
     * and closes a connection whose request has not reached the handler by the header deadline
     * (Jetty's idle timeout alone would let a client that sends a byte now and then stay forever).
     */
    private static final class ClientLimits implements Connection.Listener {
        private final Scheduler scheduler;
        private final long headerTimeoutMillis;
        private final Map<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
        private final Map<Connection, InetAddress> counted = new ConcurrentHashMap<>();
        private final Map<Connection, Scheduler.Task> deadlines = new ConcurrentHashMap<>();

        ClientLimits(Scheduler scheduler, long headerTimeoutMillis) {
            this.scheduler = scheduler;
            this.headerTimeoutMillis = headerTimeoutMillis;
        }

        @Override
        public void onOpened(Connection c) {
            InetAddress client = ((InetSocketAddress) c.getEndPoint().getRemoteSocketAddress()).getAddress();
            if (perClient.merge(client, 1, Integer::sum) > MAX_CONNECTIONS_PER_CLIENT) {
                release(client);
                c.getEndPoint().close();
                return;
            }
            counted.put(c, client);
            // Listeners run before the connection first reads, so the request cannot beat this.
            deadlines.put(c, scheduler.schedule(() -> {
                if (deadlines.remove(c) != null) {
                    c.getEndPoint().close();
                }
            }, headerTimeoutMillis, TimeUnit.MILLISECONDS));
        }

        @Override
        public void onClosed(Connection c) {
            requestArrived(c);
            InetAddress client = counted.remove(c);
            if (client != null) {
                release(client);
            }
        }

        void requestArrived(Connection c) {
            Scheduler.Task t = deadlines.remove(c);
            if (t != null) {
                t.cancel();
            }
        }

        private void release(InetAddress client) {
            perClient.computeIfPresent(client, (k, v) -> v > 1 ? v - 1 : null);
        }
    }

    // ---- Answering: one request per connection.

    private final class Routes extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Connection connection = request.getConnectionMetaData().getConnection();
            limits.requestArrived(connection);
            // The request is in: from now on the idle timeout bounds a write the client does not read.
            connection.getEndPoint().setIdleTimeout(WRITE_TIMEOUT_MILLIS);
            String path = request.getHttpURI().getPath();
            try {
                route(request, response, callback, path);
            } catch (BadRequest e) {
                fail(response, callback, e, e.status, e.getMessage());
            } catch (Throwable e) {
                // Method and path only: the query string may hold the stream's token (and Jetty would
                // log an escaping throwable with the whole URI, so none escapes).
                LOG.warn("trend request failed [method={}, path={}]", request.getMethod(), path, e);
                fail(response, callback, e, 500, "internal error");
            }
            return true;
        }
    }

    private static void fail(Response response, Callback callback, Throwable e, int status, String message) {
        if (response.isCommitted()) {
            callback.failed(e);
        } else {
            send(response, callback, status, TEXT, message + "\n");
        }
    }

    private static void securityHeaders(HttpFields.Mutable h) {
        h.put(HttpHeader.CACHE_CONTROL, "no-store");
        h.put("X-Content-Type-Options", "nosniff");
        h.put("X-Frame-Options", "DENY");
        h.put("Referrer-Policy", "no-referrer");
        h.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        h.put(HttpHeader.CONNECTION, "close");
    }

    private static void send(Response response, Callback callback, int status, String type, String body,
            String... header) {
        send(response, callback, status, type, body.getBytes(StandardCharsets.UTF_8), header);
    }

    /** The whole answer in one write; {@code header} is name, value pairs. */
    private static void send(Response response, Callback callback, int status, String type, byte[] body,
            String... header) {
        response.setStatus(status);
        HttpFields.Mutable h = response.getHeaders();
        securityHeaders(h);
        h.put(HttpHeader.CONTENT_TYPE, type);
        h.put(HttpHeader.CONTENT_LENGTH, body.length);
        for (int i = 0; i + 1 < header.length; i += 2) {
            h.put(header[i], header[i + 1]);
        }
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /**
     * What Jetty answers itself (malformed requests, oversized headers, a duplicated Host): a fixed
     * line per status, never its default page, which repeats the URI and the parser's reason.
     */
    private static final class FixedErrors extends ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = request.getAttribute(ERROR_STATUS) instanceof Integer s ? s : response.getStatus();
            if (status == 400 && "No Host".equals(request.getAttribute(ERROR_MESSAGE))) {
                // Jetty's parser refuses an HTTP/1.1 request without Host before the handler sees it;
                // answer it like any other request that does not name this server.
                send(response, callback, 421, TEXT, HOST_REFUSED + "\n");
                return true;
            }
            send(response, callback, status, TEXT, fixedMessage(status) + "\n");
            return true;
        }

        private static String fixedMessage(int status) {
            return switch (status) {
                case 400 -> "malformed request";
                case 404 -> "no such page";
                case 408 -> "request not received in time";
                case 413, 414, 431 -> "request too large";
                case 501 -> "not implemented";
                case 505 -> "HTTP/1.1 only";
                default -> status >= 500 ? "internal error" : "request refused";
            };
        }
    }

    private void route(Request request, Response response, Callback callback, String path) throws IOException {
        // First the Host: a page that rebound its own name to this address learns nothing.
        if (!allowedHost(request.getHeaders().get(HttpHeader.HOST))) {
            throw new BadRequest(421, HOST_REFUSED);
        }
        if (!"GET".equals(request.getMethod())) {
            send(response, callback, 405, TEXT, "only GET is served\n", "Allow", "GET");
            return;
        }
        String[] file = STATIC.get(path);
        if (file != null) {
            resource(response, callback, file[0], file[1]);
            return;
        }
        Map<String, String> q = query(request.getHttpURI().getQuery());
        if (!authorized(request, path, q)) {
            send(response, callback, 401, TEXT, "missing or wrong token: send 'Authorization: Bearer <token>'\n",
                    "WWW-Authenticate", "Bearer");
            return;
        }
        switch (path) {
            case "/api/tags" -> tags(response, callback);
            case "/api/history" -> history(response, callback, q);
            case "/api/live" -> live(response, callback, q);
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

    private boolean authorized(Request r, String path, Map<String, String> q) {
        if (tokenDigest == null) {
            return true;
        }
        String given = null;
        String header = r.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = header.substring(7).strip();
        } else if ("/api/live".equals(path)) {
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

    private static void resource(Response response, Callback callback, String name, String type)
            throws IOException {
        try (InputStream in = TrendServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing from the classpath: " + name);
            }
            send(response, callback, 200, type, in.readAllBytes());
        }
    }

    private void tags(Response response, Callback callback) {
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
        send(response, callback, 200, "application/json; charset=utf-8", sb.append(']').toString());
    }

    private void history(Response response, Callback callback, Map<String, String> q) {
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
        send(response, callback, 200, "application/json; charset=utf-8", sb.toString());
    }

    private void live(Response response, Callback callback, Map<String, String> q) {
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
                s.run(response, callback, tag, from);
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

        /** Completes the callback when the stream ends: the subscription's or the server's close, or the client's. */
        void run(Response response, Callback callback, String tag, Instant from) {
            // Subscribe before the 200 goes out, so that a failure still gets a proper 500.
            try (Subscription sub = from == null
                    ? historian.subscribe(tag, this::onSample)
                    : historian.subscribeFrom(from, tag, this::onSample)) {
                response.setStatus(200);
                securityHeaders(response.getHeaders());
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
                // Blocking writes on this stream's own thread; the idle timeout fails one the client does not read.
                OutputStream out = Content.Sink.asOutputStream(response);
                stream(sub, out);
                callback.succeeded();
            } catch (IOException e) {
                LOG.debug("live stream closed by the client [tag={}]", tag);
                callback.failed(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                callback.failed(e);
            }
        }

        private void stream(Subscription sub, OutputStream out) throws IOException, InterruptedException {
            write(out, ": live\n\n");
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
                    write(out, "event: lagged\ndata: the page fell too far behind; reload it\n\n");
                    return;
                }
                if (sub.isClosed()) {
                    String why = sub.failure().map(Throwable::getMessage).orElse("closed");
                    write(out, "event: ended\ndata: " + why.replace('\n', ' ') + "\n\n");
                    return;
                }
                if (batch.length() > 0) {
                    write(out, "data: [" + batch + "]\n\n");
                    batch.setLength(0);
                    lastWrite = System.nanoTime();
                } else if (System.nanoTime() - lastWrite > TimeUnit.SECONDS.toNanos(10)) {
                    // A comment now and then finds a closed page, which a silent stream never notices.
                    write(out, ": ping\n\n");
                    lastWrite = System.nanoTime();
                }
            }
        }

        private void write(OutputStream out, String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
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
