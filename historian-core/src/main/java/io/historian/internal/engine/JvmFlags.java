package io.historian.internal.engine;

import io.historian.HistorianException;
import java.util.ArrayList;
import java.util.List;

/** Checks that the JVM was started with the module flags Chronicle Queue needs on JDK 17+. */
public final class JvmFlags {
    /** The flags, as they go on a {@code java} command line. */
    public static final List<String> REQUIRED = List.of(
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");

    private JvmFlags() {
    }

    /** The required flags this JVM lacks. */
    public static List<String> missing() {
        Module self = JvmFlags.class.getModule();
        Module base = Object.class.getModule();
        List<String> missing = new ArrayList<>();
        if (!base.isExported("jdk.internal.ref", self)) {
            missing.add(REQUIRED.get(0));
        }
        ModuleLayer.boot().findModule("jdk.compiler").ifPresent(compiler -> {
            if (!compiler.isExported("com.sun.tools.javac.file", self)) {
                missing.add(REQUIRED.get(1));
            }
        });
        if (!base.isOpen("java.lang", self)) {
            missing.add(REQUIRED.get(2));
        }
        if (!base.isOpen("java.lang.reflect", self)) {
            missing.add(REQUIRED.get(3));
        }
        if (!base.isOpen("sun.nio.ch", self)) {
            missing.add(REQUIRED.get(4));
        }
        return missing;
    }

    /** Throws, listing the missing flags, unless all are present. */
    public static void check() {
        List<String> missing = missing();
        if (!missing.isEmpty()) {
            throw new HistorianException("the JVM lacks flags the journal (Chronicle Queue) needs; start java with: "
                    + String.join(" ", missing) + " [missing=" + missing.size() + "]");
        }
    }
}
