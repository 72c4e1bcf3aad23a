package io.historian;

import java.nio.file.Path;

/**
 * The command line of {@link Historian.Builder#verify()}: checks a closed data directory and
 * prints what it found.
 *
 * <pre>
 * java -cp historian-core.jar:&lt;its dependencies&gt; io.historian.Verify plant-data [cold-tier-directory]
 * </pre>
 *
 * <p>Exit status: 0 healthy, 1 damage found, 2 the check could not run (a historian holds the
 * directory, or the arguments are wrong). The JVM needs the flags listed in the README, like any
 * program that opens the journal.
 */
public final class Verify {
    private Verify() {
    }

    /**
     * Checks the data directory in {@code args[0]}; {@code args[1]}, if given, is the root of a
     * {@link FileSystemColdTier} whose objects are checked against the manifest.
     *
     * @param args the data directory, and optionally the cold tier's directory
     */
    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: io.historian.Verify <data-directory> [<cold-tier-directory>]");
            System.exit(2);
        }
        Historian.Builder builder = Historian.builder().dataDirectory(Path.of(args[0])).jmx(false);
        if (args.length == 2) {
            builder.coldTier(FileSystemColdTier.of(Path.of(args[1])));
        }
        VerifyReport report;
        try {
            report = builder.verify();
        } catch (HistorianException e) {
            System.err.println("cannot verify: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println(report);
        System.exit(report.healthy() ? 0 : 1);
    }
}
