package io.historian.internal.engine;

import io.historian.HistorianException;
import io.historian.Interpolation;
import io.historian.TagDefinition;
import io.historian.internal.store.RocksChunkStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.rocksdb.WriteBatch;

/**
 * Tag names, ids and definitions, persisted in the store's {@code tags} family. Ids are dense
 * (0, 1, 2 ...) and never reused, so arrays indexed by id serve as per-tag state.
 *
 * <p><b>Threads:</b> lookups are lock-free from any thread; registration happens under the
 * historian's write lock, which keeps ids in order.
 */
final class TagRegistry {
    /** Version 2 adds the exception and compression filter settings; version 1 records are still read. */
    private static final byte RECORD_VERSION = 2;

    private final RocksChunkStore store;
    private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
    private volatile TagDefinition[] definitions = new TagDefinition[64];
    private volatile int size;

    TagRegistry(RocksChunkStore store) {
        this.store = store;
        store.forEachTag((id, record) -> {
            TagDefinition def = decode(id, record);
            put(id, def);
        });
    }

    /** The id of a name, or -1. */
    int idOf(String name) {
        Integer id = ids.get(name);
        return id == null ? -1 : id;
    }

    /** The definition of an id; ids come from {@link #idOf}. */
    TagDefinition definition(int id) {
        return definitions[id];
    }

    /** The number of tags; ids lie in {@code [0, size)}. */
    int size() {
        return size;
    }

    List<TagDefinition> all() {
        TagDefinition[] defs = definitions;
        int n = size;
        return List.of(Arrays.copyOf(defs, n));
    }

    /**
     * Registers new definitions (names not yet known) or updates existing ones, in one store
     * write. Returns the ids. The caller holds the historian's write lock.
     */
    int[] register(List<TagDefinition> defs, boolean sync) {
        int[] result = new int[defs.size()];
        List<TagDefinition> changed = new ArrayList<>();
        List<Integer> changedIds = new ArrayList<>();
        // By name, the ids given in this call: a call may bring 100,000 new tags.
        Map<String, Integer> newIds = new HashMap<>();
        int next = size;
        for (int i = 0; i < defs.size(); i++) {
            TagDefinition d = defs.get(i);
            int id = idOf(d.name());
            if (id < 0) {
                id = newIds.getOrDefault(d.name(), -1);
            }
            if (id < 0) {
                id = next++;
                newIds.put(d.name(), id);
            } else if (id < size && definitions[id].equals(d)) {
                result[i] = id;
                continue;
            }
            changed.add(d);
            changedIds.add(id);
            result[i] = id;
        }
        if (!changed.isEmpty()) {
            try (WriteBatch batch = new WriteBatch()) {
                for (int j = 0; j < changed.size(); j++) {
                    store.putTag(batch, changedIds.get(j), encode(changed.get(j)));
                }
                store.write(batch, sync);
            }
            for (int j = 0; j < changed.size(); j++) {
                put(changedIds.get(j), changed.get(j));
            }
        }
        return result;
    }

    private synchronized void put(int id, TagDefinition def) {
        TagDefinition[] defs = definitions;
        if (id >= defs.length) {
            defs = Arrays.copyOf(defs, Math.max(id + 1, defs.length * 2));
        }
        defs[id] = def;
        definitions = defs;
        ids.put(def.name(), id);
        if (id >= size) {
            size = id + 1;
        }
    }

    private static byte[] encode(TagDefinition d) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(RECORD_VERSION);
            out.writeUTF(d.name());
            out.writeUTF(d.unit());
            out.writeUTF(d.description());
            out.writeByte(d.interpolation().ordinal());
            out.writeBoolean(d.rejectNonFinite());
            out.writeBoolean(d.span().isPresent());
            if (d.span().isPresent()) {
                out.writeDouble(d.span().get().low());
                out.writeDouble(d.span().get().high());
            }
            out.writeDouble(d.deadbandPercent().isPresent() ? Double.NaN : d.deadband().orElse(Double.NaN));
            out.writeDouble(d.deadbandPercent().orElse(Double.NaN));
            out.writeLong(d.exceptionMin().toMillis());
            out.writeLong(d.exceptionMax().toMillis());
            out.writeDouble(d.swingingDoorDeviation().orElse(Double.NaN));
            out.writeLong(d.swingingDoorMinTime().toMillis());
            out.writeLong(d.swingingDoorMaxTime().toMillis());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private static TagDefinition decode(int id, byte[] record) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(record))) {
            int version = in.readByte();
            if (version != 1 && version != RECORD_VERSION) {
                throw new HistorianException("unknown tag record version " + version + " [tagId=" + id + "]");
            }
            String name = in.readUTF();
            TagDefinition d = TagDefinition.of(name)
                    .unit(in.readUTF())
                    .description(in.readUTF())
                    .interpolation(Interpolation.values()[in.readByte()])
                    .rejectNonFinite(in.readBoolean());
            if (version == 1) {
                return d;
            }
            if (in.readBoolean()) {
                d = d.span(in.readDouble(), in.readDouble());
            }
            double deadband = in.readDouble();
            double percent = in.readDouble();
            if (!Double.isNaN(percent)) {
                d = d.deadbandPercent(percent);
            } else if (!Double.isNaN(deadband)) {
                d = d.deadband(deadband);
            }
            long excMin = in.readLong();
            long excMax = in.readLong();
            // exceptionMax first: it may have to grow before a larger exceptionMin fits under it.
            d = d.exceptionMax(java.time.Duration.ofMillis(Math.max(excMax, excMin))).exceptionMin(java.time.Duration.ofMillis(excMin))
                    .exceptionMax(java.time.Duration.ofMillis(excMax));
            double door = in.readDouble();
            long doorMin = in.readLong();
            long doorMax = in.readLong();
            if (!Double.isNaN(door)) {
                d = d.swingingDoor(door, java.time.Duration.ofMillis(doorMin), java.time.Duration.ofMillis(doorMax));
            }
            return d;
        } catch (IOException | RuntimeException e) {
            throw new HistorianException("corrupt tag record [tagId=" + id + "]", e);
        }
    }
}
