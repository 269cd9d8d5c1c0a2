/// What one call to `KafkaConsumer.nextBatch` returns: records, plus any change of assignment seen
/// while collecting them.
public struct ConsumerBatch: Sendable {
    /// Records in the order librdkafka delivered them (in order within each partition).
    public let messages: [ConsumedMessage]
    /// Partitions assigned to this consumer since the previous batch.
    public let assigned: [TopicPartition]
    /// Partitions taken away since the previous batch. Records of these partitions that were not yet
    /// handed out are dropped: their offsets were never stored, so the new owner reads them again.
    public let revoked: [TopicPartition]

    /// Makes a batch.
    public init(messages: [ConsumedMessage], assigned: [TopicPartition] = [], revoked: [TopicPartition] = []) {
        self.messages = messages
        self.assigned = assigned
        self.revoked = revoked
    }

    /// The offset after the last record of each partition in this batch: what to store once it is done.
    public var nextOffsets: [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        for message in messages {
            result[message.topicPartition] = max(result[message.topicPartition] ?? 0, message.offset + 1)
        }
        return result
    }
}
