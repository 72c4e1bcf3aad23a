package io.historian.internal.store;

import io.historian.HistorianException;

/**
 * RocksDB found corrupt data while reading (a block checksum mismatch, a truncated table file);
 * the message carries RocksDB's, which names the file and offset.
 */
public final class CorruptStoreException extends HistorianException {
    private static final long serialVersionUID = 1L;

    private final int tagId;

    CorruptStoreException(int tagId, String message, Throwable cause) {
        super(message, cause);
        this.tagId = tagId;
    }

    /** The tag whose chunks were read, or -1 when the read was not one tag's. */
    public int tagId() {
        return tagId;
    }
}
