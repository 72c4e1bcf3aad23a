package io.historian.modbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API of {@code io.historian.modbus} is small on purpose: this list changes only by
 * a deliberate edit here. Everything else (framing, planner, decoder, poller) is package-private.
 */
class PublicApiTest {

    @Test
    void publicTypes_areExactlyTheDocumentedOnes() throws Exception {
        assertEquals(Set.of(
                "io.historian.modbus.DeviceState",
                "io.historian.modbus.DeviceStats",
                "io.historian.modbus.ModbusDeviceMXBean",
                "io.historian.modbus.ModbusMetrics",
                "io.historian.modbus.ModbusProbe",
                "io.historian.modbus.ModbusProbe$Match",
                "io.historian.modbus.ModbusSource",
                "io.historian.modbus.ModbusSource$Builder",
                "io.historian.modbus.ModbusSource$PointBuilder",
                "io.historian.modbus.RegisterMap",
                "io.historian.modbus.WordOrder"), publicTypes());
    }

    @Test
    void jarManifest_declaresTheAutomaticModuleName() throws IOException {
        // the jar is built after the tests run; check the build declares the entry
        String pom = Files.readString(Path.of("pom.xml"));
        assertTrue(pom.contains("<Automatic-Module-Name>io.historian.modbus</Automatic-Module-Name>"));
    }

    private static Set<String> publicTypes() throws Exception {
        Path root = Path.of(ModbusSource.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> out = new TreeSet<>();
        if (Files.isDirectory(root)) {
            collect(root.resolve("io/historian/modbus"), out);
        } else {
            try (FileSystem jar = FileSystems.newFileSystem(URI.create("jar:" + root.toUri()), Map.of())) {
                collect(jar.getPath("io/historian/modbus"), out);
            }
        }
        assertTrue(out.contains("io.historian.modbus.ModbusSource"), out.toString());
        return out;
    }

    private static void collect(Path dir, Set<String> out) throws IOException, ClassNotFoundException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String file = f.getFileName().toString();
                if (!file.endsWith(".class") || file.equals("package-info.class")) {
                    continue;
                }
                String name = "io.historian.modbus." + file.substring(0, file.length() - ".class".length());
                Class<?> c = Class.forName(name, false, PublicApiTest.class.getClassLoader());
                if (c.isAnonymousClass() || c.isLocalClass() || c.isSynthetic()) {
                    continue;
                }
                boolean visible = Modifier.isPublic(c.getModifiers());
                for (Class<?> outer = c.getDeclaringClass(); outer != null; outer = outer.getDeclaringClass()) {
                    visible &= Modifier.isPublic(outer.getModifiers());
                }
                if (visible) {
                    out.add(name);
                }
            }
        }
    }
}
