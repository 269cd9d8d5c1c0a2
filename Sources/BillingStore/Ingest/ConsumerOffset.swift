/// The next offset to read in one partition of an input topic.
public struct ConsumerOffset: Hashable, Sendable {
    /// The topic.
    public let topic: String
    /// The partition.
    public let partition: Int32
    /// The offset of the next record to process.
    public let nextOffset: Int64

    /// Makes an offset record.
    public init(topic: String, partition: Int32, nextOffset: Int64) {
        self.topic = topic
        self.partition = partition
        self.nextOffset = nextOffset
    }
}
