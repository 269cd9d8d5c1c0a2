/// A record that failed envelope decoding: the reason, plus what could be read of its identity.
public struct EnvelopeFailure: Error, Sendable, Equatable {
    /// Why the record was rejected.
    public let rejection: EventRejection
    /// The CloudEvents `id`, when the record had a readable one.
    public let eventID: String?
    /// The CloudEvents `type`, when the record had a readable one.
    public let eventType: String?

    /// Makes a failure.
    public init(rejection: EventRejection, eventID: String? = nil, eventType: String? = nil) {
        self.rejection = rejection
        self.eventID = eventID
        self.eventType = eventType
    }
}
