package io.historian.internal.tier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.historian.internal.codec.ChunkCodec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Segment framing and object keys. */
class SegmentCodecTest {
    private static byte[] chunk(long first, int n) {
        long[] ts = new long[n];
        double[] vs = new double[n];
        int[] qs = new int[n];
        for (int i = 0; i < n; i++) {
            ts[i] = first + i * 1000L;
            vs[i] = i * 0.25;
        }
        return new ChunkCodec().encode(ts, vs, qs, n);
    }

    @Test
    void encodeDecode_roundTripsChunksByteForByte() throws CorruptSegmentException {
        byte[] a = chunk(0, 10);
        byte[] b = chunk(20_000, 5);
        byte[] seg = SegmentCodec.encode("t", 0, 86_400_000, List.of(0L, 20_000L), List.of(a, b));
        SegmentCodec.Decoded d = SegmentCodec.decode(seg, "t", "k");
        assertArrayEquals(new long[] {0, 20_000}, d.starts());
        assertArrayEquals(a, d.chunks()[0]);
        assertArrayEquals(b, d.chunks()[1]);
        assertEquals(15, d.samples());
    }

    @Test
    void decode_truncatedOrForeign_failsNamingTheObject() {
        byte[] seg = SegmentCodec.encode("t", 0, 86_400_000, List.of(0L), List.of(chunk(0, 10)));
        byte[] cut = java.util.Arrays.copyOf(seg, seg.length - 7);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> SegmentCodec.decode(cut, "t", "a/b.seg"));
        assertTrue(e.getMessage().contains("a/b.seg"), e.getMessage());
        CorruptSegmentException other = assertThrows(CorruptSegmentException.class, () -> SegmentCodec.decode(seg, "u", "a/b.seg"));
        assertTrue(other.getMessage().contains("expected 'u'"), other.getMessage());
        byte[] outside = SegmentCodec.encode("t", 0, 1000, List.of(0L), List.of(chunk(5000, 3)));
        assertThrows(CorruptSegmentException.class, () -> SegmentCodec.decode(outside, "t", "k"));
    }

    @Test
    void objectKeys_anyTagName_staysOneSafeSegment() {
        Set<String> seen = new HashSet<>();
        for (String tag : List.of("a", "A", "a.b", ".a", "a/b", "a\\b", "x%2F", "ü", "a b", "a:b", "x".repeat(256),
                "Ü".repeat(256), "x".repeat(255) + "y")) {
            String key = ObjectKeys.segment(tag, 0);
            io.historian.spi.ColdTier.checkKey(key);
            String seg = ObjectKeys.tagSegment(tag);
            assertTrue(seg.matches("[a-z0-9_.%~A-F-]+") && !seg.startsWith(".") && seg.length() <= 180, seg);
            assertTrue(seen.add(seg.toLowerCase(java.util.Locale.ROOT)), "collision for " + tag);
        }
        assertThrows(IllegalArgumentException.class, () -> io.historian.spi.ColdTier.checkKey("segments/../x"));
        assertThrows(IllegalArgumentException.class, () -> io.historian.spi.ColdTier.checkKey("/abs"));
    }
}
