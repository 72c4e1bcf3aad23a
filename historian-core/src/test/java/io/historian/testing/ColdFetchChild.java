package io.historian.testing;

import io.historian.Historian;
import io.historian.HistorianException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The child side of the cold-fetch size test: opens a historian tiered by {@link TieringChild#builder}
 * and queries one tag's first minute of tiered data, in a heap far smaller than the object behind it.
 * args: data directory, tier directory, tag, query start (epoch millis). Exit codes: 10 the query was
 * refused with a {@link HistorianException} (message on stderr), 11 out of memory, 12 anything else.
 */
public final class ColdFetchChild {
    /** Exit code: refused with a HistorianException. */
    public static final int REFUSED = 10;
    /** Exit code: OutOfMemoryError. */
    public static final int OUT_OF_MEMORY = 11;

    private ColdFetchChild() {
    }

    public static void main(String[] args) {
        int code;
        try (Historian h = TieringChild.builder(Path.of(args[0]), Path.of(args[1])).build()) {
            Instant from = Instant.ofEpochMilli(Long.parseLong(args[3]));
            try {
                h.query(args[2]).between(from, from.plusSeconds(60)).toList();
                System.err.println("the query answered");
                code = 12;
            } catch (HistorianException e) {
                System.err.println("refused: " + e.getMessage());
                code = REFUSED;
            } catch (OutOfMemoryError e) {
                System.err.println("out of memory: " + e);
                code = OUT_OF_MEMORY;
            }
        } catch (Throwable e) {
            e.printStackTrace();
            code = 12;
        }
        System.exit(code);
    }
}
