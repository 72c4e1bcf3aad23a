package io.historian.spi;

import io.historian.HistorianException;
import java.io.IOException;
import java.io.InputStream;
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
 * <p><b>Thread safety:</b> implementations are thread-safe: the tiering job uploads several
 * objects at once (see {@link io.historian.TieringPolicy#uploadConcurrency}) while queries fetch.
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
     * Stores an object as {@link #put} does, then reports what the tier holds at the key, as
     * {@link #stat} would. The tiering job records a segment in the manifest only when this
     * answer shows the segment's size and SHA-256.
     *
     * <p>The default calls {@link #put} then {@link #stat}. An implementation may answer from
     * the upload's own response instead of a second request, but only when that response proves
     * the tier stored exactly these bytes with this SHA-256 (an S3 server's ETag equal to the
     * MD5 of the content of a single-part upload, say); otherwise it must {@link #stat}.
     *
     * @param key the object's key, relative to the tier's root or prefix (see the class comment)
     * @param content the whole object; not modified
     * @param sha256 the content's SHA-256 in lower-case hex, computed by the caller
     * @return what the tier holds at the key after the upload, or null if it holds nothing
     * @throws IOException if the tier cannot be reached or answers with an error; the historian retries
     */
    default ObjectInfo putAndStat(String key, byte[] content, String sha256) throws IOException {
        put(key, content, sha256);
        return stat(key);
    }

    /**
     * The size and recorded SHA-256 of an object.
     *
     * @param key the object's key, relative to the tier's root or prefix (see the class comment)
     * @return the object's size and SHA-256, or null if there is no object at the key
     * @throws IOException if the tier cannot be reached or answers with an error; the historian retries
     */
    ObjectInfo stat(String key) throws IOException;

    /**
     * An object's content, which the historian recorded as {@code expectedSize} bytes long.
     *
     * <p>Objects are read whole into memory, so an implementation must not trust the object's
     * own size: it learns the size before it reads the content (a file's length, a response's
     * {@code Content-Length}) and reads through {@link #readExactly}, which refuses an object of
     * another size before reading any of it and never reads more than {@code expectedSize + 1}
     * bytes.
     *
     * @param key the object's key, relative to the tier's root or prefix (see the class comment)
     * @param expectedSize the object's size in bytes as the historian recorded it at upload
     * @return the whole content, {@code expectedSize} bytes
     * @throws java.nio.file.NoSuchFileException if there is no object at the key
     * @throws HistorianException (not retryable) if the object's size is not {@code expectedSize}
     * @throws IOException if the tier cannot be reached or answers with an error; the historian retries
     */
    byte[] fetch(String key, long expectedSize) throws IOException;

    /**
     * For implementations of {@link #fetch}: reads exactly {@code expectedSize} bytes, refusing an
     * object of another size. The size the tier announced is checked first, so a wrong object is
     * refused without reading it; the content is then read in bounded steps into an array of
     * {@code expectedSize} bytes, and one more byte is asked for to catch an object longer than it
     * announced.
     *
     * @param key the object's key, for the message
     * @param expectedSize the size the historian recorded
     * @param announcedSize the object's size as the tier reports it before the content, or -1 if unknown
     * @param in the content; not closed
     * @return the content
     * @throws HistorianException (not retryable) naming the key and both sizes if they differ
     * @throws IOException if reading fails
     */
    static byte[] readExactly(String key, long expectedSize, long announcedSize, InputStream in) throws IOException {
        if (expectedSize < 0 || expectedSize > Integer.MAX_VALUE - 8) {
            throw new HistorianException("cold object size out of range: it cannot be read into memory [key=" + key
                    + ", expectedSize=" + expectedSize + "]");
        }
        if (announcedSize >= 0 && announcedSize != expectedSize) {
            throw sizeMismatch(key, expectedSize, Long.toString(announcedSize));
        }
        byte[] content = new byte[(int) expectedSize];
        int n = in.readNBytes(content, 0, content.length);
        if (n < content.length) {
            throw sizeMismatch(key, expectedSize, Integer.toString(n));
        }
        if (in.read() >= 0) {
            throw sizeMismatch(key, expectedSize, "more than " + expectedSize);
        }
        return content;
    }

    private static HistorianException sizeMismatch(String key, long expectedSize, String actualSize) {
        return new HistorianException("cold object size differs from the manifest"
                + " [key=" + key + ", expectedSize=" + expectedSize + ", actualSize=" + actualSize + "]");
    }

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
