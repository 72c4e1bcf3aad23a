package io.historian.modbus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads CSV register maps, the spreadsheet engineers already keep, into a
 * {@link ModbusSource.Builder} ({@link ModbusSource.Builder#registerMap}).
 *
 * <pre>
 * name,address,type,order,scale,offset,unit,description
 * boiler.temp,40001,float32,CDAB,0.1,0,degC,Boiler temperature
 * pump.speed,30010,uint16,,,,rpm,
 * pump.running,00001,bool,,,,,
 * </pre>
 *
 * <p>The first non-comment line is the header; columns may come in any order and names are
 * case-insensitive. {@code name} and {@code address} are required; {@code type} (default
 * uint16, or bool for coils and discrete inputs; also int16, int32, uint32, int64, uint64,
 * float32, float64, bit), {@code order} (ABCD), {@code scale} (1), {@code offset} (0),
 * {@code table} (holding, input, coil, discrete), {@code unit_id} and {@code bit} are optional;
 * {@code unit} and {@code description} are accepted and ignored here. Without a {@code table}
 * column the address must be in the 5- or 6-digit form whose first digit names the table
 * ({@code 00001} coil, {@code 10001} discrete input, {@code 30001} input register,
 * {@code 40001} holding register). Lines starting with {@code #} and blank lines are skipped;
 * fields may be double-quoted.
 *
 * <p><b>Valid combinations</b> (anything else is an error, never silently dropped):
 * {@code bool} (or an empty type) only on coils and discrete inputs, with no order and no bit;
 * on registers an empty type means uint16, and {@code order} needs an explicit register type
 * (int16 ... float64; for 16-bit types only the byte swap of BADC and DCBA matters);
 * {@code bit} needs type {@code bit} and a {@code bit} of 0..15, with no order; a value must fit
 * below the last address (a float32 at 465536 does not); a line may not have more non-blank
 * fields than the header has columns.
 *
 * <p><b>Errors:</b> an {@link IllegalArgumentException} whose message names the file, line
 * and column, such as {@code unknown type 'flaot32' [file=map.csv, line=3, column=3 (type)]}.
 */
final class RegisterMaps {
    private static final List<String> KNOWN = List.of("name", "address", "type", "order", "scale", "offset",
            "unit", "description", "table", "unit_id", "bit");

    private RegisterMaps() {
    }

    static void read(Path csv, ModbusSource.Builder builder) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read register map [file=" + csv + "]", e);
        }
        parse(lines, csv.toString(), builder);
    }

    static void parse(List<String> lines, String file, ModbusSource.Builder builder) {
        Map<String, Integer> columns = null;
        Map<String, Integer> tagLines = new HashMap<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            int lineNo = n + 1;
            if (n == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            List<String> fields = split(line, file, lineNo);
            if (columns == null) {
                columns = new HashMap<>();
                for (int c = 0; c < fields.size(); c++) {
                    String h = fields.get(c).trim().toLowerCase(Locale.ROOT).replace(' ', '_');
                    if (!KNOWN.contains(h)) {
                        throw error("unknown column '" + fields.get(c) + "', expected some of " + KNOWN, file, lineNo,
                                c + 1, fields.get(c));
                    }
                    if (columns.put(h, c) != null) {
                        throw error("duplicate column '" + h + "'", file, lineNo, c + 1, h);
                    }
                }
                for (String required : List.of("name", "address")) {
                    if (!columns.containsKey(required)) {
                        throw new IllegalArgumentException("register map header lacks the column '" + required
                                + "' [file=" + file + ", line=" + lineNo + "]");
                    }
                }
                continue;
            }
            Row row = new Row(fields, columns, file, lineNo);
            Integer previous = tagLines.putIfAbsent(row.get("name"), lineNo);
            if (previous != null) {
                throw row.fail("name", "duplicate tag name '" + row.get("name") + "', also on line " + previous, null);
            }
            row.apply(builder);
        }
        if (columns == null) {
            throw new IllegalArgumentException("register map is empty [file=" + file + "]");
        }
    }

    private static final class Row {
        final List<String> fields;
        final Map<String, Integer> columns;
        final String file;
        final int line;

        Row(List<String> fields, Map<String, Integer> columns, String file, int line) {
            this.fields = fields;
            this.columns = columns;
            this.file = file;
            this.line = line;
        }

        String get(String column) {
            Integer c = columns.get(column);
            return c == null || c >= fields.size() ? "" : fields.get(c).trim();
        }

        IllegalArgumentException fail(String column, String message, Throwable cause) {
            int c = columns.get(column) + 1;
            IllegalArgumentException e = error(message, file, line, c, column);
            if (cause != null) {
                e.initCause(cause);
            }
            return e;
        }

        void apply(ModbusSource.Builder builder) {
            // A field beyond the header has no column to go to; dropping it would hide a
            // misplaced value or an unquoted comma. Blank ones carry nothing (spreadsheets pad
            // rows with trailing commas) and are let through.
            for (int c = columns.size(); c < fields.size(); c++) {
                if (!fields.get(c).isBlank()) {
                    throw error("extra field '" + fields.get(c).trim() + "': the header has " + columns.size()
                            + " columns, this line " + fields.size() + " fields (quote a field that contains a"
                            + " comma)", file, line, c + 1, "beyond the header");
                }
            }
            String name = get("name");
            if (name.isEmpty()) {
                throw fail("name", "empty name", null);
            }
            String address = get("address");
            if (address.isEmpty()) {
                throw fail("address", "empty address", null);
            }
            int number;
            try {
                number = Integer.parseInt(address);
            } catch (NumberFormatException e) {
                throw fail("address", "address '" + address + "' is not a number", null);
            }
            Table table = table(address);
            ModbusSource.PointBuilder p;
            try {
                p = builder.point(table, number);
            } catch (IllegalArgumentException e) {
                throw fail("address", e.getMessage(), e);
            }
            String typeText = get("type");
            DataType type = table.isBits() ? DataType.BOOL : DataType.UINT16;
            if (!typeText.isEmpty()) {
                type = DataType.parse(typeText);
                if (type == null && isString(typeText)) {
                    throw fail("type", "type '" + typeText + "' is not supported: samples are numbers, a string"
                            + " cannot be stored as a value; map the registers as uint16 to keep the raw words", null);
                }
                if (type == null) {
                    throw fail("type", "unknown type '" + typeText + "'", null);
                }
                if (table.isBits() && type != DataType.BOOL) {
                    throw fail("type", table.label + " points are bool, not " + typeText, null);
                }
                if (!table.isBits() && type == DataType.BOOL) {
                    throw fail("type", "type '" + typeText + "' is for coils and discrete inputs, not a "
                            + table.label + "; for one bit of the register use type bit and a bit column", null);
                }
            }
            // The order is checked whatever the type, so a typo never passes unnoticed, and it
            // must belong to a type that reads whole registers: an order without a type would
            // silently read one uint16 where the author most likely meant a 32- or 64-bit value.
            WordOrder order = WordOrder.ABCD;
            String orderText = get("order");
            if (!orderText.isEmpty()) {
                try {
                    order = WordOrder.valueOf(orderText.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw fail("order", "unknown order '" + orderText + "', expected ABCD, DCBA, BADC or CDAB", null);
                }
                if (typeText.isEmpty()) {
                    throw fail("order", "order '" + orderText + "' without a type; name the type the order"
                            + " applies to (uint16, int32, float32, ...) or leave the order empty", null);
                }
                if (type == DataType.BOOL || type == DataType.BIT) {
                    throw fail("order", "order '" + orderText + "' does not apply to type '" + typeText
                            + "'; leave the order empty", null);
                }
            }
            String bit = get("bit");
            if (type == DataType.BIT) {
                if (bit.isEmpty()) {
                    throw fail("type", "type bit needs a bit column", null);
                }
                try {
                    p.bit(Integer.parseInt(bit));
                } catch (NumberFormatException e) {
                    throw fail("bit", "bit '" + bit + "' is not a number", null);
                } catch (IllegalArgumentException e) {
                    throw fail("bit", e.getMessage(), e);
                }
            } else {
                if (!bit.isEmpty()) {
                    String shown = typeText.isEmpty()
                            ? type.name().toLowerCase(Locale.ROOT) + " (the default)" : "'" + typeText + "'";
                    throw fail("bit", "bit '" + bit + "' given for type " + shown
                            + "; a bit column applies only to type bit", null);
                }
                if (type != DataType.BOOL) {
                    p.type(type, order);
                }
            }
            // The builder checks this too, but only at build(), where the file and line are gone.
            int wire = table.toWire(number, "");
            int width = table.isBits() ? 1 : type.registers();
            if (wire + width > 65536) {
                throw fail("address", "address '" + address + "' with type " + type.name().toLowerCase(Locale.ROOT)
                        + " needs " + width + " registers and runs past the last one ("
                        + table.display(65535) + ")", null);
            }
            try {
                p.tag(name);
            } catch (IllegalArgumentException e) {
                throw fail("name", e.getMessage(), e);
            }
            String scale = get("scale");
            if (!scale.isEmpty()) {
                try {
                    p.scale(Double.parseDouble(scale));
                } catch (IllegalArgumentException e) {
                    throw fail("scale", "bad scale '" + scale + "': " + e.getMessage(), e);
                }
            }
            String offset = get("offset");
            if (!offset.isEmpty()) {
                try {
                    p.offset(Double.parseDouble(offset));
                } catch (IllegalArgumentException e) {
                    throw fail("offset", "bad offset '" + offset + "': " + e.getMessage(), e);
                }
            }
            String unit = get("unit_id");
            if (!unit.isEmpty()) {
                try {
                    p.unitId(Integer.parseInt(unit));
                } catch (IllegalArgumentException e) {
                    throw fail("unit_id", "bad unit_id '" + unit + "': " + e.getMessage(), e);
                }
            }
        }

        Table table(String address) {
            String t = get("table").toLowerCase(Locale.ROOT);
            if (!t.isEmpty()) {
                if (t.startsWith("holding")) {
                    return Table.HOLDING_REGISTER;
                }
                if (t.startsWith("input")) {
                    return Table.INPUT_REGISTER;
                }
                if (t.startsWith("coil")) {
                    return Table.COIL;
                }
                if (t.startsWith("discrete")) {
                    return Table.DISCRETE_INPUT;
                }
                throw fail("table", "unknown table '" + get("table") + "', expected holding, input, coil or discrete", null);
            }
            if (address.length() == 5 || address.length() == 6) {
                switch (address.charAt(0)) {
                    case '0': return Table.COIL;
                    case '1': return Table.DISCRETE_INPUT;
                    case '3': return Table.INPUT_REGISTER;
                    case '4': return Table.HOLDING_REGISTER;
                    default: break;
                }
            }
            throw fail("address", "cannot tell the table of address '" + address
                    + "'; use the 5- or 6-digit form (40001, 300010) or add a table column", null);
        }
    }

    private static boolean isString(String type) {
        String t = type.trim().toLowerCase(Locale.ROOT);
        return t.startsWith("string") || t.startsWith("ascii") || t.startsWith("char") || t.equals("text");
    }

    static IllegalArgumentException error(String message, String file, int line, int column, String columnName) {
        return new IllegalArgumentException(message + " [file=" + file + ", line=" + line + ", column=" + column
                + " (" + columnName + ")]");
    }

    static List<String> split(String line, String file, int lineNo) {
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        sb.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    sb.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(sb.toString());
                sb.setLength(0);
            } else {
                sb.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quote [file=" + file + ", line=" + lineNo + ", column="
                    + (out.size() + 1) + "]");
        }
        out.add(sb.toString());
        return out;
    }
}
