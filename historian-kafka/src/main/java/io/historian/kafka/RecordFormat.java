package io.historian.kafka;

/**
 * How a {@link KafkaForwarder} writes each sample into a record's value. The key is always the
 * tag's name in UTF-8.
 */
public enum RecordFormat {
    /**
     * The compact binary form (about 20 bytes plus the tag), the protobuf message
     * {@code io.historian.kafka.Sample} (see {@code sample.proto} in this jar): {@code string tag = 1;
     * int64 timestamp_ms = 2; double value = 3; uint32 quality = 4;} where quality is the OPC UA
     * status code of {@link io.historian.Quality#code()}.
     */
    PROTOBUF,
    /**
     * One record per tag per batch the historian hands over (at most
     * {@link KafkaForwarder.Builder#maxSamplesPerRecord} samples each), the protobuf message
     * {@code io.historian.kafka.Samples} (see {@code sample.proto}): {@code string tag = 1;
     * repeated int64 timestamp_ms = 2; repeated double value = 3; repeated uint32 quality = 4;}
     * with the repeated fields packed, in time order per tag, and {@code quality} empty when every
     * sample is Good. A {@link #PROTOBUF} value is a valid {@code Samples} of one, so
     * {@link KafkaForwarder#decodeAll} reads both. Far fewer records for the same samples: the
     * producer's and the broker's cost per record is paid once per tag and batch (BENCHMARKS.md).
     * A record the broker refuses for good makes every sample in it a dead letter.
     */
    PROTOBUF_BATCH,
    /**
     * One JSON object per record, for people who read the topic by eye:
     * {@code {"tag":"boiler.temp","timestamp":1767225600000,"value":81.4,"quality":0,"status":"Good"}}
     * (quality is the OPC UA status code, status its name).
     * JSON has no NaN or infinities: such a sample is refused and becomes a dead letter.
     */
    JSON
}
