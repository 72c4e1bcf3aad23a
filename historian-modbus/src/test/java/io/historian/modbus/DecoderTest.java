package io.historian.modbus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.historian.Quality;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DecoderTest {

    private static byte[] wire(int... words) {
        byte[] b = new byte[words.length * 2];
        for (int i = 0; i < words.length; i++) {
            b[2 * i] = (byte) (words[i] >> 8);
            b[2 * i + 1] = (byte) words[i];
        }
        return b;
    }

    private static Point point(DataType type, WordOrder order) {
        return new Point("t", 1, Table.HOLDING_REGISTER, 0, type, order, -1, 1.0, 0.0);
    }

    @Test
    void float32_inEachOrder_decodesTheKnownWireImages() {
        // 123.456f is 0x42F6E979
        assertEquals(123.456f, (float) Decoder.raw(point(DataType.FLOAT32, WordOrder.ABCD), wire(0x42F6, 0xE979), 0, 0));
        assertEquals(123.456f, (float) Decoder.raw(point(DataType.FLOAT32, WordOrder.CDAB), wire(0xE979, 0x42F6), 0, 0));
        assertEquals(123.456f, (float) Decoder.raw(point(DataType.FLOAT32, WordOrder.BADC), wire(0xF642, 0x79E9), 0, 0));
        assertEquals(123.456f, (float) Decoder.raw(point(DataType.FLOAT32, WordOrder.DCBA), wire(0x79E9, 0xF642), 0, 0));
    }

    @ParameterizedTest
    @EnumSource(WordOrder.class)
    void everyType_roundTripsThroughItsWireImage(WordOrder order) {
        check(DataType.INT16, order, 1, -12345, (short) -12345);
        check(DataType.UINT16, order, 1, 54321, 54321);
        check(DataType.INT32, order, 2, -123456789, -123456789);
        check(DataType.UINT32, order, 2, 0xFEDCBA98L, 4275878552.0);
        check(DataType.INT64, order, 4, -1234567890123L, -1234567890123.0);
        check(DataType.UINT64, order, 4, 0x8000_0000_0000_0000L, 9.223372036854775808E18);
        check(DataType.FLOAT32, order, 2, Float.floatToIntBits(-1.5e-3f), -1.5e-3f);
        check(DataType.FLOAT64, order, 4, Double.doubleToLongBits(Math.PI), Math.PI);
    }

    private static void check(DataType type, WordOrder order, int registers, long bits, double expected) {
        int[] words = Decoder.registersOf(bits, registers, order);
        assertEquals(expected, Decoder.raw(point(type, order), wire(words), 0, 0), 0.0, type + " " + order);
    }

    @Test
    void registersOf_int64_inEachOrder_placesWordsAndBytesAsNamed() {
        long v = 0x0102_0304_0506_0708L;
        assertArrayEquals(new int[] {0x0102, 0x0304, 0x0506, 0x0708}, Decoder.registersOf(v, 4, WordOrder.ABCD));
        assertArrayEquals(new int[] {0x0708, 0x0506, 0x0304, 0x0102}, Decoder.registersOf(v, 4, WordOrder.CDAB));
        assertArrayEquals(new int[] {0x0201, 0x0403, 0x0605, 0x0807}, Decoder.registersOf(v, 4, WordOrder.BADC));
        assertArrayEquals(new int[] {0x0807, 0x0605, 0x0403, 0x0201}, Decoder.registersOf(v, 4, WordOrder.DCBA));
    }

    @Test
    void scaleAndOffset_applyAsRawTimesScalePlusOffset() {
        Point p = new Point("t", 1, Table.HOLDING_REGISTER, 0, DataType.INT16, WordOrder.ABCD, -1, 0.1, -40);
        assertEquals(-40 + 81.4, Decoder.decode(p, wire(814), 0, 0), 1e-9);
    }

    @Test
    void identityScaleAndOffset_passTheRawBits_otherwiseIeeeArithmeticWithoutAddingZero() {
        long negZero = Double.doubleToRawLongBits(-0.0);
        long nanPayload = 0x7FF8_0000_0000_0123L;
        assertEquals(negZero, Double.doubleToRawLongBits(Decoder.scaled(-0.0, 1, 0)));
        assertEquals(nanPayload, Double.doubleToRawLongBits(Decoder.scaled(Double.longBitsToDouble(nanPayload), 1, 0)));
        // a negative offset of zero is no offset either
        assertEquals(negZero, Double.doubleToRawLongBits(Decoder.scaled(-0.0, 1, -0.0)));
        assertEquals(negZero, Double.doubleToRawLongBits(Decoder.scaled(-0.0, 0.1, 0)));
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(Decoder.scaled(-0.0, -2, 0)));
        assertEquals(5.0, Decoder.scaled(-0.0, 1, 5));
        assertEquals(Double.NEGATIVE_INFINITY, Decoder.scaled(Double.POSITIVE_INFINITY, -0.5, 3));
        assertEquals(-40 + 81.4, Decoder.scaled(814, 0.1, -40), 1e-9);
    }

    @Test
    void quality_isGoodForFiniteValues_sensorFailureForNanAndInfinities() {
        assertEquals(Quality.GOOD, Decoder.quality(-0.0));
        assertEquals(Quality.GOOD, Decoder.quality(Double.MAX_VALUE));
        assertEquals(Quality.BAD_SENSOR_FAILURE, Decoder.quality(Double.NaN));
        assertEquals(Quality.BAD_SENSOR_FAILURE, Decoder.quality(Double.POSITIVE_INFINITY));
        assertEquals(Quality.BAD_SENSOR_FAILURE, Decoder.quality(Double.NEGATIVE_INFINITY));
    }

    @Test
    void bitInsideRegister_readsTheIndexedBitCountingFromTheLeastSignificant() {
        Point bit0 = new Point("t", 1, Table.HOLDING_REGISTER, 0, DataType.BIT, WordOrder.ABCD, 0, 1, 0);
        Point bit15 = new Point("t", 1, Table.HOLDING_REGISTER, 0, DataType.BIT, WordOrder.ABCD, 15, 1, 0);
        Point bit1 = new Point("t", 1, Table.HOLDING_REGISTER, 0, DataType.BIT, WordOrder.ABCD, 1, 1, 0);
        assertEquals(1, Decoder.raw(bit0, wire(0x8001), 0, 0));
        assertEquals(1, Decoder.raw(bit15, wire(0x8001), 0, 0));
        assertEquals(0, Decoder.raw(bit1, wire(0x8001), 0, 0));
    }

    @Test
    void crc16_ofTheSpecExample_isKnown() {
        // Modbus over serial line spec: 01 03 00 00 00 0A -> CRC C5CD (sent CD C5)
        byte[] frame = {1, 3, 0, 0, 0, 10};
        assertEquals(0xCDC5, Crc16.of(frame, 0, 6));
    }
}
