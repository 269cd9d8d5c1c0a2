import BillingCore

/// An outbox row waiting to be published.
public struct OutboxEntry: Sendable, Equatable {
    /// The row id; publication order follows it.
    public let id: Int64
    /// How many publication attempts failed so far.
    public let attempts: Int
    private let content: Content

    private enum Content: Sendable {
        case message(OutboundMessage)
        /// A billing event a batch has just stored, handed to the relay in the form its row keeps; the relay
        /// writes the envelope, so the batch's deciding thread does not.
        case event(topic: String, key: [UInt8], event: CompactOutboxEvent, time: String)
    }

    /// Makes an entry.
    public init(id: Int64, message: OutboundMessage, attempts: Int) {
        self.id = id
        self.content = .message(message)
        self.attempts = attempts
    }

    /// An entry for a billing event stored just now (never attempted), published as `outbox_message`
    /// assembles it from its row.
    init(id: Int64, topic: String, key: [UInt8], event: CompactOutboxEvent, time: String) {
        self.id = id
        self.content = .event(topic: topic, key: key, event: event, time: time)
        self.attempts = 0
    }

    /// What to publish. A billing event's envelope is written on each call: take it once per publication.
    public var message: OutboundMessage {
        switch content {
        case .message(let message):
            return message
        case .event(let topic, let key, let event, let time):
            let eventID = event.type.rawValue + "/" + event.subject
            return OutboundMessage(
                topic: topic, key: key,
                value: OutboundEnvelope.encoded(
                    id: eventID, source: event.source, type: event.type.rawValue, subject: event.subject, time: time, dataJSON: event.data),
                headers: [MessageHeader(name: "ce_type", string: event.type.rawValue), MessageHeader(name: "ce_id", string: eventID)])
        }
    }

    public static func == (lhs: OutboxEntry, rhs: OutboxEntry) -> Bool {
        lhs.id == rhs.id && lhs.attempts == rhs.attempts && lhs.message == rhs.message
    }
}
