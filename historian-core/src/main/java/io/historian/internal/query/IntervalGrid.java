package io.historian.internal.query;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * The aggregate intervals over {@code [from, to)}: cells of a grid aligned to the epoch, or to
 * local midnights of a zone, clipped to the range. With a zone, a whole-day interval is N local
 * days (23 or 25 hours across a daylight-saving change) and a sub-day interval restarts at each
 * local midnight (so the last cell of a day may be short). One thread.
 */
final class IntervalGrid {
    private static final long DAY = 86_400_000L;

    private final long from;
    private final long to;
    private final long step;
    private final ZoneId zone;
    private final long days;
    private long cell;
    long start;
    long end;

    private IntervalGrid(long from, long to, long step, ZoneId zone) {
        this.from = from;
        this.to = to;
        this.step = step;
        this.zone = zone;
        this.days = zone != null && step % DAY == 0 ? step / DAY : 0;
        reset();
    }

    /**
     * A grid, checked to hold at most {@code maxBuckets} cells.
     *
     * @throws IllegalArgumentException if it holds more, or a zone is given with an interval over a
     *     day that is not whole days
     */
    static IntervalGrid of(String tag, long from, long to, Duration interval, ZoneId zone, int maxBuckets) {
        long step = interval.toMillis();
        if (zone != null && step > DAY && step % DAY != 0) {
            throw new IllegalArgumentException("a calendar-aligned interval over a day must be whole days [tag=" + tag
                    + ", interval=" + interval + ", zone=" + zone + "]");
        }
        IntervalGrid g = new IntervalGrid(from, to, step, zone);
        long n = 0;
        if (zone == null) {
            long first = Math.floorDiv(from, step) * step;
            double cells = ((double) to - (double) first) / step;
            if (from < to && cells > maxBuckets) {
                throw tooMany(tag, from, to, interval, maxBuckets);
            }
        } else {
            while (g.next()) {
                if (++n > maxBuckets) {
                    throw tooMany(tag, from, to, interval, maxBuckets);
                }
            }
            g.reset();
        }
        return g;
    }

    /**
     * The grid cell that holds {@code t}, cut off at {@code before} ({@code t < before}): the
     * interval before a range that a fill carries in. {@code step} and {@code zone} must have
     * passed {@link #of}; nothing is counted against the bucket limit, as this is one cell.
     *
     * @return {start, end}
     */
    static long[] cellBefore(long t, long before, long step, ZoneId zone) {
        IntervalGrid g = new IntervalGrid(t, before, step, zone);
        g.next();
        return new long[] {g.cell, g.end};
    }

    private static IllegalArgumentException tooMany(String tag, long from, long to, Duration interval, int max) {
        return new IllegalArgumentException("too many intervals [tag=" + tag + ", from=" + Instant.ofEpochMilli(from)
                + ", to=" + Instant.ofEpochMilli(to) + ", interval=" + interval + ", maxBuckets=" + max
                + "]; use a longer interval or raise maxBuckets");
    }

    private void reset() {
        cell = Long.MIN_VALUE;
        start = 0;
        end = from;
    }

    /** Moves to the next cell; false after the last. */
    boolean next() {
        if (end >= to || from >= to) {
            return false;
        }
        long cellStart;
        long cellEnd;
        if (zone == null) {
            cellStart = cell == Long.MIN_VALUE ? Math.floorDiv(from, step) * step : cell + step;
            cellEnd = cellStart + step < cellStart ? Long.MAX_VALUE : cellStart + step;
        } else if (days > 0) {
            LocalDate d = cell == Long.MIN_VALUE
                    ? LocalDate.ofEpochDay(Math.floorDiv(localDate(from).toEpochDay(), days) * days)
                    : localDate(cell).plusDays(days);
            cellStart = midnight(d);
            cellEnd = midnight(d.plusDays(days));
        } else {
            long s = cell == Long.MIN_VALUE ? midnight(localDate(from)) : cell + step;
            long dayEnd = midnight(localDate(cell == Long.MIN_VALUE ? from : cell).plusDays(1));
            if (s >= dayEnd) {
                s = dayEnd;
                dayEnd = midnight(localDate(s).plusDays(1));
            }
            if (cell == Long.MIN_VALUE) {
                // Skip the whole cells of the first day that end before the range.
                long k = Math.max(0, (from - s) / step);
                s += k * step;
            }
            cellStart = s;
            cellEnd = Math.min(s + step, dayEnd);
        }
        cell = cellStart;
        start = Math.max(cellStart, from);
        end = Math.min(cellEnd, to);
        if (start >= end) {
            return next();
        }
        return true;
    }

    private LocalDate localDate(long millis) {
        return Instant.ofEpochMilli(millis).atZone(zone).toLocalDate();
    }

    private long midnight(LocalDate d) {
        return d.atStartOfDay(zone).toInstant().toEpochMilli();
    }
}
