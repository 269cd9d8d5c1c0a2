/// An offset gap recorded in the store: a partition whose next owed offset the broker no longer had.
public struct PartitionGap: Sendable, Codable, Equatable {
    /// The input topic.
    public let topic: String
    /// The partition.
    public let partition: Int32
    /// The offset billingd owed next.
    public let expectedOffset: Int64
    /// The first offset the broker had when the gap was last seen, if it answered.
    public let logStart: Int64?
    /// The offset after the broker's last record when the gap was last seen, if it answered.
    public let logEnd: Int64?
    /// The broker's or librdkafka's reason.
    public let reason: String
    /// When the gap was first seen.
    public let detectedAt: String
    /// When it was last seen.
    public let lastSeenAt: String
    /// When an operator accepted it (nil while it is open).
    public let acceptedAt: String?
    /// Who accepted it.
    public let acceptedBy: String?
    /// Where reading resumed after it was accepted.
    public let resumedAtOffset: Int64?

    /// Makes a gap record.
    public init(
        topic: String, partition: Int32, expectedOffset: Int64, logStart: Int64?, logEnd: Int64?, reason: String, detectedAt: String,
        lastSeenAt: String, acceptedAt: String? = nil, acceptedBy: String? = nil, resumedAtOffset: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.expectedOffset = expectedOffset
        self.logStart = logStart
        self.logEnd = logEnd
        self.reason = reason
        self.detectedAt = detectedAt
        self.lastSeenAt = lastSeenAt
        self.acceptedAt = acceptedAt
        self.acceptedBy = acceptedBy
        self.resumedAtOffset = resumedAtOffset
    }

    /// How many records were skipped, when that is known: the log still had later records, so the
    /// records from the expected offset up to where reading resumed are gone. Nil when the log was
    /// recreated (it ends before the expected offset) or the gap is still open.
    public var skippedRecords: Int64? {
        guard let resumedAtOffset, resumedAtOffset >= expectedOffset else { return nil }
        return resumedAtOffset - expectedOffset
    }

    enum CodingKeys: String, CodingKey {
        case topic, partition, reason
        case expectedOffset = "expected_offset"
        case logStart = "log_start"
        case logEnd = "log_end"
        case detectedAt = "detected_at"
        case lastSeenAt = "last_seen_at"
        case acceptedAt = "accepted_at"
        case acceptedBy = "accepted_by"
        case resumedAtOffset = "resumed_at_offset"
    }
}
