package io.historian.modbus;

import java.util.List;

/**
 * One planned read: {@code count} registers or bits of {@code table} from wire address
 * {@code address} on {@code unitId}, and the points it serves.
 */
record ReadRequest(int unitId, Table table, int address, int count, List<Point> points) {
    ReadRequest {
        points = List.copyOf(points);
    }

    int end() {
        return address + count;
    }

    /** For messages: {@code unit=1, fc=03, address=40001, count=125}. */
    String describe() {
        return "unit=" + unitId + ", fc=" + String.format("%02d", table.functionCode) + ", address="
                + table.display(address) + ", count=" + count;
    }
}
