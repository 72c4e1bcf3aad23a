package io.historian.tiering;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/** A real S3 API server on 127.0.0.1 (S3Proxy, in memory) with one bucket. */
final class S3ProxyServer implements AutoCloseable {
    static final String ACCESS = "historian-access";
    static final String SECRET = "historian-secret-key";
    static final String BUCKET = "historian";

    private final S3Proxy proxy;
    private final BlobStore store;

    S3ProxyServer() throws Exception {
        store = new TransientNio2BlobStore();
        store.createContainer(BUCKET);
        proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
                // Jetty's pool starts at eight threads; capped there it never grows under concurrent
                // uploads, so the leak check does not count new server threads as the test's own.
                .jettyMaxThreads(8).build();
        proxy.start();
        await("S3Proxy start").atMost(Duration.ofSeconds(30)).until(() -> "STARTED".equals(proxy.getState()));
        // Jetty starts its scheduler thread on the first requests; start it here, not inside a
        // test, so the leak check does not count the server's own threads.
        try (S3ColdTier warm = tier("warm-up/")) {
            warm.put("segments/w", new byte[] {1}, "00");
            warm.stat("segments/w");
            warm.delete("segments/w");
        }
    }

    int port() {
        return proxy.getPort();
    }

    String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    /** A tier on this server (or on {@code port}, a proxy in front of it). */
    S3ColdTier tier(int port, String prefix, Duration readTimeout) {
        return S3ColdTier.builder().endpoint("http://127.0.0.1:" + port).region("us-east-1").bucket(BUCKET)
                .prefix(prefix).credentials(S3Credentials.of(ACCESS, SECRET)).readTimeout(readTimeout)
                .connectTimeout(Duration.ofSeconds(2)).callTimeout(Duration.ofSeconds(20)).build();
    }

    S3ColdTier tier(String prefix) {
        return tier(port(), prefix, Duration.ofSeconds(10));
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        store.close();
    }
}
