package io.historian.tiering;

import java.util.Objects;

/**
 * An access key, its secret and an optional session token. {@link #toString()} shows the access
 * key only; the secret and token are never logged.
 *
 * @param accessKey the access key id
 * @param secretKey the secret
 * @param sessionToken a session token for temporary credentials, or null
 */
public record S3Credentials(String accessKey, String secretKey, String sessionToken) {
    /**
     * Checks that the keys are present.
     *
     * @param accessKey the access key id
     * @param secretKey the secret
     * @param sessionToken a session token for temporary credentials, or null
     */
    public S3Credentials {
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
    }

    /**
     * Static credentials without a session token.
     *
     * @param accessKey the access key id
     * @param secretKey the secret
     * @return the credentials
     */
    public static S3Credentials of(String accessKey, String secretKey) {
        return new S3Credentials(accessKey, secretKey, null);
    }

    @Override
    public String toString() {
        return "S3Credentials[accessKey=" + accessKey + ", secretKey=***" + (sessionToken == null ? "" : ", sessionToken=***")
                + "]";
    }
}
