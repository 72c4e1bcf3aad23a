package io.historian.internal.forward;

import io.historian.ForwarderStatus;
import io.historian.Forwarding;
import io.historian.spi.Forwarder;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The historian's forwarders (see {@link ForwarderRunner}), each under
 * {@code forwarders/NAME} in the data directory.
 *
 * <p><b>Lifecycle:</b> created while the historian opens, before its store writer starts (each
 * forwarder pins the journal at its position first); {@link #start()} once the journal has been
 * replayed into the store; {@link #close()} before the journal and the store close.
 */
public final class Forwarders implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Forwarders.class);
    private final Map<String, ForwarderRunner> runners = new LinkedHashMap<>();
    private final List<ObjectName> beans = new ArrayList<>();

    /** Opens every forwarder's files and position; closes those opened if one fails. */
    public Forwarders(List<Forwarder> forwarders, ForwardingSource source, Path directory) {
        try {
            for (Forwarder f : forwarders) {
                runners.put(f.name(), new ForwarderRunner(f, source, directory.resolve(f.name())));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Starts every forwarder's thread; registers their JMX beans when {@code jmx}. */
    public void start(boolean jmx, Path dataDirectory) {
        for (ForwarderRunner r : runners.values()) {
            r.start();
            if (jmx) {
                register(r, dataDirectory);
            }
        }
    }

    private void register(ForwarderRunner r, Path dataDirectory) {
        try {
            ObjectName name = new ObjectName("io.historian:type=Forwarder,directory="
                    + ObjectName.quote(dataDirectory.toString()) + ",name=" + ObjectName.quote(r.name()));
            ManagementFactory.getPlatformMBeanServer().registerMBean(new Bean(r), name);
            beans.add(name);
        } catch (Exception e) {
            LOG.warn("cannot register the forwarder's JMX bean [forwarder={}]: {}", r.name(), e.toString());
        }
    }

    /** {@return every forwarder's status, in the order they were added} */
    public List<ForwarderStatus> statuses() {
        List<ForwarderStatus> all = new ArrayList<>(runners.size());
        for (ForwarderRunner r : runners.values()) {
            all.add(r.status());
        }
        return all;
    }

    /** The forwarder of that name, or null. */
    public Forwarding get(String name) {
        return runners.get(name);
    }

    /**
     * Stops every forwarder's thread and closes its target, but keeps its place in the journal:
     * the store writer's last commit must not release segments a forwarder has not forwarded.
     */
    public void stop() {
        for (ForwarderRunner r : runners.values()) {
            try {
                r.stop();
            } catch (RuntimeException e) {
                LOG.warn("error while stopping forwarder {}", r.name(), e);
            }
        }
    }

    /** Stops every forwarder and frees its place in the journal and its files; idempotent. */
    @Override
    public void close() {
        for (ObjectName name : beans) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (Exception e) {
                LOG.debug("cannot unregister {}", name, e);
            }
        }
        beans.clear();
        for (ForwarderRunner r : runners.values()) {
            try {
                r.close();
            } catch (RuntimeException e) {
                LOG.warn("error while closing forwarder {}", r.name(), e);
            }
        }
    }

    /** A forwarder's status as JMX attributes. */
    public interface ForwarderMXBean {
        /** {@return the state's name} */
        String getState();

        /** {@return samples not acknowledged yet} */
        long getLagSamples();

        /** {@return how far the oldest unacknowledged sample lies behind, in milliseconds} */
        long getLagMillis();

        /** {@return samples acknowledged} */
        long getSentSamples();

        /** {@return samples sent again} */
        long getRetriedSamples();

        /** {@return samples refused for good} */
        long getDeadLetteredSamples();

        /** {@return dead letters kept} */
        long getDeadLetters();

        /** {@return bytes acknowledged} */
        long getSentBytes();

        /** {@return restarts after failures or hangs} */
        long getRestarts();
    }

    private static final class Bean implements ForwarderMXBean {
        private final ForwarderRunner runner;

        Bean(ForwarderRunner runner) {
            this.runner = runner;
        }

        private ForwarderStatus s() {
            return runner.status();
        }

        @Override
        public String getState() {
            return s().state().name();
        }

        @Override
        public long getLagSamples() {
            return s().lagSamples();
        }

        @Override
        public long getLagMillis() {
            return s().lagTime().toMillis();
        }

        @Override
        public long getSentSamples() {
            return s().sentSamples();
        }

        @Override
        public long getRetriedSamples() {
            return s().retriedSamples();
        }

        @Override
        public long getDeadLetteredSamples() {
            return s().deadLetteredSamples();
        }

        @Override
        public long getDeadLetters() {
            return s().deadLetters();
        }

        @Override
        public long getSentBytes() {
            return s().sentBytes();
        }

        @Override
        public long getRestarts() {
            return s().restarts();
        }
    }
}
