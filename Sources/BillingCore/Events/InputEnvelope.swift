import Foundation

/// A validated CloudEvents 1.0 envelope of an event billingd handles.
public struct InputEnvelope: Sendable, Equatable {
    /// The producer's event id; with `source` it identifies the event (CloudEvents §3.1).
    public let id: String
    /// The producing system.
    public let source: String
    /// The event type.
    public let type: InputEventType
    /// The subject, when given (often the order or payment id).
    public let subject: String?
    /// When the event happened, when given.
    public let time: Date?
    /// The event's data: always a JSON object.
    public let dataNode: JSONNode
    /// The identity used to recognise a repeated delivery: source and id together.
    public let eventKey: String

    init(id: String, source: String, type: InputEventType, subject: String?, time: Date?, dataNode: JSONNode) {
        self.id = id
        self.source = source
        self.type = type
        self.subject = subject
        self.time = time
        self.dataNode = dataNode
        self.eventKey = "\(source)#\(id)"
    }

    /// The event's data as a `JSONValue` tree.
    public var data: JSONValue { dataNode.value }
}
