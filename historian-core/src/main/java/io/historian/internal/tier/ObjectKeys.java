package io.historian.internal.tier;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Deterministic object keys: {@code segments/<tag>/<partition start>.seg}, and
 * {@code segments/<tag>/<partition start>-<first chunk start>.seg} for a partition's later segments. The tag segment keeps
 * {@code [a-z0-9_-]} and a {@code .} that does not lead, and percent-encodes every other UTF-8 byte
 * with upper-case hex, so the mapping is injective, case-insensitive file systems cannot merge two
 * tags, and no tag can produce {@code /}, {@code .} or {@code ..}. Encoded names longer than
 * {@link #MAX_TAG_SEGMENT} keep a prefix and append the SHA-256 of the full name.
 */
public final class ObjectKeys {
    /** Segments prefix inside a tier. */
    public static final String SEGMENTS = "segments/";
    /** Leaves room under the 255-byte file-name limit of common file systems. */
    static final int MAX_TAG_SEGMENT = 180;
    private static final DateTimeFormatter PARTITION =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private ObjectKeys() {
    }

    /** The key of a tag's segment for the partition starting at {@code partitionStart}. */
    public static String segment(String tag, long partitionStart) {
        return SEGMENTS + tagSegment(tag) + "/" + PARTITION.format(Instant.ofEpochMilli(partitionStart)) + ".seg";
    }

    /**
     * The key of a later segment of a partition that already has one (data exported in another
     * run): {@code <partition start>-<first chunk start in ms>.seg}, so no segment overwrites another.
     */
    public static String laterSegment(String tag, long partitionStart, long firstChunkStart) {
        return SEGMENTS + tagSegment(tag) + "/" + PARTITION.format(Instant.ofEpochMilli(partitionStart)) + "-"
                + firstChunkStart + ".seg";
    }

    /** The path segment for a tag name. */
    public static String tagSegment(String tag) {
        byte[] utf8 = tag.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(utf8.length + 8);
        for (int i = 0; i < utf8.length; i++) {
            int b = utf8[i] & 0xFF;
            boolean plain = (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '_' || b == '-'
                    || (b == '.' && i > 0);
            if (plain) {
                sb.append((char) b);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
            }
        }
        if (sb.length() > MAX_TAG_SEGMENT) {
            String hash = Sha256.hex(utf8);
            return sb.substring(0, MAX_TAG_SEGMENT - 65).replaceAll("%[0-9A-F]?$", "") + "~" + hash;
        }
        return sb.toString();
    }

}
