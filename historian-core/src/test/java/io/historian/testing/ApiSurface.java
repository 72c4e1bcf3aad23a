package io.historian.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The public surface of one module, read from its compiled classes: which types a user can
 * reach, in which packages, and whether any of them shows an internal type. Each module's
 * {@code ApiSurfaceTest} pins its list, so that a type becomes API only on purpose.
 */
public final class ApiSurface {
    private ApiSurface() {
    }

    /**
     * Checks the module that holds {@code anchor}: every public type is either in one of
     * {@code apiPackages} or in an {@code internal} package; the public types of the API
     * packages are exactly {@code expected}; and no public or protected member, supertype or
     * signature of an API type names an internal type.
     */
    public static void check(Class<?> anchor, Set<String> apiPackages, Set<String> expected) {
        Set<String> api = new TreeSet<>();
        List<String> stray = new ArrayList<>();
        List<String> leaks = new ArrayList<>();
        for (Class<?> type : publicTypes(anchor)) {
            String pkg = type.getPackageName();
            if (isInternal(pkg)) {
                continue;
            }
            if (!apiPackages.contains(pkg)) {
                stray.add(type.getName());
                continue;
            }
            api.add(type.getName());
            leaks.addAll(leaks(type));
        }
        assertTrue(stray.isEmpty(), "public types outside the API packages " + apiPackages
                + " and outside any internal package: " + stray);
        assertTrue(leaks.isEmpty(), "the public API shows internal types: " + leaks);
        assertEquals(String.join("\n", expected), String.join("\n", api),
                "the public types changed; a new public type is new API: make it package-private or internal,"
                        + " or add it to the list on purpose");
    }

    static boolean isInternal(String pkg) {
        return pkg.contains(".internal.") || pkg.endsWith(".internal");
    }

    /** The types a user can name: public, and (for nested types) inside public types. */
    static List<Class<?>> publicTypes(Class<?> anchor) {
        List<Class<?>> out = new ArrayList<>();
        for (String name : classNames(anchor)) {
            Class<?> c;
            try {
                c = Class.forName(name, false, anchor.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new AssertionError("cannot load " + name, e);
            }
            if (!c.isAnonymousClass() && !c.isLocalClass() && !c.isSynthetic() && reachable(c)) {
                out.add(c);
            }
        }
        return out;
    }

    private static boolean reachable(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    private static List<String> leaks(Class<?> type) {
        List<String> out = new ArrayList<>();
        if (type.getGenericSuperclass() != null && namesInternal(type.getGenericSuperclass().getTypeName())) {
            out.add(type.getName() + " extends " + type.getGenericSuperclass().getTypeName());
        }
        for (var i : type.getGenericInterfaces()) {
            if (namesInternal(i.getTypeName())) {
                out.add(type.getName() + " implements " + i.getTypeName());
            }
        }
        List<Member> members = new ArrayList<>();
        members.addAll(List.of(type.getDeclaredConstructors()));
        members.addAll(List.of(type.getDeclaredMethods()));
        members.addAll(List.of(type.getDeclaredFields()));
        for (Member m : members) {
            int mod = m.getModifiers();
            boolean visible = Modifier.isPublic(mod) || (Modifier.isProtected(mod) && !Modifier.isFinal(type.getModifiers()));
            if (!visible || m.isSynthetic()) {
                continue;
            }
            String signature = m instanceof Method method ? method.toGenericString()
                    : m instanceof Constructor<?> ctor ? ctor.toGenericString()
                    : ((Field) m).toGenericString();
            if (namesInternal(signature)) {
                out.add(signature);
            }
        }
        return out;
    }

    private static boolean namesInternal(String text) {
        return text.contains(".internal.");
    }

    private static List<String> classNames(Class<?> anchor) {
        Path root;
        try {
            root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
        List<String> names = new ArrayList<>();
        try {
            if (Files.isDirectory(root)) {
                try (Stream<Path> files = Files.walk(root)) {
                    files.filter(p -> p.toString().endsWith(".class"))
                            .map(p -> root.relativize(p).toString())
                            .forEach(p -> names.add(binaryName(p)));
                }
            } else {
                try (JarFile jar = new JarFile(root.toFile())) {
                    jar.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class"))
                            .forEach(n -> names.add(binaryName(n)));
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list the classes of " + root, e);
        }
        names.removeIf(n -> n.endsWith("module-info") || n.endsWith("package-info"));
        names.sort(null);
        return names;
    }

    private static String binaryName(String path) {
        return path.substring(0, path.length() - ".class".length()).replace('/', '.').replace('\\', '.');
    }
}
