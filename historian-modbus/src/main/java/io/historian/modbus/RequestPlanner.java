package io.historian.modbus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges points into as few reads as the protocol and the device's settings allow.
 *
 * <p>Invariants of every planned request: it reads one table of one unit; it reads at most
 * {@code maxRegisters} registers (at most 125) or {@code maxBits} bits (at most 2,000); the
 * unread space it bridges between two points is at most {@code maxGap} addresses; it never
 * covers an excluded address (points themselves may not overlap an exclusion, which
 * {@link ModbusSource.Builder#build()} checks). With {@code requestPerTag} every point is read
 * on its own.
 */
final class RequestPlanner {
    private final int maxGap;
    private final int maxRegisters;
    private final int maxBits;
    private final boolean requestPerTag;
    private final Map<Table, List<int[]>> exclusions;

    RequestPlanner(int maxGap, int maxRegisters, int maxBits, boolean requestPerTag,
                   Map<Table, List<int[]>> exclusions) {
        this.maxGap = maxGap;
        this.maxRegisters = maxRegisters;
        this.maxBits = maxBits;
        this.requestPerTag = requestPerTag;
        this.exclusions = new EnumMap<>(Table.class);
        exclusions.forEach((k, v) -> this.exclusions.put(k, List.copyOf(v)));
    }

    int limit(Table table) {
        return table.isBits() ? maxBits : maxRegisters;
    }

    /** True if any wire address in {@code [from, to)} of {@code table} is excluded. */
    boolean excluded(Table table, int from, int to) {
        for (int[] r : exclusions.getOrDefault(table, List.of())) {
            if (r[0] < to && from <= r[1]) {
                return true;
            }
        }
        return false;
    }

    List<ReadRequest> plan(List<Point> points) {
        Map<Long, List<Point>> groups = new TreeMap<>();
        for (Point p : points) {
            groups.computeIfAbsent(((long) p.unitId() << 8) | p.table().ordinal(), k -> new ArrayList<>()).add(p);
        }
        List<ReadRequest> out = new ArrayList<>();
        for (List<Point> group : groups.values()) {
            group.sort(Comparator.comparingInt(Point::address).thenComparingInt(Point::end));
            Table table = group.get(0).table();
            int limit = limit(table);
            int start = -1;
            int end = -1;
            List<Point> current = new ArrayList<>();
            for (Point p : group) {
                boolean merge = !current.isEmpty() && !requestPerTag
                        && p.address() - end <= maxGap
                        && Math.max(end, p.end()) - start <= limit
                        && (p.address() <= end || !excluded(table, end, p.address()));
                if (!merge) {
                    if (!current.isEmpty()) {
                        out.add(new ReadRequest(p.unitId(), table, start, end - start, current));
                    }
                    current = new ArrayList<>();
                    start = p.address();
                    end = p.end();
                } else {
                    end = Math.max(end, p.end());
                }
                current.add(p);
            }
            Point first = group.get(0);
            out.add(new ReadRequest(first.unitId(), table, start, end - start, current));
        }
        return List.copyOf(out);
    }
}
