package io.historian.sparkplug;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A Sparkplug B host application written from the specification, for the tests: it subscribes to
 * {@code spBv1.0/<group>/#} with a persistent session (QoS 1) and decodes every payload by field
 * number with protobuf's {@link CodedInputStream}, without the forwarder's generated classes, so it
 * checks the wire format on its own.
 *
 * <p>While decoding it checks the session rules and records every break of them in
 * {@link #violations()}: an NBIRTH has seq 0, a {@code bdSeq} (UInt64) and
 * {@code Node Control/Rebirth} (Boolean); every later message of the node has the previous seq plus
 * one, modulo 256; births give each metric a name, an alias and the datatype Double; data
 * messages name metrics by aliases born earlier in the session, with a timestamp, a double and a
 * {@code Quality} property (Int32); an NDEATH's {@code bdSeq} is the current session's (which ends
 * it) or an older session's (a late will, ignored), never one no NBIRTH had.
 */
final class SparkplugConsumer implements AutoCloseable {
    record Key(String tag, long timestamp) {
    }

    record Received(String tag, long timestamp, double value, int quality) {
    }

    /** A birth or a death as it arrived: its type, edge node, bdSeq of the session and metric names. */
    record Event(String type, String node, long bdSeq, List<String> names) {
    }

    /** What a host knows of one edge node's session. */
    private static final class Node {
        final Map<Long, String> aliases = new HashMap<>();
        final Set<Long> bdSeqsBorn = new HashSet<>();
        long sessionBdSeq = -1;
        boolean alive;
        int expectedSeq;
    }

    private final String group;
    private final MqttClient client;
    private final List<String> violations = new ArrayList<>();
    private final List<Received> samples = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    /** The session state of each edge node, by its id. */
    private final Map<String, Node> nodes = new HashMap<>();
    private String lastTopic;
    private byte[] lastPayload;
    private long messages;

    SparkplugConsumer(String brokerUri, String group) throws MqttException {
        this.group = group;
        client = new MqttClient(brokerUri, "host-" + group, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setAutomaticReconnect(true);
        o.setMaxReconnectDelay(500);
        o.setConnectionTimeout(10);
        o.setKeepAliveInterval(5);
        o.setMaxInflight(1000);
        client.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
                receive(topic, message.getPayload());
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        client.connect(o);
        client.subscribe("spBv1.0/" + group + "/#", 1);
    }

    /** Publishes an NCMD asking the edge node for its births again. */
    void requestRebirth(String edgeNode) throws MqttException, IOException {
        ByteArrayOutputStream metric = new ByteArrayOutputStream();
        CodedOutputStream m = CodedOutputStream.newInstance(metric);
        m.writeString(1, "Node Control/Rebirth");
        m.writeUInt32(4, 11);
        m.writeBool(14, true);
        m.flush();
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        CodedOutputStream p = CodedOutputStream.newInstance(payload);
        p.writeUInt64(1, System.currentTimeMillis());
        p.writeByteArray(2, metric.toByteArray());
        p.flush();
        client.publish("spBv1.0/" + group + "/NCMD/" + edgeNode, payload.toByteArray(), 1, false);
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    synchronized List<Received> samples() {
        return List.copyOf(samples);
    }

    synchronized long messages() {
        return messages;
    }

    /** {@return the samples received, one per (tag, timestamp)} */
    synchronized Map<Key, Received> distinct() {
        Map<Key, Received> d = new LinkedHashMap<>();
        for (Received r : samples) {
            d.put(new Key(r.tag(), r.timestamp()), r);
        }
        return d;
    }

    /** Fails unless each tag's samples, once duplicates are dropped, came in timestamp order. */
    synchronized void assertInOrderPerTag() {
        Map<String, Long> last = new HashMap<>();
        Set<Key> seen = new LinkedHashSet<>();
        for (Received r : samples) {
            if (seen.add(new Key(r.tag(), r.timestamp()))) {
                Long before = last.put(r.tag(), r.timestamp());
                if (before != null && before >= r.timestamp()) {
                    throw new AssertionError("tag " + r.tag() + " out of order: " + before + " then " + r.timestamp());
                }
            }
        }
    }

    private synchronized void receive(String topic, byte[] payload) {
        // A QoS 1 message can come twice (the broker sends it again after a reconnect); it is the same message.
        if (topic.equals(lastTopic) && Arrays.equals(payload, lastPayload)) {
            return;
        }
        lastTopic = topic;
        lastPayload = payload;
        messages++;
        String[] level = topic.split("/");
        if (level.length < 4 || !level[0].equals("spBv1.0") || !level[1].equals(group)) {
            violations.add("not a Sparkplug topic of the group: " + topic);
            return;
        }
        String type = level[2];
        if (type.equals("NCMD") || type.equals("DCMD")) {
            return;
        }
        Message m;
        try {
            m = Message.decode(payload);
        } catch (IOException | RuntimeException e) {
            violations.add("undecodable payload on " + topic + ": " + e);
            return;
        }
        boolean device = type.charAt(0) == 'D';
        if (device != (level.length == 5)) {
            violations.add("topic levels do not match the message type: " + topic);
        }
        if (m.timestamp < 0) {
            violations.add(type + " without a payload timestamp");
        }
        Node node = nodes.computeIfAbsent(level[3], k -> new Node());
        switch (type) {
            case "NBIRTH" -> nodeBirth(level[3], node, m);
            case "NDEATH" -> nodeDeath(level[3], node, m);
            case "DBIRTH", "NDATA", "DDATA", "DDEATH" -> {
                if (!node.alive) {
                    violations.add(type + " outside a birth session (no NBIRTH since the last NDEATH)");
                    return;
                }
                checkSeq(node, type, m);
                if (type.equals("DBIRTH")) {
                    birthMetrics(node, type, m);
                    events.add(new Event(type, level[3], node.sessionBdSeq, names(m)));
                } else if (type.equals("DDEATH")) {
                    events.add(new Event(type, level[3], node.sessionBdSeq, List.of()));
                } else {
                    data(node, type, m);
                }
            }
            default -> violations.add("unknown message type: " + topic);
        }
    }

    private void nodeBirth(String id, Node node, Message m) {
        if (m.seq != 0) {
            violations.add("NBIRTH with seq " + m.seq + ", not 0");
        }
        Metric bd = m.metric("bdSeq");
        Metric rebirth = m.metric("Node Control/Rebirth");
        if (bd == null || bd.datatype != 8 || bd.longValue < 0) {
            violations.add("NBIRTH without a UInt64 bdSeq: " + bd);
            return;
        }
        if (rebirth == null || rebirth.datatype != 11 || rebirth.booleanValue != Boolean.FALSE) {
            violations.add("NBIRTH without Node Control/Rebirth = false: " + rebirth);
        }
        if (node.alive && bd.longValue != node.sessionBdSeq) {
            violations.add("NBIRTH with bdSeq " + bd.longValue + " while the session of bdSeq " + node.sessionBdSeq
                    + " is alive (a new connection must be preceded by the old one's NDEATH or a broker restart)");
        }
        node.sessionBdSeq = bd.longValue;
        node.bdSeqsBorn.add(node.sessionBdSeq);
        node.alive = true;
        node.expectedSeq = 1;
        node.aliases.clear();
        birthMetrics(node, "NBIRTH", m);
        events.add(new Event("NBIRTH", id, node.sessionBdSeq, names(m)));
    }

    /** After a broker restart the old session's will is gone with the broker: a new NBIRTH starts over. */
    void brokerRestarted() {
        synchronized (this) {
            for (Node node : nodes.values()) {
                node.alive = false;
            }
        }
    }

    private void nodeDeath(String id, Node node, Message m) {
        Metric bd = m.metric("bdSeq");
        if (bd == null || bd.datatype != 8) {
            violations.add("NDEATH without a UInt64 bdSeq");
            return;
        }
        events.add(new Event("NDEATH", id, bd.longValue, List.of()));
        if (node.alive && bd.longValue == node.sessionBdSeq) {
            node.alive = false;
        } else if (!node.bdSeqsBorn.contains(bd.longValue)) {
            violations.add("NDEATH with bdSeq " + bd.longValue + " that no NBIRTH had");
        }
    }

    private void checkSeq(Node node, String type, Message m) {
        if (m.seq != node.expectedSeq) {
            violations.add(type + " with seq " + m.seq + ", expected " + node.expectedSeq);
        }
        node.expectedSeq = (int) ((m.seq + 1) % 256);
    }

    private void birthMetrics(Node node, String type, Message m) {
        for (Metric x : m.metrics) {
            if (x.name == null) {
                violations.add(type + " metric without a name");
                continue;
            }
            if (type.equals("NBIRTH") && (x.name.equals("bdSeq") || x.name.startsWith("Node Control/"))) {
                continue;
            }
            if (x.alias < 0 || x.datatype != 10) {
                violations.add(type + " metric without an alias or not Double: " + x);
                continue;
            }
            String before = node.aliases.put(x.alias, x.name);
            if (before != null && !before.equals(x.name)) {
                violations.add(type + " gives alias " + x.alias + " to " + x.name + ", it was " + before);
            }
            if (!x.isNull && x.doubleValue == null) {
                violations.add(type + " metric neither null nor a double: " + x);
            }
        }
    }

    private void data(Node node, String type, Message m) {
        for (Metric x : m.metrics) {
            String tag = node.aliases.get(x.alias);
            if (tag == null) {
                violations.add(type + " with alias " + x.alias + " no birth of the session announced");
                continue;
            }
            if (x.timestamp < 0 || x.doubleValue == null || x.quality == null) {
                violations.add(type + " metric without timestamp, double or Quality: " + x);
                continue;
            }
            samples.add(new Received(tag, x.timestamp, x.doubleValue, x.quality));
        }
    }

    private static List<String> names(Message m) {
        List<String> names = new ArrayList<>();
        for (Metric x : m.metrics) {
            names.add(x.name);
        }
        return names;
    }

    @Override
    public void close() throws MqttException {
        client.disconnectForcibly(0, 1_000);
        client.close(true);
    }

    /** One decoded metric; -1 or null where the field was absent. */
    static final class Metric {
        String name;
        long alias = -1;
        long timestamp = -1;
        int datatype = -1;
        boolean isNull;
        long longValue = -1;
        Double doubleValue;
        Boolean booleanValue;
        Integer quality;

        static Metric decode(CodedInputStream in) throws IOException {
            Metric m = new Metric();
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                switch (tag) {
                    case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> m.name = in.readStringRequireUtf8();
                    case (2 << 3) -> m.alias = in.readUInt64();
                    case (3 << 3) -> m.timestamp = in.readUInt64();
                    case (4 << 3) -> m.datatype = in.readUInt32();
                    case (7 << 3) -> m.isNull = in.readBool();
                    case (9 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                        int limit = in.pushLimit(in.readRawVarint32());
                        m.quality = quality(in);
                        in.popLimit(limit);
                    }
                    case (11 << 3) -> m.longValue = in.readUInt64();
                    case (13 << 3) | WireFormat.WIRETYPE_FIXED64 -> m.doubleValue = in.readDouble();
                    case (14 << 3) -> m.booleanValue = in.readBool();
                    default -> in.skipField(tag);
                }
            }
            return m;
        }

        /** Reads a PropertySet (keys = 1, values = 2, PropertyValue type = 1, int_value = 3); {@return Quality's value} */
        private static Integer quality(CodedInputStream in) throws IOException {
            List<String> keys = new ArrayList<>();
            List<Integer> values = new ArrayList<>();
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                if (tag == ((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                    keys.add(in.readStringRequireUtf8());
                } else if (tag == ((2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                    int limit = in.pushLimit(in.readRawVarint32());
                    int type = -1;
                    Integer value = null;
                    while (!in.isAtEnd()) {
                        int t = in.readTag();
                        if (t == (1 << 3)) {
                            type = in.readUInt32();
                        } else if (t == (3 << 3)) {
                            value = in.readUInt32();
                        } else {
                            in.skipField(t);
                        }
                    }
                    in.popLimit(limit);
                    values.add(type == 3 ? value : null);
                } else {
                    in.skipField(tag);
                }
            }
            int i = keys.indexOf("Quality");
            return i < 0 || i >= values.size() ? null : values.get(i);
        }

        @Override
        public String toString() {
            return "Metric[name=" + name + ", alias=" + alias + ", timestamp=" + timestamp + ", datatype=" + datatype
                    + ", null=" + isNull + ", long=" + longValue + ", double=" + doubleValue + ", boolean="
                    + booleanValue + ", quality=" + quality + "]";
        }
    }

    /** One decoded payload (timestamp = 1, metrics = 2, seq = 3). */
    static final class Message {
        long timestamp = -1;
        long seq = -1;
        final List<Metric> metrics = new ArrayList<>();

        static Message decode(byte[] payload) throws IOException {
            Message m = new Message();
            CodedInputStream in = CodedInputStream.newInstance(payload);
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                switch (tag) {
                    case (1 << 3) -> m.timestamp = in.readUInt64();
                    case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                        int limit = in.pushLimit(in.readRawVarint32());
                        m.metrics.add(Metric.decode(in));
                        in.popLimit(limit);
                    }
                    case (3 << 3) -> m.seq = in.readUInt64();
                    default -> in.skipField(tag);
                }
            }
            return m;
        }

        Metric metric(String name) {
            for (Metric x : metrics) {
                if (name.equals(x.name)) {
                    return x;
                }
            }
            return null;
        }
    }
}
