/// Where a record sits in the input log: topic, partition and offset.
public struct LogPosition: Hashable, Sendable, CustomStringConvertible {
    /// The topic.
    public let topic: String
    /// The partition number.
    public let partition: Int32
    /// The record's offset.
    public let offset: Int64

    /// Names a record's position.
    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    public var description: String { "\(topic)[\(partition)]@\(offset)" }
}
