package io.historian.simulation;

import io.historian.Historian;
import io.historian.Quality;
import io.historian.Sample;
import io.historian.SampleBatch;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * One write call of the simulation: its samples, in order, and the API it goes through (one of the
 * four single-sample overloads, or a {@link SampleBatch}).
 */
final class SimWrite {
    /** Which {@code Historian.write} overload carries the call. */
    enum Api {
        INSTANT_GOOD, INSTANT_QUALITY, MILLIS, SAMPLE, BATCH
    }

    final Api api;
    String[] tags;
    long[] ts;
    double[] values;
    int[] qualities;
    int size;

    SimWrite(Api api, int capacity) {
        this.api = api;
        tags = new String[Math.max(1, capacity)];
        ts = new long[tags.length];
        values = new double[tags.length];
        qualities = new int[tags.length];
    }

    static SimWrite single(Api api, String tag, long ts, double value, Quality quality) {
        SimWrite w = new SimWrite(api, 1);
        w.add(tag, ts, value, quality.code());
        return w;
    }

    SimWrite add(String tag, long t, double value, int quality) {
        if (size == tags.length) {
            int c = size * 2;
            tags = Arrays.copyOf(tags, c);
            ts = Arrays.copyOf(ts, c);
            values = Arrays.copyOf(values, c);
            qualities = Arrays.copyOf(qualities, c);
        }
        tags[size] = tag;
        ts[size] = t;
        values[size] = value;
        // This overload has no quality parameter: the sample is Good.
        qualities[size] = api == Api.INSTANT_GOOD ? Quality.GOOD.code() : quality;
        size++;
        return this;
    }

    boolean touches(List<String> anyOf) {
        for (int i = 0; i < size; i++) {
            if (anyOf.contains(tags[i])) {
                return true;
            }
        }
        return false;
    }

    /** Sends the call to the historian. */
    void writeTo(Historian h) {
        switch (api) {
            case INSTANT_GOOD -> h.write(tags[0], Instant.ofEpochMilli(ts[0]), values[0]);
            case INSTANT_QUALITY -> h.write(tags[0], Instant.ofEpochMilli(ts[0]), values[0], Quality.of(qualities[0]));
            case MILLIS -> h.write(tags[0], ts[0], values[0], Quality.of(qualities[0]));
            case SAMPLE -> h.write(new Sample(tags[0], Instant.ofEpochMilli(ts[0]), values[0], Quality.of(qualities[0])));
            case BATCH -> {
                SampleBatch batch = new SampleBatch(Math.max(1, size));
                for (int i = 0; i < size; i++) {
                    batch.add(tags[i], ts[i], values[i], Quality.of(qualities[i]));
                }
                h.write(batch);
            }
            default -> throw new AssertionError(api);
        }
    }

    /** A short description for messages: API, size, tags and time range. */
    String describe() {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (int i = 0; i < size; i++) {
            min = Math.min(min, ts[i]);
            max = Math.max(max, ts[i]);
            names.add(tags[i]);
        }
        if (size == 1) {
            return api + " " + tags[0] + "@" + Instant.ofEpochMilli(ts[0]) + "=" + values[0] + " q=" + Quality.of(qualities[0]);
        }
        StringBuilder sb = new StringBuilder(api + " of " + size + " samples, tags " + names + ", " + (size == 0 ? "empty"
                : Instant.ofEpochMilli(min) + " .. " + Instant.ofEpochMilli(max)));
        if (size <= 64) {
            sb.append(" {");
            for (int i = 0; i < size; i++) {
                sb.append(i == 0 ? "" : ", ").append(tags[i]).append('@').append(Instant.ofEpochMilli(ts[i])).append('=')
                        .append(values[i]).append(' ').append(Quality.of(qualities[i]));
            }
            sb.append('}');
        }
        return sb.toString();
    }

    void writeExternal(DataOutputStream out, List<String> tagTable) throws IOException {
        out.writeByte(api.ordinal());
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeByte(tagTable.indexOf(tags[i]));
            out.writeLong(ts[i]);
            out.writeDouble(values[i]);
            out.writeInt(qualities[i]);
        }
    }

    static SimWrite readExternal(DataInputStream in, List<String> tagTable) throws IOException {
        Api api = Api.values()[in.readByte()];
        int n = in.readInt();
        SimWrite w = new SimWrite(api, n);
        for (int i = 0; i < n; i++) {
            w.add(tagTable.get(in.readByte()), in.readLong(), in.readDouble(), in.readInt());
        }
        return w;
    }
}
