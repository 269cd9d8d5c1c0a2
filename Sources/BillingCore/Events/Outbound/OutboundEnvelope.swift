import Foundation

/// A billing event as published: a CloudEvents 1.0 structured JSON envelope around its data.
public struct OutboundEnvelope: Sendable {
    /// Deterministic (`invoice.issued/INV-2026-000001`), so a republish after a crash carries the same id.
    public let id: String
    public let source: String
    public let type: String
    public let subject: String
    public let time: String
    public let data: JSONValue

    public init(id: String, source: String, type: String, subject: String, time: String, data: JSONValue) {
        self.id = id
        self.source = source
        self.type = type
        self.subject = subject
        self.time = time
        self.data = data
    }

    /// The JSON bytes, keys sorted so the same event always encodes the same.
    public func encoded() -> [UInt8] {
        Self.encoded(id: id, source: source, type: type, subject: subject, time: time, dataJSON: data.jsonBytes)
    }
}

/// The billing event types billingd publishes.
public enum OutboundEventType: String, Sendable, CaseIterable {
    case invoiceIssued = "invoice.issued"
    case paymentApplied = "payment.applied"
    case invoicePaid = "invoice.paid"
}
