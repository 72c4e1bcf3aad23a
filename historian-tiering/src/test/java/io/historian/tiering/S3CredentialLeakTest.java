package io.historian.tiering;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import io.historian.ColdTierUnavailableException;
import io.historian.Historian;
import io.historian.TieringPolicy;
import io.historian.testing.MutableClock;
import io.historian.testing.TierData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every way the S3 tier fails (refused credentials, a missing bucket, a missing object, a server
 * that is down), with a session token set, logged at DEBUG with stack traces the way an
 * application logs them: neither the secret key nor the session token may show anywhere, in a
 * message, a cause or a suppressed exception, nor in anything the library logs itself.
 */
class S3CredentialLeakTest {
    private static final String TOKEN = "FQoGZXIvYXdzEJr-session-token-0123456789abcdef";
    private static final String WRONG_SECRET = "wrong-secret-key-9876543210";
    private static final Logger LOG = LoggerFactory.getLogger(S3CredentialLeakTest.class);
    /** The loggers of the library and its S3 client: what an application's log would hold. */
    private static final List<String> CLIENT_LOGGERS = List.of("io.historian", "io.minio", "okhttp3");
    private static final StringBuffer captured = new StringBuffer();
    private static final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            captured.append(event.getLevel()).append(' ').append(event.getLoggerName()).append(" - ")
                    .append(event.getFormattedMessage()).append('\n');
            if (event.getThrowableProxy() != null) {
                // Causes, suppressed exceptions and their stack traces, as a log file shows them.
                captured.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
            }
        }
    };
    private static S3ProxyServer s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3ProxyServer();
        // S3Proxy brings logback, which slf4j binds in these tests; capture at DEBUG.
        assertInstanceOf(LoggerContext.class, LoggerFactory.getILoggerFactory(),
                "the capture below needs logback as the slf4j binding");
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        capture.setContext(ctx);
        capture.start();
        for (String name : CLIENT_LOGGERS) {
            ch.qos.logback.classic.Logger l = ctx.getLogger(name);
            l.setLevel(Level.DEBUG);
            l.setAdditive(false);
            l.addAppender(capture);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        for (String name : CLIENT_LOGGERS) {
            ch.qos.logback.classic.Logger l = ctx.getLogger(name);
            l.detachAppender(capture);
            l.setAdditive(true);
            l.setLevel(name.equals("io.historian") ? Level.INFO : null);
        }
        capture.stop();
        s3.close();
    }

    private static S3ColdTier tier(int port, String bucket, String secret, String token) {
        return S3ColdTier.builder().endpoint("http://127.0.0.1:" + port).region("us-east-1").bucket(bucket)
                .prefix("leak/").credentials(new S3Credentials(S3ProxyServer.ACCESS, secret, token))
                .connectTimeout(Duration.ofSeconds(2)).readTimeout(Duration.ofSeconds(5))
                .callTimeout(Duration.ofSeconds(10)).build();
    }

    /** Logs a failure as an application would, and keeps its full printed stack trace too. */
    private static void record(String what, Throwable t) {
        LOG.debug("cold tier failure: {}", what, t);
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        captured.append(w).append('\n');
    }

    private interface Call {
        Object call() throws Exception;
    }

    /** Runs each of the tier's calls, which must all fail, records the failures and returns them. */
    private static List<Throwable> failures(String where, S3ColdTier tier) {
        return failures(where, tier, true);
    }

    private static List<Throwable> failures(String where, S3ColdTier tier, boolean withStat) {
        List<Throwable> out = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Call> calls = new ArrayList<>();
        names.add("put");
        calls.add(() -> {
            tier.put("segments/a/1.seg", new byte[] {1, 2, 3}, "00");
            return null;
        });
        names.add("list");
        calls.add(() -> tier.list("segments/"));
        if (withStat) {
            names.add("stat");
            calls.add(() -> tier.stat("segments/a/1.seg"));
        }
        names.add("delete");
        calls.add(() -> {
            tier.delete("segments/a/1.seg");
            return null;
        });
        names.add("fetch");
        calls.add(() -> tier.fetch("segments/a/missing.seg", 3));
        for (int i = 0; i < calls.size(); i++) {
            try {
                Object r = calls.get(i).call();
                throw new AssertionError(where + ": " + names.get(i) + " did not fail: " + r);
            } catch (Exception e) {
                record(where + " " + names.get(i), e);
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void everyFailurePath_loggedWithStackTraces_showsNoSecretAndNoSessionToken() throws Exception {
        int before = captured.length();
        List<Throwable> all = new ArrayList<>();
        try (S3ColdTier refused = tier(s3.port(), S3ProxyServer.BUCKET, WRONG_SECRET, null)) {
            all.addAll(failures("refused credentials", refused));
        }
        // S3Proxy refuses every request that carries a session token (501): each one still sent
        // the token in its headers, which the S3 client's exceptions print.
        try (S3ColdTier refused = tier(s3.port(), S3ProxyServer.BUCKET, WRONG_SECRET, TOKEN)) {
            all.addAll(failures("refused credentials with a session token", refused));
        }
        try (S3ColdTier withToken = tier(s3.port(), S3ProxyServer.BUCKET, S3ProxyServer.SECRET, TOKEN)) {
            all.addAll(failures("session token", withToken));
        }
        try (S3ColdTier noBucket = tier(s3.port(), "no-such-bucket", S3ProxyServer.SECRET, null)) {
            // A HEAD answer has no body to tell a missing bucket from a missing object: stat says null.
            all.addAll(failures("missing bucket", noBucket, false));
        }
        try (S3ColdTier noBucket = tier(s3.port(), "no-such-bucket", S3ProxyServer.SECRET, TOKEN)) {
            all.addAll(failures("missing bucket with a session token", noBucket));
        }
        int down;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            down = free.getLocalPort();
        }
        try (S3ColdTier unreachable = tier(down, S3ProxyServer.BUCKET, S3ProxyServer.SECRET, TOKEN)) {
            all.addAll(failures("server down", unreachable));
        }
        try (S3ColdTier good = tier(s3.port(), S3ProxyServer.BUCKET, S3ProxyServer.SECRET, null)) {
            // The one failure a working tier has: stat answers null for a missing object, fetch throws.
            assertNull(good.stat("segments/a/missing.seg"));
            try {
                good.fetch("segments/a/missing.seg", 3);
                throw new AssertionError("a missing object was fetched");
            } catch (NoSuchFileException e) {
                record("missing object fetch", e);
                all.add(e);
            }
        }
        for (Throwable t : all) {
            assertTrue(t instanceof java.io.IOException, t.toString());
        }
        assertInstanceOf(NoSuchFileException.class, all.get(all.size() - 1));

        String text = captured.substring(before);
        // The capture works, and the failures say what went wrong.
        assertTrue(text.contains("DEBUG io.historian.tiering.S3CredentialLeakTest"), text);
        assertTrue(text.contains("HTTP 403") && text.contains("HTTP 501") && text.contains("bucket=no-such-bucket")
                && text.contains("NoSuchBucket") && text.contains("ConnectException"), text);
        assertNoSecret(text);
    }

    @Test
    void historianRuns_withRefusedCredentials_logNoSecretAndNoSessionToken() throws Exception {
        int before = captured.length();
        MutableClock clock = new MutableClock(Instant.ofEpochMilli(TierData.T0 + 9 * 86_400_000L));
        Supplier<Historian.Builder> builder = () -> Historian.builder().jmx(false).clock(clock)
                .tiering(TieringPolicy.olderThan(Duration.ofDays(2)).checkEvery(Duration.ZERO));
        // Tiered with good credentials, then read with refused ones and a token: a cold query fails.
        Path data = dir.resolve("data");
        try (Historian h = builder.get().dataDirectory(data).coldTier(s3.tier("leak-history/")).build()) {
            TierData.write(h, List.of("leak.a"), 3 * 8640, 10_000);
            h.tierNow();
        }
        try (Historian h = builder.get().dataDirectory(data).coldTier(S3ColdTier.builder().endpoint(s3.endpoint())
                .region("us-east-1").bucket(S3ProxyServer.BUCKET).prefix("leak-history/")
                .credentials(new S3Credentials(S3ProxyServer.ACCESS, WRONG_SECRET, TOKEN)).build()).build()) {
            Instant day0 = Instant.ofEpochMilli(TierData.T0);
            try {
                h.query("leak.a").between(day0, day0.plusSeconds(60)).toList();
                throw new AssertionError("a cold query with refused credentials answered");
            } catch (ColdTierUnavailableException e) {
                record("cold query", e);
            }
        }
        // A tiering run with refused credentials and a token: the job retries (logging each attempt) and fails.
        try (Historian h = builder.get().dataDirectory(dir.resolve("data2")).coldTier(tier(s3.port(),
                S3ProxyServer.BUCKET, WRONG_SECRET, TOKEN)).build()) {
            TierData.write(h, List.of("leak.b"), 3 * 8640, 10_000);
            try {
                h.tierNow();
                throw new AssertionError("a tiering run with refused credentials succeeded");
            } catch (ColdTierUnavailableException e) {
                record("tiering run", e);
            }
        }
        String text = captured.substring(before);
        assertTrue(text.contains("cold tier upload failed") && text.contains("while fetching a segment"), text);
        assertTrue(text.contains("HTTP 501"), text);
        assertNoSecret(text);
    }

    private static void assertNoSecret(String text) {
        assertFalse(text.contains(TOKEN), "the session token was logged:\n" + text);
        assertFalse(text.contains(WRONG_SECRET), "the secret key was logged:\n" + text);
        assertFalse(text.contains(S3ProxyServer.SECRET), "the secret key was logged:\n" + text);
    }
}
