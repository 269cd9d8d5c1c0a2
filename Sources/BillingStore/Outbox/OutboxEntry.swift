import BillingCore

/// An outbox row waiting to be published.
public struct OutboxEntry: Sendable, Equatable {
    /// The row id; publication order follows it.
    public let id: Int64
    /// What to publish.
    public let message: OutboundMessage
    /// How many publication attempts failed so far.
    public let attempts: Int

    /// Makes an entry.
    public init(id: Int64, message: OutboundMessage, attempts: Int) {
        self.id = id
        self.message = message
        self.attempts = attempts
    }
}
