package io.historian.spi;

/**
 * Something that produces samples on its own schedule, such as a Modbus poller: the historian
 * starts it after opening and closes it before closing.
 *
 * <pre>{@code
 * Historian.builder().source(ModbusSource.tcp("127.0.0.1", 502)...build()).build();
 * }</pre>
 *
 * <p><b>Lifecycle:</b> {@link #start} is called once, after the journal has been replayed; it must
 * return quickly and do its work on its own threads. {@link #close} is called once by the
 * historian's {@code close()}, before the journal closes; it must stop every thread and socket the
 * source owns and be idempotent.
 * <p><b>Errors:</b> a source turns its failures into data (samples of Bad quality) and counters; a
 * sample the historian refuses throws from {@link SampleSink#write}, which the source counts and logs.
 */
public interface SampleSource extends AutoCloseable {

    /** {@return a short name for logs and statistics, such as {@code plc-7}; unique per historian} */
    String name();

    /**
     * Starts producing samples into the sink.
     *
     * @param sink where the samples go; valid until {@link #close()}
     */
    void start(SampleSink sink);

    /**
     * Since when the source has been unable to reach what it reads, for
     * {@link io.historian.Historian#health()}; the default says it never is.
     *
     * @return the start of the current outage, or null while the source reaches its device
     */
    default java.time.Instant unreachableSince() {
        return null;
    }

    /** Stops producing and releases every thread and socket; idempotent. */
    @Override
    void close();
}
