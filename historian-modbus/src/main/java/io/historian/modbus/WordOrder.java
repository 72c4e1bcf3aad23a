package io.historian.modbus;

/**
 * How the bytes of a value that spans one or more 16-bit registers are ordered on the wire.
 *
 * <p>The letters name the bytes of a 32-bit value from most to least significant, {@code A}
 * being the most significant: {@link #ABCD} is the Modbus standard (big-endian words, high
 * word first). For 64-bit values the same rule applies word by word: {@link #CDAB} puts the
 * least significant word first, {@link #BADC} swaps the two bytes inside every word,
 * {@link #DCBA} does both. For 16-bit values only the byte swap matters: {@code ABCD} and
 * {@code CDAB} read {@code AB}, {@code BADC} and {@code DCBA} read {@code BA}.
 *
 * <pre>{@code
 * // 123.456f is 0x42F6E979; a device that sends registers [0xE979, 0x42F6] uses CDAB:
 * ModbusSource.tcp("127.0.0.1", 502).holdingRegister(40001).float32(WordOrder.CDAB).tag("t").build();
 * }</pre>
 */
public enum WordOrder {
    /** Big-endian: high word first, high byte first in each word (the Modbus standard). */
    ABCD(false, false),
    /** Little-endian: low word first, low byte first in each word. */
    DCBA(true, true),
    /** High word first, low byte first in each word (byte swap). */
    BADC(false, true),
    /** Low word first, high byte first in each word (word swap). */
    CDAB(true, false);

    private final boolean wordSwap;
    private final boolean byteSwap;

    WordOrder(boolean wordSwap, boolean byteSwap) {
        this.wordSwap = wordSwap;
        this.byteSwap = byteSwap;
    }

    boolean wordSwap() {
        return wordSwap;
    }

    boolean byteSwap() {
        return byteSwap;
    }
}
