package io.historian.internal.codec;

/**
 * Thrown when bytes are not a valid chunk: a bad CRC, an unknown codec version, a truncated
 * header or payload, a count out of range, or fields that contradict each other.
 *
 * <p>The message says what is wrong, then the details in brackets, for example
 * {@code bad CRC32C [expected=0x1a2b3c4d, actual=0x00000000, length=512]}.
 *
 * <p><b>Errors:</b> a corrupt chunk is not retryable; the bytes themselves are wrong.
 */
public final class CorruptChunkException extends Exception {

    private static final long serialVersionUID = 1L;

    public CorruptChunkException(String message) {
        super(message);
    }
}
