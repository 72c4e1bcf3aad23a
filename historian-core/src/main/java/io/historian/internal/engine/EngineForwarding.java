package io.historian.internal.engine;

import io.historian.Durability;
import io.historian.internal.forward.ForwardingSource;
import io.historian.internal.journal.ChronicleJournal;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;

/** The engine's side of forwarding: what {@link io.historian.internal.forward.Forwarders} reads. */
final class EngineForwarding implements ForwardingSource {
    private final Settings settings;
    private final TagRegistry registry;
    private final ChronicleJournal journal;
    private final WritePath writes;
    private final StoreSeam seam;

    EngineForwarding(Settings settings, TagRegistry registry, ChronicleJournal journal, WritePath writes,
            StoreSeam seam) {
        this.settings = settings;
        this.registry = registry;
        this.journal = journal;
        this.writes = writes;
        this.seam = seam;
    }

    @Override
    public ChronicleJournal journal() {
        return journal;
    }

    @Override
    public int tagCount() {
        return registry.size();
    }

    @Override
    public String tagName(int id) {
        return registry.definition(id).name();
    }

    @Override
    public long journaledSamples() {
        return writes.journaled();
    }

    @Override
    public long clockMillis() {
        return settings.clock().millis();
    }

    @Override
    public boolean syncWrites() {
        return settings.durability() == Durability.POWER_LOSS;
    }

    @Override
    public <T> T atSeam(LongFunction<T> action) {
        ReentrantLock lock = writes.lock();
        lock.lock();
        try {
            return action.apply(journal.lastAppendedIndex());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public StoreReplay openReplay(long from, String pattern, Lock io, LongFunction<ChronicleJournal.Pin> atSeam) {
        ChronicleJournal.Pin[] pin = new ChronicleJournal.Pin[1];
        StoreSeam.Opened opened;
        try {
            opened = seam.open(from, pattern, io, s -> pin[0] = atSeam.apply(s));
        } catch (RuntimeException | Error e) {
            if (pin[0] != null) {
                pin[0].close();
            }
            throw e;
        }
        ReplayMerge merge = opened.merge();
        long seamIndex = opened.seam();
        ChronicleJournal.Pin held = pin[0];
        return new StoreReplay() {
            @Override
            public long seamIndex() {
                return seamIndex;
            }

            @Override
            public ChronicleJournal.Pin pin() {
                return held;
            }

            @Override
            public boolean next() {
                return merge.next();
            }

            @Override
            public int tagId() {
                return merge.tagId();
            }

            @Override
            public long timestamp() {
                return merge.timestamp();
            }

            @Override
            public double value() {
                return merge.value();
            }

            @Override
            public int quality() {
                return merge.quality();
            }

            @Override
            public void close() {
                merge.close();
            }
        };
    }
}
