package io.historian.sparkplug;

import io.historian.DataSize;
import io.historian.HistorianException;
import io.historian.Quality;
import io.historian.sparkplug.internal.proto.SparkplugB.Payload;
import io.historian.spi.Forwarder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards the historian's samples to an MQTT broker as an Eclipse Sparkplug B 3.0 edge node: each
 * tag is a metric of type Double, named like the tag, announced in a birth certificate and then
 * published by alias with its timestamp, value and quality.
 *
 * <pre>{@code
 * Historian.builder()
 *     .forwarder(SparkplugForwarder.builder().broker("tcp://mqtt.plant.local:1883")
 *             .groupId("site-a").edgeNodeId("line1-gw").deviceId("historian")
 *             .tags("line1.*").build())
 *     .build();
 * }</pre>
 *
 * <p><b>Topics:</b> {@code spBv1.0/<group>/NBIRTH|NDATA|NDEATH|NCMD/<node>}; with a
 * {@link Builder#deviceId device}, the tags are that device's metrics, in
 * {@code spBv1.0/<group>/DBIRTH|DDATA|DDEATH/<node>/<device>}, and the node's own messages carry only
 * {@code bdSeq} and {@code Node Control/Rebirth}. Nothing is retained.
 * <p><b>Session:</b> each connect registers an NDEATH as the MQTT will (QoS 1) holding the
 * {@code bdSeq} metric (UInt64) of that connect, then publishes an NBIRTH with the same
 * {@code bdSeq}, {@code Node Control/Rebirth} (false), and seq 0; every later message of the node
 * (DBIRTH, data, DDEATH) carries the previous seq plus one, modulo 256. {@code bdSeq} starts at 0 in
 * each forwarder object and grows by one per successful connect (modulo 256). A birth lists every
 * metric known so far with its name, alias and datatype, and the last value sent, or
 * {@code is_null} if none was. A tag seen for the first time makes the forwarder publish a new
 * birth (DBIRTH with a device, NBIRTH, seq 0 again, without) before the data that uses it. An NCMD
 * with {@code Node Control/Rebirth = true} makes it publish NBIRTH (and DBIRTH) again before its
 * next data message: with its next batch, so a rebirth request waits for the next sample. On
 * {@link #close()} it publishes DDEATH (with a device) and NDEATH, then disconnects; a clean
 * disconnect does not send the will.
 * <p><b>Data:</b> NDATA/DDATA metrics carry only the alias, the sample's timestamp (epoch
 * milliseconds), {@code double_value} (NaN and infinities as they are, since protobuf carries
 * them) and a property {@code Quality} (Int32) with the OPC DA quality code of {@link #qualityCode}.
 * A batch becomes as many data messages as {@link Builder#maxMessageSize} requires, each tag's
 * samples in their order.
 * <p><b>Delivery:</b> at least once: {@link #send} returns when every message of the batch is
 * acknowledged. That needs QoS 1, which is the default for births and data here; the specification
 * asks for QoS 0 for NBIRTH, DBIRTH, NDATA and DDATA, but QoS 0 gets no acknowledgement, so a
 * message lost in a broker crash would count as sent. {@link Builder#dataQos dataQos(0)} follows the
 * specification and gives up the guarantee. After a failure the batch comes again: a host
 * deduplicates by (metric, timestamp).
 * <p><b>Errors:</b> a sample becomes a dead letter, with the reason, when its tag cannot be a
 * metric of this edge node for good: its name is one the node uses itself ({@code bdSeq} or
 * {@code Node Control/...}, without a device), or adding it would make the birth certificate larger
 * than {@link Builder#maxMessageSize} (the birth holds every metric); also when its timestamp lies
 * before 1970 (Sparkplug timestamps are unsigned). Anything else (the broker is down or refuses the
 * connection, a timeout) throws a retryable {@link HistorianException} with the MQTT client's error
 * as its cause, and the historian sends the batch again after a backoff, on a new connection and
 * session if the old one was lost.
 * <p><b>Threads:</b> immutable configuration; the historian calls {@link #open}, {@link #send} and
 * {@link #close} from one thread at a time. An NCMD arrives on the MQTT client's thread and only
 * sets a flag.
 * <p><b>Limits:</b> MQTT 3.1.1 only, no commands besides rebirth (DCMD is not subscribed),
 * aliases and {@code bdSeq} start again in a new forwarder object (a new process), and metrics are
 * never removed from the birth.
 */
public final class SparkplugForwarder implements Forwarder {
    private static final Logger LOG = LoggerFactory.getLogger(SparkplugForwarder.class);
    static final String NAMESPACE = "spBv1.0";
    static final String BD_SEQ = "bdSeq";
    static final String REBIRTH = "Node Control/Rebirth";
    static final int UINT64 = 8;
    static final int DOUBLE = 10;
    static final int BOOLEAN = 11;
    /** At most this many QoS 1 messages wait for their acknowledgement; Paho's own window is twice it. */
    private static final int WINDOW = 500;
    private static final long DISCONNECT_MILLIS = 5_000;

    private final String name;
    private final String broker;
    private final String groupId;
    private final String edgeNodeId;
    private final String deviceId;
    private final String clientId;
    private final String username;
    private final char[] password;
    private final String tags;
    private final int maxBatchSamples;
    private final Duration maxBatchDelay;
    private final DataSize journalBudget;
    private final int deadLetterCapacity;
    private final Duration callTimeout;
    private final Duration keepAlive;
    private final int dataQos;
    private final int maxMessageSize;
    private final Clock clock;

    private final String nbirthTopic;
    private final String ndataTopic;
    private final String ndeathTopic;
    private final String ncmdTopic;
    private final String dbirthTopic;
    private final String ddataTopic;
    private final String ddeathTopic;

    private final MetricTable metrics = new MetricTable();
    /** Why a tag is refused, once decided; a refusal never changes since the birth only grows. */
    private final Map<String, String> refusedTags = new HashMap<>();
    private final ArrayDeque<IMqttDeliveryToken> pending = new ArrayDeque<>();
    private DataMessageWriter writer;
    private int[] aliases;
    private MqttAsyncClient client;
    /** The bdSeq of the next successful connect. */
    private int nextBdSeq;
    private int bdSeq;
    private int seq;
    private boolean deviceBorn;
    private long publishedBytes;
    private volatile boolean rebirthRequested;

    private SparkplugForwarder(Builder b) {
        this.name = b.name;
        this.broker = b.broker;
        this.groupId = b.groupId;
        this.edgeNodeId = b.edgeNodeId;
        this.deviceId = b.deviceId;
        this.clientId = b.clientId != null ? b.clientId : "historian-" + b.groupId + "-" + b.edgeNodeId;
        this.username = b.username;
        this.password = b.password == null ? null : b.password.clone();
        this.tags = b.tags;
        this.maxBatchSamples = b.maxBatchSamples;
        this.maxBatchDelay = b.maxBatchDelay;
        this.journalBudget = b.journalBudget;
        this.deadLetterCapacity = b.deadLetterCapacity;
        this.callTimeout = b.callTimeout;
        this.keepAlive = b.keepAlive;
        this.dataQos = b.dataQos;
        this.maxMessageSize = (int) b.maxMessageSize.bytes();
        this.clock = Clock.systemUTC();
        String node = NAMESPACE + "/" + groupId + "/";
        this.nbirthTopic = node + "NBIRTH/" + edgeNodeId;
        this.ndataTopic = node + "NDATA/" + edgeNodeId;
        this.ndeathTopic = node + "NDEATH/" + edgeNodeId;
        this.ncmdTopic = node + "NCMD/" + edgeNodeId;
        this.dbirthTopic = node + "DBIRTH/" + edgeNodeId + "/" + deviceId;
        this.ddataTopic = node + "DDATA/" + edgeNodeId + "/" + deviceId;
        this.ddeathTopic = node + "DDEATH/" + edgeNodeId + "/" + deviceId;
    }

    /**
     * A builder; {@link Builder#broker}, {@link Builder#groupId} and {@link Builder#edgeNodeId} are
     * required.
     *
     * @return a new builder with every other option at its default
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The value of a metric's {@code Quality} property for a sample of this quality: an OPC DA
     * quality code, Good 192, Uncertain 64, Bad 0, with the OPC DA substatus where one matches:
     * {@code Good_LocalOverride} 216, {@code Uncertain_LastUsableValue} 68,
     * {@code Uncertain_SensorNotAccurate} 80, {@code Bad_ConfigurationError} 4,
     * {@code Bad_DeviceFailure} 12, {@code Bad_SensorFailure} 16, {@code Bad_NoCommunication} 24
     * (comm failure). Any other status code gives the plain code of its severity. A host reads the
     * severity from the two bits {@code 0xC0}.
     *
     * @param quality the sample's quality
     * @return the code the forwarder publishes
     */
    public static int qualityCode(Quality quality) {
        return SparkplugQuality.of(Objects.requireNonNull(quality, "quality").code());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String tagPattern() {
        return tags;
    }

    @Override
    public int maxBatchSamples() {
        return maxBatchSamples;
    }

    @Override
    public Duration maxBatchDelay() {
        return maxBatchDelay;
    }

    @Override
    public DataSize journalBudget() {
        return journalBudget;
    }

    @Override
    public int deadLetterCapacity() {
        return deadLetterCapacity;
    }

    @Override
    public Duration callTimeout() {
        return callTimeout;
    }

    /**
     * Connects and publishes the births, unless connected already.
     *
     * @throws HistorianException (retryable) if the broker cannot be reached or refuses the connection
     */
    @Override
    public void open() {
        try {
            ensureConnected();
        } catch (MqttException e) {
            throw failure("cannot connect to the MQTT broker", e);
        }
    }

    /**
     * Publishes the batch: a birth first if it holds a tag not yet born or a rebirth was asked
     * for, then its data messages; returns once the broker has acknowledged every one.
     *
     * @throws HistorianException (retryable) if a publish fails or is not acknowledged in time
     */
    @Override
    public void send(Batch batch) {
        long deadline = System.nanoTime() + callTimeout.toNanos();
        publishedBytes = 0;
        try {
            ensureConnected();
            sendBatch(batch, deadline);
        } catch (MqttException | RuntimeException e) {
            // The batch comes again whole; what it left unacknowledged is of no more interest.
            pending.clear();
            // A birth this batch published may not have reached the host while the tags it announced
            // are already in the table: on a connection that survives the failure, the retry would
            // send aliases the host never saw. Births go out again before it (a reconnect does so anyway).
            rebirthRequested = true;
            throw e instanceof MqttException m ? failure("publishing to the MQTT broker failed", m)
                    : (RuntimeException) e;
        }
        batch.bytesSent(publishedBytes);
    }

    private HistorianException failure(String what, MqttException e) {
        return new HistorianException(what + " [broker=" + broker + ", clientId=" + clientId + ", reason="
                + e.getReasonCode() + "]: " + e.getMessage(), e, true);
    }

    private void ensureConnected() throws MqttException {
        if (writer == null) {
            writer = new DataMessageWriter(maxMessageSize);
            aliases = new int[maxBatchSamples];
        }
        long deadline = System.nanoTime() + callTimeout.toNanos();
        if (client == null || !client.isConnected()) {
            connect(deadline);
        }
    }

    private void sendBatch(Batch batch, long deadline) throws MqttException {
        int n = batch.size();
        if (aliases.length < n) {
            aliases = new int[n];
        }
        boolean grew = false;
        for (int i = 0; i < n; i++) {
            aliases[i] = -1;
            String tag = batch.tag(i);
            if (batch.timestamp(i) < 0) {
                batch.refuse(i, "timestamp before 1970: Sparkplug timestamps are unsigned epoch milliseconds [tag="
                        + tag + ", timestamp=" + batch.timestamp(i) + "]");
                continue;
            }
            int alias = metrics.aliasOf(tag);
            if (alias < 0) {
                String reason = refusedTags.get(tag);
                if (reason == null) {
                    reason = refusal(tag);
                }
                if (reason != null) {
                    refusedTags.put(tag, reason);
                    batch.refuse(i, reason);
                    continue;
                }
                alias = metrics.add(tag);
                grew = true;
            }
            aliases[i] = alias;
        }
        if (rebirthRequested) {
            rebirthRequested = false;
            LOG.info("rebirth requested; publishing the births again [forwarder={}, node={}]", name, edgeNodeId);
            publishBirths(deadline);
        } else if (grew) {
            if (deviceId == null) {
                publishNodeBirth(deadline);
            } else {
                publishDeviceBirth(deadline);
            }
        }
        String topic = deviceId == null ? ndataTopic : ddataTopic;
        writer.start(clock.millis());
        for (int i = 0; i < n; i++) {
            int alias = aliases[i];
            if (alias < 0) {
                continue;
            }
            long t = batch.timestamp(i);
            double v = batch.value(i);
            int q = SparkplugQuality.of(batch.quality(i).code());
            if (!writer.append(alias, t, v, q)) {
                publish(topic, writer.finish(nextSeq()), dataQos, deadline);
                writer.start(clock.millis());
                writer.append(alias, t, v, q);
            }
            metrics.sent(alias, t, v, q);
        }
        if (writer.metrics() > 0) {
            publish(topic, writer.finish(nextSeq()), dataQos, deadline);
        }
        awaitPending(0, deadline);
    }

    /** {@return why the tag cannot be a metric, or null if it can} */
    private String refusal(String tag) {
        if (deviceId == null && (tag.equals(BD_SEQ) || tag.startsWith("Node Control/"))) {
            return "the metric name is the edge node's own [tag=" + tag + ", node=" + edgeNodeId + "]";
        }
        if (!metrics.fits(tag, maxMessageSize)) {
            return "the birth certificate would exceed maxMessageSize with this metric [tag=" + tag + ", metrics="
                    + metrics.size() + ", maxMessageSize=" + maxMessageSize + "]";
        }
        return null;
    }

    @Override
    public void close() {
        MqttAsyncClient c = client;
        client = null;
        pending.clear();
        if (c == null) {
            return;
        }
        try {
            if (c.isConnected()) {
                long deadline = System.nanoTime() + DISCONNECT_MILLIS * 1_000_000;
                if (deviceId != null && deviceBorn) {
                    c.publish(ddeathTopic, payload(Payload.newBuilder().setSeq(nextSeq())), 1, false)
                            .waitForCompletion(DISCONNECT_MILLIS);
                }
                c.publish(ndeathTopic, deathCertificate(), 1, false).waitForCompletion(DISCONNECT_MILLIS);
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                c.disconnect(left).waitForCompletion(left);
            }
        } catch (MqttException e) {
            LOG.warn("could not end the Sparkplug session cleanly; the broker sends the will [forwarder={}, broker={}]:"
                    + " {}", name, broker, e.toString());
        } finally {
            deviceBorn = false;
            try {
                if (c.isConnected()) {
                    c.disconnectForcibly(0, 1_000);
                }
                c.close(true);
            } catch (MqttException e) {
                LOG.debug("closing the MQTT client failed [forwarder={}]", name, e);
            }
        }
    }

    // ---------------------------------------------------------------- session

    /**
     * Plain sockets with Nagle's algorithm off: a batch's last data message would otherwise wait
     * for the broker's delayed ACK before it leaves, and the forwarder waits for its PUBACK, so
     * every batch paid that delay (about 15 ms a batch of 5,000 samples on loopback).
     */
    private static final class NoDelaySockets extends javax.net.SocketFactory {
        static final NoDelaySockets INSTANCE = new NoDelaySockets();

        private static java.net.Socket noDelay(java.net.Socket s) throws java.io.IOException {
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public java.net.Socket createSocket() throws java.io.IOException {
            return noDelay(new java.net.Socket());
        }

        @Override
        public java.net.Socket createSocket(String host, int port) throws java.io.IOException {
            return noDelay(new java.net.Socket(host, port));
        }

        @Override
        public java.net.Socket createSocket(String host, int port, java.net.InetAddress localHost, int localPort)
                throws java.io.IOException {
            return noDelay(new java.net.Socket(host, port, localHost, localPort));
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port) throws java.io.IOException {
            return noDelay(new java.net.Socket(host, port));
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress address, int port, java.net.InetAddress localAddress,
                int localPort) throws java.io.IOException {
            return noDelay(new java.net.Socket(address, port, localAddress, localPort));
        }
    }

    private void connect(long deadline) throws MqttException {
        if (client != null) {
            // The connection was lost: this is a new session with a new bdSeq and births.
            close();
        }
        bdSeq = nextBdSeq;
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval((int) Math.max(1, keepAlive.toSeconds()));
        options.setConnectionTimeout((int) Math.max(1, Math.min(callTimeout.toSeconds(), 60)));
        options.setMaxInflight(2 * WINDOW);
        options.setWill(ndeathTopic, deathCertificate(), 1, false);
        if (broker.startsWith("tcp://")) {
            options.setSocketFactory(NoDelaySockets.INSTANCE);
        }
        if (username != null) {
            options.setUserName(username);
        }
        if (password != null) {
            options.setPassword(password.clone());
        }
        MqttAsyncClient c = new MqttAsyncClient(broker, clientId, new MemoryPersistence());
        c.setCallback(new Commands());
        pending.clear();
        try {
            c.connect(options).waitForCompletion(remainingMillis(deadline));
            c.subscribe(ncmdTopic, 1).waitForCompletion(remainingMillis(deadline));
        } catch (MqttException | RuntimeException e) {
            try {
                c.disconnectForcibly(0, 1_000);
            } catch (MqttException ignored) {
                // Not connected: nothing to end.
            }
            c.close(true);
            throw e;
        }
        client = c;
        nextBdSeq = (bdSeq + 1) & 0xFF;
        rebirthRequested = false;
        LOG.info("connected as a Sparkplug edge node [forwarder={}, broker={}, group={}, node={}, bdSeq={}]", name,
                broker, groupId, edgeNodeId, bdSeq);
        publishBirths(deadline);
        awaitPending(0, deadline);
    }

    private void publishBirths(long deadline) throws MqttException {
        publishNodeBirth(deadline);
        if (deviceId != null && metrics.size() > 0) {
            publishDeviceBirth(deadline);
        }
    }

    private void publishNodeBirth(long deadline) throws MqttException {
        seq = 0;
        Payload.Builder p = Payload.newBuilder().setTimestamp(clock.millis()).setSeq(0)
                .addMetrics(Payload.Metric.newBuilder().setName(BD_SEQ).setDatatype(UINT64).setLongValue(bdSeq))
                .addMetrics(Payload.Metric.newBuilder().setName(REBIRTH).setDatatype(BOOLEAN).setBooleanValue(false));
        if (deviceId == null) {
            addMetrics(p);
        }
        publish(nbirthTopic, p.build().toByteArray(), dataQos, deadline);
    }

    private void publishDeviceBirth(long deadline) throws MqttException {
        Payload.Builder p = Payload.newBuilder().setTimestamp(clock.millis()).setSeq(nextSeq());
        addMetrics(p);
        publish(dbirthTopic, p.build().toByteArray(), dataQos, deadline);
        deviceBorn = true;
    }

    private void addMetrics(Payload.Builder p) {
        long now = clock.millis();
        for (int i = 0; i < metrics.size(); i++) {
            Payload.Metric.Builder m = Payload.Metric.newBuilder().setName(metrics.name(i))
                    .setAlias(MetricTable.FIRST_ALIAS + i).setDatatype(DOUBLE);
            if (metrics.hasValue(i)) {
                m.setTimestamp(metrics.timestamp(i)).setDoubleValue(metrics.value(i))
                        .setProperties(Payload.PropertySet.newBuilder().addKeys(DataMessageWriter.QUALITY)
                                .addValues(Payload.PropertyValue.newBuilder().setType(DataMessageWriter.INT32)
                                        .setIntValue(metrics.quality(i))));
            } else {
                m.setTimestamp(now).setIsNull(true);
            }
            p.addMetrics(m);
        }
    }

    private byte[] deathCertificate() {
        return Payload.newBuilder().setTimestamp(clock.millis())
                .addMetrics(Payload.Metric.newBuilder().setName(BD_SEQ).setDatatype(UINT64).setLongValue(bdSeq))
                .build().toByteArray();
    }

    private byte[] payload(Payload.Builder p) {
        return p.setTimestamp(clock.millis()).build().toByteArray();
    }

    private int nextSeq() {
        seq = (seq + 1) & 0xFF;
        return seq;
    }

    private void publish(String topic, byte[] payload, int qos, long deadline) throws MqttException {
        awaitPending(WINDOW - 1, deadline);
        pending.add(client.publish(topic, payload, qos, false));
        publishedBytes += payload.length;
    }

    /** Waits until at most {@code max} publishes wait for their acknowledgement. */
    private void awaitPending(int max, long deadline) throws MqttException {
        while (pending.size() > max) {
            IMqttToken t = pending.peekFirst();
            t.waitForCompletion(remainingMillis(deadline));
            pending.pollFirst();
        }
    }

    private static long remainingMillis(long deadline) throws MqttException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new MqttException(MqttException.REASON_CODE_CLIENT_TIMEOUT);
        }
        return left;
    }

    @Override
    public String toString() {
        return "SparkplugForwarder[" + name + ", broker=" + broker + ", group=" + groupId + ", node=" + edgeNodeId
                + (deviceId == null ? "" : ", device=" + deviceId) + ", tags=" + tags + "]";
    }

    /** Listens for rebirth requests; runs on the MQTT client's thread, so it only sets a flag. */
    private final class Commands implements MqttCallback {
        @Override
        public void connectionLost(Throwable cause) {
            LOG.warn("lost the MQTT connection [forwarder={}, broker={}]: {}", name, broker, String.valueOf(cause));
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            try {
                for (Payload.Metric m : Payload.parseFrom(message.getPayload()).getMetricsList()) {
                    if (REBIRTH.equals(m.getName()) && m.hasBooleanValue() && m.getBooleanValue()) {
                        rebirthRequested = true;
                    }
                }
            } catch (Exception e) {
                // Throwing here would make the client drop the connection.
                LOG.warn("ignored an NCMD that is not a Sparkplug B payload [forwarder={}, topic={}]: {}", name, topic,
                        e.toString());
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // send() waits on the tokens themselves.
        }
    }

    /**
     * Configures a {@link SparkplugForwarder}.
     *
     * <p><b>Thread safety:</b> not thread-safe; the built forwarder's configuration is immutable.
     */
    public static final class Builder {
        private String name = "sparkplug";
        private String broker;
        private String groupId;
        private String edgeNodeId;
        private String deviceId;
        private String clientId;
        private String username;
        private char[] password;
        private String tags = "*";
        private int maxBatchSamples = 5_000;
        private Duration maxBatchDelay = Duration.ofMillis(100);
        private DataSize journalBudget = DataSize.ofGigabytes(1);
        private int deadLetterCapacity = 100_000;
        private Duration callTimeout = Duration.ofMinutes(2);
        private Duration keepAlive = Duration.ofSeconds(30);
        private int dataQos = 1;
        private DataSize maxMessageSize = DataSize.ofKilobytes(256);

        private Builder() {
        }

        /**
         * The forwarder's name, for the historian's API, logs and files (default {@code sparkplug}).
         *
         * @param name unique per historian
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The MQTT broker (required).
         *
         * @param uri {@code tcp://host:port}, or {@code ssl://host:port} with the JVM's default trust store
         * @return this builder
         * @throws IllegalArgumentException if the URI is not an MQTT server URI
         */
        public Builder broker(String uri) {
            Objects.requireNonNull(uri, "uri");
            java.net.URI u;
            try {
                u = new java.net.URI(uri);
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("not an MQTT broker URI: " + uri, e);
            }
            if (!("tcp".equals(u.getScheme()) || "ssl".equals(u.getScheme())) || u.getHost() == null
                    || !(u.getPath() == null || u.getPath().isEmpty())) {
                throw new IllegalArgumentException("not an MQTT broker URI, expected tcp://host:port or ssl://host:port: "
                        + uri);
            }
            this.broker = uri;
            return this;
        }

        /**
         * The Sparkplug group the edge node belongs to (required).
         *
         * @param groupId one topic level: not empty, without {@code / + #}
         * @return this builder
         */
        public Builder groupId(String groupId) {
            this.groupId = topicLevel(groupId, "groupId");
            return this;
        }

        /**
         * The edge node's id (required).
         *
         * @param edgeNodeId one topic level: not empty, without {@code / + #}
         * @return this builder
         */
        public Builder edgeNodeId(String edgeNodeId) {
            this.edgeNodeId = topicLevel(edgeNodeId, "edgeNodeId");
            return this;
        }

        /**
         * Publishes the tags as metrics of this device of the edge node (DBIRTH, DDATA, DDEATH)
         * instead of as the node's own metrics (default: none, node metrics).
         *
         * @param deviceId one topic level: not empty, without {@code / + #}
         * @return this builder
         */
        public Builder deviceId(String deviceId) {
            this.deviceId = topicLevel(deviceId, "deviceId");
            return this;
        }

        /**
         * The MQTT client id (default {@code historian-<groupId>-<edgeNodeId>}); unique per broker.
         *
         * @param clientId the client id
         * @return this builder
         */
        public Builder clientId(String clientId) {
            Objects.requireNonNull(clientId, "clientId");
            if (clientId.isEmpty()) {
                throw new IllegalArgumentException("clientId must not be empty");
            }
            this.clientId = clientId;
            return this;
        }

        /**
         * Authenticates with a user name and password (default: anonymous). The password is
         * copied and never logged.
         *
         * @param username the user name
         * @param password the password
         * @return this builder
         */
        public Builder credentials(String username, char[] password) {
            this.username = Objects.requireNonNull(username, "username");
            this.password = Objects.requireNonNull(password, "password").clone();
            return this;
        }

        /**
         * The tags forwarded (default every tag).
         *
         * @param pattern a tag name, or a pattern with {@code *} and {@code ?}
         * @return this builder
         */
        public Builder tags(String pattern) {
            this.tags = Objects.requireNonNull(pattern, "pattern");
            return this;
        }

        /**
         * The QoS of births and data messages (default 1, which at-least-once delivery needs; the
         * specification's 0 gives the guarantee up, see the class comment). Deaths always use 1.
         *
         * @param qos 0 or 1
         * @return this builder
         */
        public Builder dataQos(int qos) {
            if (qos != 0 && qos != 1) {
                throw new IllegalArgumentException("dataQos must be 0 or 1: " + qos);
            }
            this.dataQos = qos;
            return this;
        }

        /**
         * The largest MQTT payload published (default 256 KiB): a batch is cut into data
         * messages of at most this size, and a tag whose metric would make the birth larger is
         * refused. Keep it at or below the broker's limit.
         *
         * @param size from 1 KiB to 256 MiB
         * @return this builder
         */
        public Builder maxMessageSize(DataSize size) {
            Objects.requireNonNull(size, "size");
            if (size.bytes() < 1024 || size.bytes() > 268_435_455) {
                throw new IllegalArgumentException("maxMessageSize must be from 1 KiB to 256 MiB: " + size);
            }
            this.maxMessageSize = size;
            return this;
        }

        /**
         * The MQTT keep-alive interval (default 30 s): the broker sends the will about 1.5 times
         * this long after the forwarder's connection went silent.
         *
         * @param interval from 1 s to 18 h
         * @return this builder
         */
        public Builder keepAlive(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.toSeconds() < 1 || interval.toSeconds() > 65_535) {
                throw new IllegalArgumentException("keepAlive must be from 1 s to 65,535 s: " + interval);
            }
            this.keepAlive = interval;
            return this;
        }

        /**
         * The most samples in one batch sent (default 5,000).
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxBatchSamples(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxBatchSamples must be at least 1: " + max);
            }
            this.maxBatchSamples = max;
            return this;
        }

        /**
         * How long a batch waits for more samples (default 100 ms).
         *
         * @param delay positive
         * @return this builder
         */
        public Builder maxBatchDelay(Duration delay) {
            this.maxBatchDelay = positive(delay, "maxBatchDelay");
            return this;
        }

        /**
         * How much journal the forwarder may keep unforwarded before it reads the store instead
         * (default 1 GiB).
         *
         * @param budget the budget
         * @return this builder
         */
        public Builder journalBudget(DataSize budget) {
            this.journalBudget = Objects.requireNonNull(budget, "budget");
            return this;
        }

        /**
         * The most dead letters kept (default 100,000).
         *
         * @param capacity at least 1
         * @return this builder
         */
        public Builder deadLetterCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("deadLetterCapacity must be at least 1: " + capacity);
            }
            this.deadLetterCapacity = capacity;
            return this;
        }

        /**
         * How long a connect or a send, acknowledgements included, may take (default 2 minutes);
         * past it the batch fails and the historian tries again.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = positive(timeout, "callTimeout");
            return this;
        }

        /**
         * Builds the forwarder; hand it to {@code Historian.Builder.forwarder}.
         *
         * @return the forwarder
         * @throws IllegalStateException if the broker, the group id or the edge node id is missing
         */
        public SparkplugForwarder build() {
            if (broker == null || groupId == null || edgeNodeId == null) {
                throw new IllegalStateException("a Sparkplug forwarder needs broker, groupId and edgeNodeId [broker="
                        + broker + ", groupId=" + groupId + ", edgeNodeId=" + edgeNodeId + "]");
            }
            return new SparkplugForwarder(this);
        }

        private static String topicLevel(String level, String what) {
            Objects.requireNonNull(level, what);
            if (level.isEmpty() || level.indexOf('/') >= 0 || level.indexOf('+') >= 0 || level.indexOf('#') >= 0
                    || !StandardCharsets.UTF_8.newEncoder().canEncode(level)) {
                throw new IllegalArgumentException(what + " must be one MQTT topic level, not empty and without"
                        + " '/', '+' or '#': " + level);
            }
            return level;
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }
    }
}
