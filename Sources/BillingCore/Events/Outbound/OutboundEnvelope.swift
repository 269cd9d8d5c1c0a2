import Foundation

/// A billing event as published: a CloudEvents 1.0 structured JSON envelope around typed data.
public struct OutboundEnvelope<Payload: Encodable & Sendable>: Encodable, Sendable {
    public let specversion = "1.0"
    /// Deterministic (`invoice.issued/INV-2026-000001`), so a republish after a crash carries the same id.
    public let id: String
    public let source: String
    public let type: String
    public let subject: String
    public let time: String
    public let datacontenttype = "application/json"
    public let data: Payload

    public init(id: String, source: String, type: String, subject: String, time: Date, data: Payload) {
        self.id = id
        self.source = source
        self.type = type
        self.subject = subject
        self.time = RFC3339.format(time)
        self.data = data
    }

    /// The JSON bytes, keys sorted so the same event always encodes the same.
    ///
    /// - Throws: an `EncodingError` (not expected for our types).
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }
}

/// The billing event types billingd publishes.
public enum OutboundEventType: String, Sendable, CaseIterable {
    case invoiceIssued = "invoice.issued"
    case paymentApplied = "payment.applied"
    case invoicePaid = "invoice.paid"
}
