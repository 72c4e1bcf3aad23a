package io.historian.tiering;

import io.historian.HistorianException;
import java.time.Duration;

/**
 * The child side of the S3 fetch size test: fetches one object with the size the caller expects,
 * in a heap far smaller than the object. args: S3 port, prefix, key, expected size. Exit codes:
 * 10 refused with a {@link HistorianException} (message on stderr), 11 out of memory, 12 anything else.
 */
public final class S3FetchChild {
    static final int REFUSED = 10;

    private S3FetchChild() {
    }

    public static void main(String[] args) {
        int code;
        try (S3ColdTier tier = S3ColdTier.builder().endpoint("http://127.0.0.1:" + args[0]).region("us-east-1")
                .bucket(S3ProxyServer.BUCKET).prefix(args[1])
                .credentials(S3Credentials.of(S3ProxyServer.ACCESS, S3ProxyServer.SECRET))
                .callTimeout(Duration.ofSeconds(60)).build()) {
            try {
                byte[] content = tier.fetch(args[2], Long.parseLong(args[3]));
                System.err.println("fetched " + content.length + " bytes");
                code = 12;
            } catch (HistorianException e) {
                System.err.println("refused: " + e.getMessage());
                code = REFUSED;
            } catch (OutOfMemoryError e) {
                System.err.println("out of memory: " + e);
                code = 11;
            }
        } catch (Throwable e) {
            e.printStackTrace();
            code = 12;
        }
        System.exit(code);
    }
}
