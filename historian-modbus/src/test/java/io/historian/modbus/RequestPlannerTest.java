package io.historian.modbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RequestPlannerTest {

    private static ModbusSource.Builder device() {
        return ModbusSource.tcp("127.0.0.1", 502).name("plc");
    }

    @Test
    void thousandContiguousRegisters_needEightRequestsOfAtMost125() {
        ModbusSource.Builder b = device();
        for (int i = 0; i < 1000; i++) {
            b.holdingRegister(400001 + i).tag("r" + i);
        }
        List<ReadRequest> plan = b.build().plannedRequests();
        assertEquals(8, plan.size());
        assertTrue(plan.stream().allMatch(r -> r.count() <= 125));
        assertEquals(1000, plan.stream().mapToInt(ReadRequest::count).sum());
    }

    @Test
    void float32s_areNeverSplitAcrossRequests() {
        ModbusSource.Builder b = device();
        for (int i = 0; i < 500; i++) {
            b.holdingRegister(400001 + 2 * i).float32(WordOrder.ABCD).tag("f" + i);
        }
        List<ReadRequest> plan = b.build().plannedRequests();
        assertEquals(9, plan.size());
        for (ReadRequest r : plan) {
            assertTrue(r.count() <= 124);
            for (Point p : r.points()) {
                assertTrue(p.address() >= r.address() && p.end() <= r.end());
            }
        }
    }

    @Test
    void gapUpToMaxGap_isBridged_andALargerGapIsNot() {
        ModbusSource src = device().maxGap(3).holdingRegister(40001).tag("a").holdingRegister(40005).tag("b")
                .holdingRegister(40010).tag("c").build();
        List<ReadRequest> plan = src.plannedRequests();
        assertEquals(2, plan.size());
        assertEquals(0, plan.get(0).address());
        assertEquals(5, plan.get(0).count());
        assertEquals(9, plan.get(1).address());
        assertEquals(1, plan.get(1).count());
    }

    @Test
    void defaultGapIsZero_soOnlyNeighboursMerge() {
        ModbusSource src = device().holdingRegister(40001).tag("a").holdingRegister(40003).tag("b").build();
        assertEquals(2, src.requestsPerPoll());
    }

    @Test
    void excludedRegisters_areNeverBridged() {
        ModbusSource src = device().maxGap(100).excludeHoldingRegisters(40003, 40003)
                .holdingRegister(40001).tag("a").holdingRegister(40005).tag("b").build();
        List<ReadRequest> plan = src.plannedRequests();
        assertEquals(2, plan.size());
        for (ReadRequest r : plan) {
            assertTrue(r.end() <= 2 || r.address() > 2, "request covers wire 2: " + r);
        }
    }

    @Test
    void coils_mergeUpTo2000PerRequest() {
        ModbusSource.Builder b = device();
        for (int i = 1; i <= 4500; i++) {
            b.coil(i).tag("c" + i);
        }
        List<ReadRequest> plan = b.build().plannedRequests();
        assertEquals(3, plan.size());
        assertEquals(2000, plan.get(0).count());
    }

    @Test
    void tablesAndUnits_neverShareARequest() {
        ModbusSource src = device().holdingRegister(40001).tag("a").inputRegister(30002).tag("b")
                .holdingRegister(40002).unitId(2).tag("c").build();
        assertEquals(3, src.requestsPerPoll());
    }

    @Test
    void requestPerTag_andSmallerRequestLimit_areRespected() {
        ModbusSource.Builder b = device().requestPerTag(true);
        for (int i = 0; i < 10; i++) {
            b.holdingRegister(40001 + i).tag("r" + i);
        }
        assertEquals(10, b.build().requestsPerPoll());
        ModbusSource.Builder c = device().maxRegistersPerRequest(10);
        for (int i = 0; i < 100; i++) {
            c.holdingRegister(40001 + i).tag("r" + i);
        }
        assertEquals(10, c.build().requestsPerPoll());
    }
}
