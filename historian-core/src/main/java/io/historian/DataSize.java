package io.historian;

/**
 * An amount of bytes, for budgets and caches: {@code DataSize.ofGigabytes(2)}.
 * Units are binary: a kilobyte is 1,024 bytes.
 *
 * @param bytes the number of bytes, zero or more
 */
public record DataSize(long bytes) implements Comparable<DataSize> {

    /**
     * Checks the amount is not negative.
     *
     * @param bytes the number of bytes, zero or more
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public DataSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("a data size cannot be negative: " + bytes);
        }
    }

    /**
     * The given number of bytes.
     *
     * @param bytes the amount, zero or more
     * @return the size
     */
    public static DataSize ofBytes(long bytes) {
        return new DataSize(bytes);
    }

    /**
     * The given number of KiB.
     *
     * @param kilobytes the amount, zero or more
     * @return the size
     * @throws ArithmeticException if the size in bytes overflows a {@code long}
     */
    public static DataSize ofKilobytes(long kilobytes) {
        return new DataSize(Math.multiplyExact(kilobytes, 1024L));
    }

    /**
     * The given number of MiB.
     *
     * @param megabytes the amount, zero or more
     * @return the size
     * @throws ArithmeticException if the size in bytes overflows a {@code long}
     */
    public static DataSize ofMegabytes(long megabytes) {
        return new DataSize(Math.multiplyExact(megabytes, 1024L * 1024));
    }

    /**
     * The given number of GiB.
     *
     * @param gigabytes the amount, zero or more
     * @return the size
     * @throws ArithmeticException if the size in bytes overflows a {@code long}
     */
    public static DataSize ofGigabytes(long gigabytes) {
        return new DataSize(Math.multiplyExact(gigabytes, 1024L * 1024 * 1024));
    }

    @Override
    public int compareTo(DataSize other) {
        return Long.compare(bytes, other.bytes);
    }

    /** {@return the size, human-readable, such as {@code 2.0 GiB} or {@code 512 B}} */
    @Override
    public String toString() {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int unit = -1;
        while (v >= 1024 && unit < units.length - 1) {
            v /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[unit]);
    }
}
