package io.historian.internal.forward;

import io.historian.DeadLetter;
import io.historian.HistorianException;
import io.historian.Quality;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A forwarder's dead letters: bounded, kept in memory for listing and in an append-only file
 * for durability. Each record carries its length and a checksum; a record torn by a crash ends
 * the file at open. Beyond the capacity the oldest letters are dropped (and counted); the file
 * is rewritten (to a temporary file, then moved over) when it holds twice the capacity, and on
 * purge and retry.
 *
 * <p><b>Threads:</b> every method is synchronized; adds come from the forwarder's thread,
 * listing and purging from any.
 */
final class DeadLetterStore implements AutoCloseable {
    private final Path path;
    private final int capacity;
    private final boolean sync;
    private final ArrayDeque<DeadLetter> letters = new ArrayDeque<>();
    private FileChannel channel;
    private long records;
    private long dropped;

    DeadLetterStore(Path path, int capacity, boolean sync) {
        this.path = path;
        this.capacity = capacity;
        this.sync = sync;
        long valid = load();
        try {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            // Cuts a record torn by a crash, so that appends follow the last whole one.
            channel.truncate(valid);
            channel.position(valid);
        } catch (IOException e) {
            throw new HistorianException("cannot open a forwarder's dead letters [file=" + path + "]", e);
        }
    }

    /** Reads the whole records; returns the length they take. */
    private long load() {
        if (!Files.exists(path)) {
            return 0;
        }
        long valid = 0;
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(path)))) {
            while (true) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException e) {
                    break;
                }
                int crc = in.readInt();
                if (length <= 0 || length > 1 << 20) {
                    break;
                }
                byte[] payload = new byte[length];
                in.readFully(payload);
                CRC32C c = new CRC32C();
                c.update(payload);
                if ((int) c.getValue() != crc) {
                    break;
                }
                keep(decode(payload));
                records++;
                valid += 8 + length;
            }
        } catch (EOFException e) {
            // A torn last record: the whole ones before it count.
        } catch (IOException e) {
            throw new HistorianException("cannot read a forwarder's dead letters [file=" + path + "]", e);
        }
        return valid;
    }

    private void keep(DeadLetter letter) {
        letters.addLast(letter);
        if (letters.size() > capacity) {
            letters.removeFirst();
            dropped++;
        }
    }

    /** Adds the letters durably (a process crash keeps them; power loss too when the historian syncs). */
    synchronized void add(List<DeadLetter> added) {
        if (added.isEmpty()) {
            return;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (DeadLetter letter : added) {
            byte[] payload = encode(letter);
            CRC32C c = new CRC32C();
            c.update(payload);
            ByteBuffer header = ByteBuffer.allocate(8).putInt(payload.length).putInt((int) c.getValue());
            bytes.writeBytes(header.array());
            bytes.writeBytes(payload);
            keep(letter);
            records++;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray());
            while (b.hasRemaining()) {
                channel.write(b);
            }
            if (sync) {
                channel.force(false);
            }
        } catch (IOException e) {
            throw new HistorianException("cannot write a forwarder's dead letters [file=" + path + "]", e, true);
        }
        if (records > 2L * capacity) {
            rewrite();
        }
    }

    /** The letters, oldest first. */
    synchronized List<DeadLetter> list() {
        return new ArrayList<>(letters);
    }

    synchronized int size() {
        return letters.size();
    }

    synchronized long dropped() {
        return dropped;
    }

    /** Deletes every letter; returns how many. */
    synchronized int purge() {
        int n = letters.size();
        letters.clear();
        rewrite();
        return n;
    }

    /**
     * Replaces the letters that were sent again: {@code retried} leave, {@code refusedAgain}
     * (refused on the retry, with their new reasons) come back at the end.
     */
    synchronized void replace(List<DeadLetter> retried, List<DeadLetter> refusedAgain) {
        // Letters are records: equal components are the same letter; a purge meanwhile leaves nothing to remove.
        for (DeadLetter letter : retried) {
            letters.removeFirstOccurrence(letter);
        }
        for (DeadLetter letter : refusedAgain) {
            keep(letter);
        }
        rewrite();
    }

    private void rewrite() {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (DeadLetter letter : letters) {
                    byte[] payload = encode(letter);
                    CRC32C c = new CRC32C();
                    c.update(payload);
                    ByteBuffer b = ByteBuffer.allocate(8 + payload.length).putInt(payload.length)
                            .putInt((int) c.getValue()).put(payload);
                    b.flip();
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                }
                out.force(false);
            }
            channel.close();
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            channel = FileChannel.open(path, StandardOpenOption.WRITE);
            channel.position(channel.size());
            records = letters.size();
        } catch (IOException e) {
            throw new HistorianException("cannot rewrite a forwarder's dead letters [file=" + path + "]", e, true);
        }
    }

    private static byte[] encode(DeadLetter letter) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(letter.tag());
            out.writeLong(letter.timestamp().toEpochMilli());
            out.writeDouble(letter.value());
            out.writeInt(letter.quality().code());
            out.writeLong(letter.refusedAt().toEpochMilli());
            String reason = letter.reason();
            out.writeUTF(reason.length() > 2000 ? reason.substring(0, 2000) : reason);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private static DeadLetter decode(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload));
        String tag = in.readUTF();
        long ts = in.readLong();
        double value = in.readDouble();
        int quality = in.readInt();
        long at = in.readLong();
        String reason = in.readUTF();
        return new DeadLetter(tag, Instant.ofEpochMilli(ts), value, Quality.of(quality), reason, Instant.ofEpochMilli(at));
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Every add was written through the channel already.
        }
    }
}
