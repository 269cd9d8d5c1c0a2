/// A partition whose next owed offset the broker no longer has (or never had): the records between
/// the offset billingd owes and the log's start are gone, or the log was recreated.
///
/// The consumer pauses such a partition instead of jumping to another offset; only an operator's
/// explicit, audited act moves it on.
public struct OffsetGap: Sendable, Hashable, CustomStringConvertible {
    /// The partition.
    public let topicPartition: TopicPartition
    /// The offset billingd owes next, which the broker refused.
    public let expectedOffset: Int64
    /// The first offset the broker still has, when it could be asked (nil when it could not).
    public let logStart: Int64?
    /// The offset after the last record the broker has, when it could be asked.
    public let logEnd: Int64?
    /// librdkafka's or the broker's reason.
    public let reason: String

    /// Describes a gap.
    public init(topicPartition: TopicPartition, expectedOffset: Int64, logStart: Int64?, logEnd: Int64?, reason: String) {
        self.topicPartition = topicPartition
        self.expectedOffset = expectedOffset
        self.logStart = logStart
        self.logEnd = logEnd
        self.reason = reason
    }

    public var description: String {
        "\(topicPartition): expected offset \(expectedOffset), log holds \(logStart.map(String.init) ?? "?")..<\(logEnd.map(String.init) ?? "?")"
    }
}
