package io.historian.testing;

import io.historian.internal.engine.JvmFlags;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a child JVM on the test class path, with the module flags the journal needs and no
 * Chronicle property: the library sets those itself.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** Starts {@code mainClass} with the given heap limit (or null) and arguments; stderr goes to {@code log}. */
    public static Process start(Class<?> mainClass, String maxHeap, Path log, String... args) throws IOException {
        return start(mainClass, maxHeap, System.getProperty("java.class.path"), log, args);
    }

    /** Like {@link #start(Class, String, Path, String...)}, without the class path entries whose path contains {@code left}. */
    public static Process startWithout(String left, Class<?> mainClass, Path log, String... args) throws IOException {
        String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(entry -> !entry.contains(left)).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        return start(mainClass, null, classPath, log, args);
    }

    /** The last count a child printed on stdout, one per line; see {@link #followLastNumber}. */
    public static final class LastNumber {
        private final java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong();
        private final Thread reader;

        private LastNumber(Process child) {
            reader = new Thread(() -> {
                try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
                        child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        last.set(Long.parseLong(line.trim()));
                    }
                } catch (IOException | NumberFormatException e) {
                    // Killed mid-line or closed: the last whole count stands.
                }
            }, "child-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        /** The last count read so far. */
        public long get() {
            return last.get();
        }

        /** Waits up to {@code millis} for the child's stdout to end (after it exited or was killed). */
        public void awaitEnd(long millis) throws InterruptedException {
            reader.join(millis);
        }
    }

    /** Follows a child that prints a running count per line on stdout, on a daemon thread. */
    public static LastNumber followLastNumber(Process child) {
        return new LastNumber(child);
    }

    private static Process start(Class<?> mainClass, String maxHeap, String classPath, Path log, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.REQUIRED);
        cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        cmd.add("-XX:+UseSerialGC");
        if (maxHeap != null) {
            cmd.add("-Xmx" + maxHeap);
        }
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }
}
