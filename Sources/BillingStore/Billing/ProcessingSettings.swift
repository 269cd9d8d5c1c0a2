/// Where the outcomes of a batch go.
public struct ProcessingSettings: Sendable {
    /// The topic of billing events.
    public let eventsTopic: String
    /// The dead-letter topic.
    public let deadLetterTopic: String
    /// Dead-lettered payloads are cut to this size.
    public let maxDeadLetterPayloadBytes: Int
    /// The CloudEvents `source` of billing events.
    public let eventSource: String

    public init(eventsTopic: String, deadLetterTopic: String, maxDeadLetterPayloadBytes: Int, eventSource: String = "billingd") {
        self.eventsTopic = eventsTopic
        self.deadLetterTopic = deadLetterTopic
        self.maxDeadLetterPayloadBytes = maxDeadLetterPayloadBytes
        self.eventSource = eventSource
    }
}

/// What a batch did, for metrics and logs.
public struct BatchOutcome: Sendable, Equatable {
    public var invoicesIssued = 0
    public var paymentsRecorded = 0
    public var eventsWaiting = 0
    public var eventsReleased = 0
    public var duplicatesSkipped = 0
    /// Records dead-lettered for a broken billing rule or bad data, by reason code.
    public var rejections: [String: Int] = [:]
    /// Issued invoice numbers, in order.
    public var invoiceNumbers: [String] = []
    /// The outbox rows the batch added, in id order: once the batch is committed the relay may publish
    /// these without reading them back.
    public var outbox: [OutboxEntry] = []

    public init() {}
}
