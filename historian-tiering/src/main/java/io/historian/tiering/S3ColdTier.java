package io.historian.tiering;

import io.historian.HistorianException;
import io.historian.spi.ColdTier;
import io.minio.Checksum;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * A cold tier on any S3 API (AWS S3, MinIO, Ceph, S3Proxy), through minio-java.
 *
 * <pre>{@code
 * Historian.builder()
 *     .coldTier(S3ColdTier.builder().endpoint("https://minio.plant.local:9000").bucket("historian")
 *             .prefix("site-a/").credentials(S3Credentials.of(accessKey, secretKey)).build())
 *     .tiering(TieringPolicy.olderThan(Duration.ofDays(30)))
 *     .build();
 * }</pre>
 *
 * <p>Objects live under {@code prefix}: several historians share a bucket with distinct
 * prefixes. Each object carries the SHA-256 of its content as user metadata
 * ({@code x-amz-meta-historian-sha256}); {@link #stat} returns it, so verification never depends
 * on the ETag alone, which differs between servers for multipart uploads. An upload is verified
 * from its own response when the ETag there is the MD5 of the content (a single-part upload),
 * and by a {@link #stat} otherwise.
 *
 * <p><b>Errors:</b> network failures, timeouts and 5xx answers are {@link IOException}s (the
 * historian retries them); a missing object is {@code null} from {@link #stat} and a
 * {@link NoSuchFileException} from {@link #fetch}; a missing bucket or refused credentials are
 * {@link IOException}s whose message names the bucket. Every exception is the tier's own, with
 * the operation, bucket, object, HTTP status and S3 error code in its message and no cause from
 * the S3 client, whose exceptions show the request's headers: no secret or session token reaches
 * a log.
 *
 * <p><b>Thread safety:</b> thread-safe. <b>Lifecycle:</b> the historian closes the tier; closing
 * releases the HTTP client's threads and connections.
 */
public final class S3ColdTier implements ColdTier {
    private static final String SHA_META = "historian-sha256";
    private static final Set<String> MISSING = Set.of("NoSuchKey", "NoSuchObject", "NotFound");
    /** Requests in flight at once: the most uploads a tiering policy allows, plus room for reads. */
    private static final int MAX_CONCURRENT = 80;
    /**
     * The checksum the server verifies the body against: minio's default, CRC32C, is a per-byte
     * table in Java, while CRC32 is the JDK's intrinsic; both catch a body damaged on the way.
     */
    private static final Checksum.Algorithm CHECKSUM = Checksum.Algorithm.CRC32;

    private final MinioClient client;
    private final OkHttpClient http;
    private final String bucket;
    private final String prefix;
    private final String endpoint;
    private final Supplier<S3Credentials> credentials;
    private volatile boolean closed;

    private S3ColdTier(Builder b) {
        this.bucket = b.bucket;
        this.prefix = b.prefix;
        this.endpoint = b.endpoint;
        this.credentials = b.credentials;
        OkHttpClient.Builder hb = new OkHttpClient.Builder()
                .connectTimeout(b.connectTimeout)
                .readTimeout(b.readTimeout)
                .writeTimeout(b.readTimeout)
                .callTimeout(b.callTimeout)
                .retryOnConnectionFailure(false)
                .dispatcher(dispatcher())
                // Enough idle connections for every upload the tiering job keeps in flight.
                .connectionPool(new ConnectionPool(MAX_CONCURRENT, 5, TimeUnit.MINUTES));
        if (b.trustedCertificates != null) {
            X509TrustManager tm = trustManager(b.trustedCertificates);
            try {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new javax.net.ssl.TrustManager[] {tm}, null);
                hb.sslSocketFactory(ctx.getSocketFactory(), tm);
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot set up TLS with " + b.trustedCertificates + ": " + e, e);
            }
        }
        this.http = hb.build();
        MinioClient.Builder mb = MinioClient.builder().endpoint(b.endpoint).httpClient(http, true);
        if (b.region != null) {
            mb.region(b.region);
        }
        Supplier<S3Credentials> provider = b.credentials;
        mb.credentialsProvider(() -> {
            S3Credentials c = provider.get();
            return new io.minio.credentials.Credentials(c.accessKey(), c.secretKey(), c.sessionToken(), null);
        });
        this.client = mb.build();
    }

    /**
     * minio's calls go through OkHttp's dispatcher, which by default runs only five at once per
     * host: fewer than the tiering job's concurrent uploads.
     */
    private static Dispatcher dispatcher() {
        Dispatcher d = new Dispatcher();
        d.setMaxRequests(MAX_CONCURRENT);
        d.setMaxRequestsPerHost(MAX_CONCURRENT);
        return d;
    }

    private static X509TrustManager trustManager(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) {
                throw new IllegalArgumentException("no certificate in " + pem);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return (X509TrustManager) tmf.getTrustManagers()[0];
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read trusted certificates [file=" + pem + "]: " + e, e);
        }
    }

    /**
     * A builder; endpoint, bucket and credentials are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    private String objectName(String key) {
        io.historian.spi.ColdTier.checkKey(key);
        return prefix + key;
    }

    @Override
    public String describe() {
        return "s3://" + bucket + "/" + prefix + " at " + endpoint;
    }

    @Override
    public void put(String key, byte[] content, String sha256) throws IOException {
        upload(objectName(key), content, sha256);
    }

    /**
     * Uploads, then answers from the upload's ETag when it is the MD5 of the content, as it is for
     * a single-part upload stored unencrypted or with SSE-S3: the server then holds these bytes,
     * with the SHA-256 metadata of the same request. Any other ETag (SSE-KMS, SSE-C, a server
     * with its own scheme) costs a {@link #stat}, as the default does.
     *
     * @param key the object's key, relative to the prefix
     * @param content the whole object; not modified
     * @param sha256 the content's SHA-256 in lower-case hex, computed by the caller
     * @return the object's size and SHA-256 as stored
     * @throws IOException if the server cannot be reached or answers with an error
     */
    @Override
    public ObjectInfo putAndStat(String key, byte[] content, String sha256) throws IOException {
        String etag = upload(objectName(key), content, sha256);
        if (etag != null && etag.replace("\"", "").equalsIgnoreCase(md5Hex(content))) {
            return new ObjectInfo(content.length, sha256);
        }
        return stat(key);
    }

    private String upload(String name, byte[] content, String sha256) throws IOException {
        try {
            return client.putObject(PutObjectArgs.builder().bucket(bucket).object(name).data(content, content.length)
                    .contentType("application/octet-stream").userMetadata(Map.of(SHA_META, sha256))
                    .checksum(CHECKSUM).build()).etag();
        } catch (MinioException | RuntimeException e) {
            throw io("upload", name, e);
        }
    }

    private static String md5Hex(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from this JVM", e);
        }
    }

    @Override
    public ObjectInfo stat(String key) throws IOException {
        String name = objectName(key);
        try {
            StatObjectResponse r = client.statObject(StatObjectArgs.builder().bucket(bucket).object(name).build());
            String sha = null;
            for (Map.Entry<String, String> h : r.userMetadata()) {
                if (h.getKey().toLowerCase(java.util.Locale.ROOT).endsWith(SHA_META)) {
                    sha = h.getValue();
                }
            }
            return new ObjectInfo(r.size(), sha);
        } catch (ErrorResponseException e) {
            if (MISSING.contains(e.errorResponse().code()) || e.response() != null && e.response().code() == 404) {
                return null;
            }
            throw io("stat", name, e);
        } catch (MinioException | RuntimeException e) {
            throw io("stat", name, e);
        }
    }

    @Override
    public byte[] fetch(String key, long expectedSize) throws IOException {
        String name = objectName(key);
        GetObjectResponse response;
        try {
            response = client.getObject(GetObjectArgs.builder().bucket(bucket).object(name).build());
        } catch (ErrorResponseException e) {
            if (MISSING.contains(e.errorResponse().code())) {
                // No cause: minio's exception prints the request's headers (see io()).
                throw new NoSuchFileException(describe() + name, null, failure(e));
            }
            throw io("fetch", name, e);
        } catch (MinioException | RuntimeException e) {
            // minio-java reports transport failures as unchecked exceptions.
            throw io("fetch", name, e);
        }
        try (GetObjectResponse in = response) {
            // The size from the headers, so that an object larger than the manifest says is refused unread.
            String length = in.headers().get("Content-Length");
            long announced = length == null ? -1 : Long.parseLong(length.trim());
            return ColdTier.readExactly(key, expectedSize, announced, in);
        } catch (HistorianException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw io("fetch", name, e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        String name = objectName(key);
        try {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(name).build());
        } catch (MinioException | RuntimeException e) {
            throw io("delete", name, e);
        }
    }

    @Override
    public List<String> list(String keyPrefix) throws IOException {
        List<String> keys = new ArrayList<>();
        Iterable<Result<Item>> items = client.listObjects(ListObjectsArgs.builder().bucket(bucket)
                .prefix(prefix + keyPrefix).recursive(true).build());
        try {
            for (Result<Item> r : items) {
                keys.add(r.get().objectName().substring(prefix.length()));
            }
        } catch (MinioException e) {
            throw io("list", prefix + keyPrefix, e);
        } catch (RuntimeException e) {
            // The listing iterator wraps transport failures in unchecked exceptions.
            throw io("list", prefix + keyPrefix, e);
        }
        return keys;
    }

    /**
     * Our own exception for a failed request: the operation, where, and what the server or the
     * transport said, with the stack trace of this call site and no cause. minio's exceptions are
     * never kept as causes, because their {@code toString} (printed by every logged stack trace)
     * shows the request's headers, among them {@code X-Amz-Security-Token}.
     */
    private IOException io(String what, String name, Exception e) {
        if (!(e instanceof ErrorResponseException) && !(e instanceof io.minio.errors.ServerException)) {
            // A transport failure (a cut, a timeout) may have broken other pooled connections too:
            // drop the idle ones, or each retry could draw another dead one from the pool.
            http.connectionPool().evictAll();
        }
        return new IOException(what + " failed [bucket=" + bucket + ", object=" + name + ", endpoint=" + endpoint + "]: "
                + failure(e));
    }

    /** The useful parts of a client failure: HTTP status, S3 error code and message, or the transport error. */
    private String failure(Throwable e) {
        StringBuilder b = new StringBuilder();
        if (e instanceof ErrorResponseException r) {
            b.append("HTTP ").append(r.response() == null ? "?" : Integer.toString(r.response().code()));
            io.minio.messages.ErrorResponse er = r.errorResponse();
            if (er != null) {
                b.append(", S3 error ").append(er.code()).append(": ").append(er.message());
                if (er.requestId() != null) {
                    b.append(" (request id ").append(er.requestId()).append(')');
                }
            }
        } else if (e instanceof io.minio.errors.ServerException se) {
            b.append("HTTP ").append(se.statusCode()).append(": ").append(se.getMessage());
        } else {
            // Types and messages of the chain (a refused connection, a timeout); getMessage, never
            // toString, which for minio's exceptions includes the request.
            int depth = 0;
            for (Throwable t = e; t != null && depth < 4; t = t.getCause(), depth++) {
                if (depth > 0) {
                    b.append(" <- ");
                }
                b.append(t.getClass().getSimpleName());
                if (t.getMessage() != null) {
                    b.append(": ").append(t.getMessage());
                }
            }
        }
        String text = b.length() > 1000 ? b.substring(0, 1000) + "..." : b.toString();
        return redact(text);
    }

    /** Servers may echo the request in error messages; the current secret and token never leave in one. */
    private String redact(String text) {
        S3Credentials c;
        try {
            c = credentials.get();
        } catch (RuntimeException e) {
            return text;
        }
        if (c == null) {
            return text;
        }
        String out = text;
        for (String secret : new String[] {c.secretKey(), c.sessionToken()}) {
            if (secret != null && !secret.isEmpty()) {
                out = out.replace(secret, "***");
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            client.close();
        } catch (Exception e) {
            throw new HistorianException("cannot close the S3 client [" + describe() + "]", e);
        } finally {
            // The client closes the HTTP client it was handed; these make sure no thread lingers.
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }

    @Override
    public String toString() {
        return "S3ColdTier[" + describe() + "]";
    }

    /**
     * Configures an {@link S3ColdTier}.
     *
     * <p><b>Errors:</b> nulls throw {@link NullPointerException} naming the parameter; a missing
     * endpoint, bucket or credentials is an {@link IllegalStateException} at {@link #build()}.
     */
    public static final class Builder {
        private String endpoint;
        private String region;
        private String bucket;
        private String prefix = "";
        private Supplier<S3Credentials> credentials;
        private Path trustedCertificates;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(30);
        private Duration callTimeout = Duration.ofMinutes(2);

        private Builder() {
        }

        /**
         * The server URL, {@code https://host:port} (or {@code http://} for a local test server).
         *
         * @param url the endpoint URL, without bucket or path
         * @return this builder
         */
        public Builder endpoint(String url) {
            this.endpoint = Objects.requireNonNull(url, "url");
            return this;
        }

        /**
         * The region (default: asked from the server).
         *
         * @param region the region name, such as {@code eu-central-1}
         * @return this builder
         */
        public Builder region(String region) {
            this.region = Objects.requireNonNull(region, "region");
            return this;
        }

        /**
         * The bucket; it must exist.
         *
         * @param bucket the bucket name; the tier never creates it
         * @return this builder
         */
        public Builder bucket(String bucket) {
            this.bucket = Objects.requireNonNull(bucket, "bucket");
            return this;
        }

        /**
         * The key prefix of every object (default none), such as {@code site-a/}. Must be empty or
         * end with {@code /} and have no {@code .} or {@code ..} segment.
         *
         * @param prefix the prefix, empty or ending with {@code /}
         * @return this builder
         * @throws IllegalArgumentException if the prefix does not end with {@code /} or has an invalid segment
         */
        public Builder prefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            if (!prefix.isEmpty()) {
                if (!prefix.endsWith("/")) {
                    throw new IllegalArgumentException("prefix must end with '/': " + prefix);
                }
                io.historian.spi.ColdTier.checkKey(prefix.substring(0, prefix.length() - 1));
            }
            this.prefix = prefix;
            return this;
        }

        /**
         * Static credentials.
         *
         * @param credentials the keys used for every request
         * @return this builder
         */
        public Builder credentials(S3Credentials credentials) {
            Objects.requireNonNull(credentials, "credentials");
            this.credentials = () -> credentials;
            return this;
        }

        /**
         * Credentials asked for on each request (rotating or temporary ones); the supplier must be quick.
         *
         * @param provider called for each request; must not return null
         * @return this builder
         */
        public Builder credentials(Supplier<S3Credentials> provider) {
            this.credentials = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /**
         * Trusts the CA certificates in a PEM file in place of the JVM's trust store (a private CA).
         *
         * @param pemFile a PEM file with one or more CA certificates; read at {@link #build()}
         * @return this builder
         */
        public Builder trustedCertificates(Path pemFile) {
            this.trustedCertificates = Objects.requireNonNull(pemFile, "pemFile");
            return this;
        }

        /**
         * Connection timeout (default 10 s).
         *
         * @param timeout how long opening a connection may take, positive
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * Read and write timeout: how long a stalled transfer waits (default 30 s).
         *
         * @param timeout the longest pause in a transfer, positive
         * @return this builder
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /**
         * Whole-call timeout (default 2 min).
         *
         * @param timeout the longest one request may take in all, positive
         * @return this builder
         */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = positive(timeout, "callTimeout");
            return this;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }

        /**
         * Builds the tier; no request is made until the historian uses it.
         *
         * @return the tier; hand it to {@code Historian.Builder.coldTier}
         * @throws IllegalStateException if the endpoint, bucket or credentials are missing
         * @throws IllegalArgumentException if the trusted certificates cannot be read
         */
        public S3ColdTier build() {
            if (endpoint == null || bucket == null || credentials == null) {
                throw new IllegalStateException("S3ColdTier needs endpoint, bucket and credentials [endpoint=" + endpoint
                        + ", bucket=" + bucket + ", credentials=" + (credentials == null ? "missing" : "set") + "]");
            }
            return new S3ColdTier(this);
        }

        @Override
        public String toString() {
            return "S3ColdTier.Builder[endpoint=" + endpoint + ", bucket=" + bucket + ", prefix=" + prefix + "]";
        }
    }
}
