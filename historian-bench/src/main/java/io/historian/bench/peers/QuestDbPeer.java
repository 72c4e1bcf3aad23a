package io.historian.bench.peers;

import io.questdb.cairo.CairoEngine;
import io.questdb.cairo.DefaultCairoConfiguration;
import io.questdb.cairo.TableWriter;
import io.questdb.cairo.security.AllowAllSecurityContext;
import io.questdb.cairo.sql.Record;
import io.questdb.cairo.sql.RecordCursor;
import io.questdb.cairo.sql.RecordCursorFactory;
import io.questdb.griffin.SqlException;
import io.questdb.griffin.SqlExecutionContext;
import io.questdb.griffin.SqlExecutionContextImpl;
import java.nio.file.Path;

/**
 * QuestDB embedded through its Java {@code TableWriter}, the way research/perf.md measured it:
 * a non-WAL table {@code samples (tag INT, ts TIMESTAMP, value DOUBLE, quality BYTE)} partitioned
 * by day, one {@code newRow}/{@code append} per sample and one {@code commit()} per batch, in
 * QuestDB's default commit mode ({@code nosync}: durable to the OS, no fsync).
 *
 * <p>A read is {@code SELECT ts, value FROM samples WHERE tag = ?} (the tag as a literal, compiled
 * once per tag and reused), which scans the table with QuestDB's filter: rows of all tags are
 * interleaved in arrival order, there is no per-tag layout. Timestamps are microseconds inside
 * QuestDB and converted at the boundary.
 */
final class QuestDbPeer implements Peer {
    static final String NAME = "questdb";
    /** OPC UA Good as one byte (0xC0), as perf.md stored it. */
    private static final byte GOOD = (byte) 0xC0;

    private final Path directory;
    private final CairoEngine engine;
    private final SqlExecutionContext context;
    private final RecordCursorFactory[] reads;
    private TableWriter writer;
    private boolean closed;

    QuestDbPeer(Path directory, String[] tagNames) {
        this.directory = directory;
        this.reads = new RecordCursorFactory[tagNames.length];
        this.engine = new CairoEngine(new DefaultCairoConfiguration(directory.toString()));
        try {
            this.context = new SqlExecutionContextImpl(engine, 1).with(AllowAllSecurityContext.INSTANCE, null);
            engine.execute("CREATE TABLE samples (tag INT, ts TIMESTAMP, value DOUBLE, quality BYTE) "
                    + "TIMESTAMP(ts) PARTITION BY DAY BYPASS WAL", context);
            this.writer = engine.getWriter(engine.verifyTableName("samples"), "historian-bench");
        } catch (SqlException | RuntimeException e) {
            engine.close();
            throw new IllegalStateException("cannot open QuestDB [dir=" + directory + "]", e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "QuestDB 9.3.4 embedded, TableWriter on a non-WAL table (tag INT, ts, value DOUBLE, quality BYTE), "
                + "PARTITION BY DAY, commit per batch, commit mode nosync";
    }

    @Override
    public void write(int[] tags, long[] epochMillis, double[] values, int count) {
        TableWriter w = writer;
        for (int i = 0; i < count; i++) {
            TableWriter.Row row = w.newRow(epochMillis[i] * 1000);
            row.putInt(0, tags[i]);
            row.putDouble(2, values[i]);
            row.putByte(3, GOOD);
            row.append();
        }
        w.commit();
    }

    @Override
    public void finish() {
        if (writer != null) {
            writer.commit();
            writer.close();
            writer = null;
        }
    }

    @Override
    public long bytesOnDisk() {
        return Directories.allocatedBytes(directory);
    }

    @Override
    public void read(int tag, ReadCheck check) {
        try {
            if (reads[tag] == null) {
                reads[tag] = engine.select("SELECT ts, value FROM samples WHERE tag = " + tag, context);
            }
            try (RecordCursor cursor = reads[tag].getCursor(context)) {
                Record r = cursor.getRecord();
                while (cursor.hasNext()) {
                    check.accept(r.getTimestamp(0) / 1000, r.getDouble(1));
                }
            }
        } catch (SqlException e) {
            throw new IllegalStateException("QuestDB read failed [tag=" + tag + "]", e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (RecordCursorFactory f : reads) {
                if (f != null) {
                    f.close();
                }
            }
            if (writer != null) {
                writer.close();
            }
            context.close();
            engine.close();
        } finally {
            Directories.deleteRecursively(directory);
        }
    }
}
