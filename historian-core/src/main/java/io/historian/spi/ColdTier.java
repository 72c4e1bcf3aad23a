package io.historian.spi;

import java.io.IOException;
import java.util.List;

/**
 * Object storage for tiered segments: a local directory or NAS mount
 * ({@link io.historian.FileSystemColdTier}), or any S3 API ({@code io.historian.tiering.S3ColdTier}).
 *
 * <pre>{@code
 * Historian.builder()
 *     .coldTier(FileSystemColdTier.of(Path.of("/mnt/nas/historian/site-a")))
 *     .tiering(TieringPolicy.olderThan(Duration.ofDays(30)))
 *     .build();
 * }</pre>
 *
 * <p>Keys are relative, made of {@code [a-z0-9._%-]} path segments joined by {@code /}, never
 * {@code .} or {@code ..}; an implementation adds its own prefix or root, so several historians
 * with distinct prefixes share one bucket or directory without interfering.
 *
 * <p><b>Errors:</b> a failure that may pass (network, timeout, a 5xx answer) is an
 * {@link IOException}; the historian retries it with backoff. A missing object is not an error
 * for {@link #stat} (it returns null) but is a {@link java.nio.file.NoSuchFileException} for
 * {@link #fetch}.
 *
 * <p><b>Thread safety:</b> implementations are thread-safe: the tiering job writes while queries
 * fetch.
 *
 * <p><b>Lifecycle:</b> the historian closes the tier it was given when it closes.
 */
public interface ColdTier extends AutoCloseable {

    /** {@return what the tier is, for messages and logs, without secrets: {@code s3://bucket/prefix/}} */
    String describe();

    /**
     * Stores an object, replacing any object at the key, with {@code sha256} (lower-case hex of
     * the content's SHA-256) kept as metadata so that {@link #stat} can return it.
     *
     * @param key the object's key, relative to the tier's root or prefix (see the class comment)
     * @param content the whole object; not modified
     * @param sha256 the content's SHA-256 in lower-case hex, computed by the caller
     * @throws IOException if the tier cannot be reached or answers with an error; the historian retries
     */
    void put(String key, byte[] content, String sha256) throws IOException;

    /**
     * The size and recorded SHA-256 of an object.
     *
     * @param key the object's key, relative to the tier's root or prefix (see the class comment)
     * @return the object's size and SHA-256, or null if there is no object at the key
     * @throws IOException if the tier cannot be reached or answers with an error; the historian retries
     */
    ObjectInfo stat(String key) throws IOException;

    /**
     * An object's content.
     *
     * @param key the object's key, relative to the tier's root or prefix (see the class comment)
     * @return the whole content
     * @throws java.nio.file.NoSuchFileException if there is no object at the key
     * @throws IOException if the tier cannot be reached or answers with an error; the historian retries
     */
    byte[] fetch(String key) throws IOException;

    /**
     * Deletes an object (and any partial upload of it); deleting a missing object is fine.
     *
     * @param key the object's key, relative to the tier's root or prefix (see the class comment)
     * @throws IOException if the tier cannot be reached or answers with an error; the historian retries
     */
    void delete(String key) throws IOException;

    /**
     * The keys of the objects whose keys start with {@code keyPrefix}, in any order.
     *
     * @param keyPrefix a plain string prefix of keys (not necessarily a whole segment); empty for all
     * @return the matching keys, relative as {@link #put} took them
     * @throws IOException if the tier cannot be reached or answers with an error; the historian retries
     */
    List<String> list(String keyPrefix) throws IOException;

    /**
     * For implementations: checks that a key is relative and has no empty, {@code .} or {@code ..}
     * segment and no backslash, colon or control character, so that no key can leave the tier's
     * root or prefix.
     *
     * @param key the key to check; null is invalid
     * @throws IllegalArgumentException naming the key and what is wrong with it
     */
    static void checkKey(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/")) {
            throw new IllegalArgumentException("invalid object key [key=" + key + "]");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '\\' || c < 0x20 || c == 0x7F || c == ':') {
                throw new IllegalArgumentException("invalid character in object key at index " + i + " [key=" + key + "]");
            }
        }
        for (String part : key.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("invalid path segment '" + part + "' in object key [key=" + key + "]");
            }
        }
    }

    /** Releases connections and threads; idempotent. */
    @Override
    void close();

    /**
     * What {@link #stat} knows of an object.
     *
     * @param size the content length in bytes
     * @param sha256 the SHA-256 recorded at upload (lower-case hex), or null if the object has none
     */
    record ObjectInfo(long size, String sha256) {
    }
}
