package io.historian.simulation;

import io.historian.FileSystemColdTier;
import io.historian.spi.ColdTier;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real {@link FileSystemColdTier} behind a switch: once {@link #failAfter(int)} is armed, the
 * given number of further {@code put}, {@code stat}, {@code fetch} and {@code delete} calls pass,
 * and every one after them throws an {@link IOException} (the kind of failure the historian
 * retries) until {@link #heal()}. {@code list} and {@code close} always pass.
 *
 * <pre>{@code
 * FaultyColdTier tier = new FaultyColdTier(FileSystemColdTier.of(dir));
 * tier.failAfter(2);   // the third call on, the tier is down
 * tier.heal();         // back up
 * }</pre>
 *
 * <p><b>Thread safety:</b> thread-safe, as the historian needs (queries fetch while tiering writes).
 */
public final class FaultyColdTier implements ColdTier {
    private static final int HEALTHY = Integer.MAX_VALUE;

    private final FileSystemColdTier tier;
    /** Calls that may still pass; {@link #HEALTHY} when no failure is armed. */
    private final AtomicInteger passesLeft = new AtomicInteger(HEALTHY);
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final List<String> overwrites = new java.util.concurrent.CopyOnWriteArrayList<>();

    public FaultyColdTier(FileSystemColdTier tier) {
        this.tier = tier;
    }

    /** From the call after the next {@code passes} ones on, every call fails until {@link #heal()}. */
    public void failAfter(int passes) {
        passesLeft.set(passes);
    }

    /** The tier works again. */
    public void heal() {
        passesLeft.set(HEALTHY);
    }

    /** True while a failure is armed (whether or not it has started failing yet). */
    boolean faulty() {
        return passesLeft.get() != HEALTHY;
    }

    long calls() {
        return calls.get();
    }

    long failures() {
        return failures.get();
    }

    private void gate(String what, String key) throws IOException {
        calls.incrementAndGet();
        int left = passesLeft.getAndUpdate(n -> n == HEALTHY || n == 0 ? n : n - 1);
        if (left == 0) {
            failures.incrementAndGet();
            throw new IOException("injected cold-tier failure [op=" + what + ", key=" + key + "]");
        }
    }

    @Override
    public String describe() {
        return "faulty " + tier.describe();
    }

    @Override
    public void put(String key, byte[] content, String sha256) throws IOException {
        gate("put", key);
        ObjectInfo before = tier.stat(key);
        if (before != null && !sha256.equals(before.sha256())) {
            overwrites.add(key + " (" + before.size() + " -> " + content.length + " bytes)");
        }
        tier.put(key, content, sha256);
    }

    /** Objects replaced by different content, for messages: a recorded segment must never be. */
    List<String> overwrites() {
        return List.copyOf(overwrites);
    }

    @Override
    public ObjectInfo stat(String key) throws IOException {
        gate("stat", key);
        return tier.stat(key);
    }

    @Override
    public byte[] fetch(String key, long expectedSize) throws IOException {
        gate("fetch", key);
        return tier.fetch(key, expectedSize);
    }

    @Override
    public void delete(String key) throws IOException {
        gate("delete", key);
        tier.delete(key);
    }

    @Override
    public List<String> list(String keyPrefix) throws IOException {
        return tier.list(keyPrefix);
    }

    @Override
    public void close() {
        tier.close();
    }
}
