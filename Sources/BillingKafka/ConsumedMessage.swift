/// A record read from Kafka, copied out of librdkafka's buffers.
public struct ConsumedMessage: Sendable {
    /// Where the record came from.
    public let topicPartition: TopicPartition
    /// The record's offset in its partition.
    public let offset: Int64
    /// The record key, `nil` when absent.
    public let key: [UInt8]?
    /// The record value, `nil` for a tombstone (NULL payload).
    public let value: [UInt8]?
    /// The record's headers in order.
    public let headers: [KafkaHeader]
    /// The record timestamp in milliseconds since the epoch, when the broker supplied one.
    public let timestampMilliseconds: Int64?

    /// Makes a message; used by the consumer and by tests.
    public init(
        topicPartition: TopicPartition,
        offset: Int64,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader] = [],
        timestampMilliseconds: Int64? = nil
    ) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// The topic the record came from.
    public var topic: String { topicPartition.topic }
    /// The partition the record came from.
    public var partition: Int32 { topicPartition.partition }
}
