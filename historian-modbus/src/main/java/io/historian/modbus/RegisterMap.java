package io.historian.modbus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A parsed and checked register map: the points of a device, without the device. A CSV
 * register map names registers, not hosts (one map often serves many identical devices), so
 * {@link ModbusSource#fromCsv(Path)} returns this value and a device builder takes it:
 *
 * <pre>{@code
 * RegisterMap map = ModbusSource.fromCsv(Path.of("register-map.csv"));   // errors show up here
 * ModbusSource plc7 = ModbusSource.tcp("10.0.0.7", 502).name("plc-7").registerMap(map).build();
 * ModbusSource plc8 = ModbusSource.tcp("10.0.0.8", 502).name("plc-8").registerMap(map).build();
 * }</pre>
 *
 * <p>The CSV format is described at {@link ModbusSource.Builder#registerMap(Path)}. Every
 * row is checked when the map is read (types, orders, addresses, tag names, numbers, and tags
 * that appear twice), so a bad file fails before any device is configured, with the file,
 * line and column in the message. Two maps given to one builder may still collide on a tag;
 * that is reported by {@link ModbusSource.Builder#build()}.
 *
 * <p><b>Thread safety:</b> immutable; one map may be applied to any number of builders, from
 * any thread.
 */
public final class RegisterMap {
    private final String file;
    private final List<String> lines;
    private final List<String> tags;

    private RegisterMap(String file, List<String> lines) {
        this.file = file;
        this.lines = List.copyOf(lines);
        ModbusSource.Builder scratch = ModbusSource.tcp("register-map", 1).name(file);
        RegisterMaps.parse(this.lines, file, scratch);
        this.tags = List.copyOf(scratch.tags());
    }

    static RegisterMap read(Path csv) {
        Objects.requireNonNull(csv, "csv");
        try {
            return new RegisterMap(csv.toString(), Files.readAllLines(csv, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read register map [file=" + csv + "]", e);
        }
    }

    static RegisterMap of(String file, List<String> lines) {
        return new RegisterMap(file, new ArrayList<>(lines));
    }

    /** {@return the file the map was read from, as given} */
    public String file() {
        return file;
    }

    /** {@return the tag names, in file order} */
    public List<String> tags() {
        return tags;
    }

    /** {@return the number of points} */
    public int size() {
        return tags.size();
    }

    void applyTo(ModbusSource.Builder builder) {
        RegisterMaps.parse(lines, file, builder);
    }

    @Override
    public String toString() {
        return "RegisterMap[" + file + ", points=" + tags.size() + "]";
    }
}
