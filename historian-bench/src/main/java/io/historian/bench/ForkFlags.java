package io.historian.bench;

/**
 * The JVM flags every forked benchmark JVM needs, as compile-time constants for
 * {@code @Fork(jvmArgsAppend = ...)}.
 *
 * <p>Chronicle Queue, the journal, needs the five module flags on JDK 17 and
 * {@code Historian.builder().build()} refuses to open without them. They match
 * {@code historian.jvmFlags} in the parent POM. JMH starts each fork as a new JVM, so the
 * {@code Add-Opens}/{@code Add-Exports} entries of the jar's manifest (which only {@code java -jar}
 * honours) do not reach it; each benchmark repeats these in its {@code @Fork}.
 *
 * <p>A {@code -jvmArgsAppend} on the JMH command line replaces the annotation's list rather than
 * adding to it, so a command line that adds a flag (a JFR recording, say) must repeat all of these,
 * or the historian refuses to open and every iteration reports {@code <failure>}.
 */
final class ForkFlags {
    static final String EXPORT_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    static final String EXPORT_JAVAC_FILE = "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED";
    static final String OPEN_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    static final String OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    static final String OPEN_NIO_CH = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    static final String NO_ANALYTICS = "-Dchronicle.analytics.disable=true";
    /** Fixed heap so growth does not show in the scores; the largest workload keeps ~1 GB live. */
    static final String HEAP_MIN = "-Xms4g";
    static final String HEAP_MAX = "-Xmx4g";

    private ForkFlags() {
    }
}
