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
    /// Partitions found with an offset gap while collecting this batch; the consumer has paused them.
    /// Records of such a partition in `messages` all come before its gap.
    public let gaps: [OffsetGap]

    /// Makes a batch.
    public init(messages: [ConsumedMessage], assigned: [TopicPartition] = [], revoked: [TopicPartition] = [], gaps: [OffsetGap] = []) {
        self.messages = messages
        self.assigned = assigned
        self.revoked = revoked
        self.gaps = gaps
    }

    /// The offset after the last record of each partition in this batch: what to store once it is done.
    public var nextOffsets: [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        // A partition's records come in runs: the table is touched once per run, not once per record.
        var run: (partition: TopicPartition, next: Int64)?
        for message in messages {
            if let current = run, current.partition == message.topicPartition {
                run = (current.partition, max(current.next, message.offset + 1))
                continue
            }
            if let current = run { result[current.partition] = max(result[current.partition] ?? 0, current.next) }
            run = (message.topicPartition, message.offset + 1)
        }
        if let current = run { result[current.partition] = max(result[current.partition] ?? 0, current.next) }
        return result
    }
}
