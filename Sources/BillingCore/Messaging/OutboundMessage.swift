/// A header of an outbound message.
public struct MessageHeader: Hashable, Sendable, Codable {
    /// The header name.
    public let name: String
    /// The header value; `nil` for a header without one.
    public let value: [UInt8]?

    /// Makes a header from bytes.
    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// Makes a header from a UTF-8 string.
    public init(name: String, string: String) {
        self.init(name: name, value: Array(string.utf8))
    }
}

/// A message billingd will publish: written to the outbox in the same transaction as the change that
/// caused it, and sent by the relay after that transaction is durable.
public struct OutboundMessage: Hashable, Sendable {
    /// The destination topic.
    public let topic: String
    /// The record key (the customer id for billing events, so one customer's events stay in order).
    public let key: [UInt8]?
    /// The record value; `nil` only when forwarding a NULL payload to the dead-letter topic.
    public let value: [UInt8]?
    /// Record headers.
    public let headers: [MessageHeader]

    /// Makes an outbound message.
    public init(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [MessageHeader] = []) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
    }
}
