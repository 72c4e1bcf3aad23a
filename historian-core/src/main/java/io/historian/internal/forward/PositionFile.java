package io.historian.internal.forward;

import io.historian.HistorianException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A forwarder's durable position: two fixed slots written in turn, each with a sequence number
 * and a checksum, so a write torn by a crash leaves the other slot, the previous position, intact.
 * A write is one positioned write (and one {@code force} when the historian syncs), no rename.
 *
 * <p><b>Threads:</b> the forwarder's thread.
 */
final class PositionFile implements AutoCloseable {
    static final int SLOT = 64;
    private final Path path;
    private final FileChannel channel;
    private final boolean sync;
    private final ByteBuffer buffer = ByteBuffer.allocate(SLOT);
    private long sequence;

    /**
     * Where a forwarder resumes.
     *
     * @param replay true: read the store from {@code replayFrom} on (then the journal); false: the journal
     * @param entryIndex (journal) the entry it resumes in
     * @param samplesDone (journal) how many of that entry's samples were acknowledged; {@link #ENTRY_DONE}: all
     * @param watermark the largest timestamp acknowledged, or {@link Long#MIN_VALUE}
     * @param replayFrom (store) the first timestamp to read
     */
    record Position(boolean replay, long entryIndex, int samplesDone, long watermark, long replayFrom) {
        static final int ENTRY_DONE = -1;

        static Position journal(long entryIndex, int samplesDone, long watermark) {
            return new Position(false, entryIndex, samplesDone, watermark, 0);
        }

        static Position store(long from, long watermark) {
            return new Position(true, -1, 0, watermark, from);
        }
    }

    PositionFile(Path path, boolean sync) {
        this.path = path;
        this.sync = sync;
        try {
            this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new HistorianException("cannot open a forwarder's position [file=" + path + "]", e);
        }
    }

    /** The last position written, or null if none was. */
    Position read() {
        Position best = null;
        long bestSequence = -1;
        for (int slot = 0; slot < 2; slot++) {
            ByteBuffer b = ByteBuffer.allocate(SLOT);
            try {
                channel.read(b, (long) slot * SLOT);
            } catch (IOException e) {
                throw new HistorianException("cannot read a forwarder's position [file=" + path + "]", e);
            }
            if (b.position() < SLOT) {
                continue;
            }
            b.flip();
            CRC32C crc = new CRC32C();
            crc.update(b.array(), 0, SLOT - 4);
            if ((int) crc.getValue() != b.getInt(SLOT - 4)) {
                continue;
            }
            long seq = b.getLong();
            if (seq > bestSequence) {
                bestSequence = seq;
                best = new Position(b.get() == 1, b.getLong(), b.getInt(), b.getLong(), b.getLong());
            }
        }
        sequence = bestSequence + 1;
        return best;
    }

    /** Writes the position durably (against a process crash; against power loss when the historian syncs). */
    void write(Position p) {
        buffer.clear();
        buffer.putLong(sequence).put((byte) (p.replay() ? 1 : 0)).putLong(p.entryIndex()).putInt(p.samplesDone())
                .putLong(p.watermark()).putLong(p.replayFrom());
        while (buffer.position() < SLOT - 4) {
            buffer.put((byte) 0);
        }
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, SLOT - 4);
        buffer.putInt((int) crc.getValue());
        buffer.flip();
        try {
            long at = (sequence & 1) * SLOT;
            while (buffer.hasRemaining()) {
                at += channel.write(buffer, at);
            }
            if (sync) {
                channel.force(false);
            }
        } catch (IOException e) {
            throw new HistorianException("cannot write a forwarder's position [file=" + path + "]", e, true);
        }
        sequence++;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing written is lost: every write went through the channel already.
        }
    }
}
