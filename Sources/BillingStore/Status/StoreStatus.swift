/// A summary of the store for `billingctl status`.
public struct StoreStatus: Sendable, Codable, Equatable {
    /// One stored consumer offset.
    public struct Offset: Sendable, Codable, Equatable {
        public let topic: String
        public let partition: Int32
        public let nextOffset: Int64
        public let updatedAt: String
    }

    /// An invoice number series and its last sequence.
    public struct Series: Sendable, Codable, Equatable {
        public let series: String
        public let lastSequence: Int64
    }

    /// Reasons of dead letters with their counts.
    public struct ReasonCount: Sendable, Codable, Equatable {
        public let reason: String
        public let count: Int
    }

    /// Stored offsets, by topic and partition.
    public let offsets: [Offset]
    /// Partitions paused on an offset gap that no operator has accepted yet.
    public let gaps: [PartitionGap]
    /// Outbox rows not yet published.
    public let outboxPending: Int
    /// Outbox rows published.
    public let outboxPublished: Int
    /// The creation time of the oldest unpublished outbox row, if any.
    public let oldestPendingCreatedAt: String?
    /// Dead letters recorded in all.
    public let deadLetters: Int
    /// Dead letters by reason code.
    public let deadLettersByReason: [ReasonCount]
    /// Invoices issued in all.
    public let invoices: Int
    /// Events waiting for their order.
    public let waitingEvents: Int
    /// The last number of each invoice series.
    public let invoiceSeries: [Series]
    /// The applied schema migrations.
    public let migrations: [String]
}
