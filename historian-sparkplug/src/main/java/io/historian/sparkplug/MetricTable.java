package io.historian.sparkplug;

import com.google.protobuf.CodedOutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The metrics an edge node has announced: tag name to alias, and each metric's last value sent,
 * which a birth repeats.
 *
 * <p>Invariants: aliases are dense from {@link #FIRST_ALIAS}, assigned in the order tags first
 * come and never reused or changed for the life of the forwarder, so an alias a host learnt from a
 * birth stays valid; {@link #birthBytesBound()} is at least the encoded size of a birth with every
 * metric, so a birth that passed {@link #fits} never exceeds the message size. Owned by the
 * forwarder's calling thread.
 */
final class MetricTable {
    /** Alias 0 is left out, so that a decoder that reads an absent alias as 0 cannot confuse it with a metric. */
    static final int FIRST_ALIAS = 1;
    /** What a birth holds besides its tag metrics: payload timestamp and seq, bdSeq, Node Control/Rebirth. */
    static final int BIRTH_OVERHEAD = 128;
    /** A birth metric's fields besides its name: alias, timestamp, datatype, value, the Quality property, framing. */
    private static final int METRIC_FIELDS_BOUND = 11 + 11 + 2 + 9 + 24 + 6;

    private final Map<String, Integer> aliases = new HashMap<>();
    private String[] names = new String[16];
    private double[] values = new double[16];
    private long[] timestamps = new long[16];
    private int[] qualities = new int[16];
    private boolean[] hasValue = new boolean[16];
    private int count;
    private long birthBytes = BIRTH_OVERHEAD;

    /** {@return the alias of the tag's metric, or -1 if it has none yet} */
    int aliasOf(String tag) {
        Integer a = aliases.get(tag);
        return a == null ? -1 : a;
    }

    /** {@return whether a birth still fits {@code maxBytes} with the tag's metric added} */
    boolean fits(String tag, int maxBytes) {
        return birthBytes + bound(tag) <= maxBytes;
    }

    /** Adds the tag's metric; {@return its alias} */
    int add(String tag) {
        int alias = FIRST_ALIAS + count;
        if (count == names.length) {
            int c = count * 2;
            names = Arrays.copyOf(names, c);
            values = Arrays.copyOf(values, c);
            timestamps = Arrays.copyOf(timestamps, c);
            qualities = Arrays.copyOf(qualities, c);
            hasValue = Arrays.copyOf(hasValue, c);
        }
        names[count] = tag;
        count++;
        aliases.put(tag, alias);
        birthBytes += bound(tag);
        return alias;
    }

    /** Remembers the last value sent for the alias, for the next birth. */
    void sent(int alias, long timestamp, double value, int qualityCode) {
        int i = alias - FIRST_ALIAS;
        timestamps[i] = timestamp;
        values[i] = value;
        qualities[i] = qualityCode;
        hasValue[i] = true;
    }

    int size() {
        return count;
    }

    String name(int index) {
        return names[index];
    }

    boolean hasValue(int index) {
        return hasValue[index];
    }

    double value(int index) {
        return values[index];
    }

    long timestamp(int index) {
        return timestamps[index];
    }

    int quality(int index) {
        return qualities[index];
    }

    long birthBytesBound() {
        return birthBytes;
    }

    private static int bound(String tag) {
        int inner = CodedOutputStream.computeStringSize(1, tag) + METRIC_FIELDS_BOUND;
        return 1 + CodedOutputStream.computeUInt32SizeNoTag(inner) + inner;
    }
}
