package io.historian.testing;

import static org.awaitility.Awaitility.await;

import io.historian.internal.store.RocksChunkStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaks: a thread of ours ({@code historian-*}) or a new non-daemon thread
 * still alive after it, a RocksDB store left open, or (per test class) an entry left in the
 * temporary directory. Every core test uses it: it is registered for the whole module through JUnit's extension auto-detection (see {@code junit-platform.properties}).
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakCheckExtension.class);
    private static final Duration SETTLE = Duration.ofSeconds(20);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("tmp", tmpEntries());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        @SuppressWarnings("unchecked")
        Set<String> before = context.getStore(NS).get("tmp", Set.class);
        await("temporary directory entries left by " + context.getDisplayName()).pollInSameThread().atMost(SETTLE)
                .until(() -> leftovers(before), Set::isEmpty);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("threads", threadIds(false));
        context.getStore(NS).put("stores", RocksChunkStore.openStores());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        @SuppressWarnings("unchecked")
        Set<Long> before = context.getStore(NS).get("threads", Set.class);
        int stores = context.getStore(NS).get("stores", Integer.class);
        await("threads leaked by " + context.getDisplayName()).pollInSameThread().atMost(SETTLE)
                .until(() -> leakedThreads(before), List::isEmpty);
        await("RocksDB stores left open by " + context.getDisplayName()).pollInSameThread().atMost(SETTLE)
                .until(() -> RocksChunkStore.openStores() <= stores);
    }

    private static List<String> leakedThreads(Set<Long> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> !before.contains(t.getId()))
                .filter(t -> t.getName().startsWith("historian-") || !t.isDaemon())
                .map(Thread::getName)
                .collect(Collectors.toList());
    }

    private static Set<Long> threadIds(boolean daemonOnly) {
        Set<Long> ids = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!daemonOnly || t.isDaemon()) {
                ids.add(t.getId());
            }
        }
        return ids;
    }

    private static Set<String> tmpEntries() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> list = Files.list(tmp)) {
            return list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        } catch (IOException e) {
            return Set.of();
        }
    }

    private static Set<String> leftovers(Set<String> before) {
        Set<String> now = tmpEntries();
        now.removeAll(before);
        // Native libraries that RocksDB and Chronicle unpack once per JVM are not leaks.
        // So are the agent jars Jazzer unpacks once per JVM for its fuzz tests.
        now.removeIf(name -> name.endsWith(".so") || name.startsWith("librocksdbjni") || name.startsWith("jna")
                || name.startsWith("jffi") || name.startsWith("hsperfdata") || name.startsWith("jazzer")
                || name.startsWith("byteBuddyAgent") || name.startsWith("rules_jni"));
        return now;
    }
}
