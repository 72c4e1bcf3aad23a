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
