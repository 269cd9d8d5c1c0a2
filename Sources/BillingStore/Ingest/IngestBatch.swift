import BillingCore
import Foundation

/// Everything one consumed batch changes, written in one transaction so that a crash leaves either
/// all of it or none of it.
public struct IngestBatch: Sendable {
    /// The next offset of every partition the batch read from.
    public var offsets: [ConsumerOffset]
    /// Records rejected in this batch.
    public var deadLetters: [DeadLetter]
    /// Messages to publish once the transaction is durable (dead letters and billing events).
    public var outbox: [OutboundMessage]
    /// When the batch was processed.
    public var processedAt: Date

    /// Makes a batch record.
    public init(offsets: [ConsumerOffset], deadLetters: [DeadLetter] = [], outbox: [OutboundMessage] = [], processedAt: Date) {
        self.offsets = offsets
        self.deadLetters = deadLetters
        self.outbox = outbox
        self.processedAt = processedAt
    }
}
