/// An input record as it came off the log: enough to dead-letter it faithfully later.
public struct InputRecord: Sendable, Equatable {
    public let position: LogPosition
    public let key: [UInt8]?
    public let value: [UInt8]?
    public let headers: [MessageHeader]
    public let timestampMilliseconds: Int64?

    public init(position: LogPosition, key: [UInt8]?, value: [UInt8]?, headers: [MessageHeader], timestampMilliseconds: Int64?) {
        self.position = position
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }
}

/// A record whose envelope decoded: ready for the billing decisions.
///
/// A class: an event (record, envelope and typed data, several hundred bytes and a few dozen references)
/// is handed from stage to stage and handler to handler, and each hand-over of a struct that size copied
/// it and retained every reference in it.
public final class SourcedEvent: Sendable, Equatable {
    public let record: InputRecord
    public let envelope: InputEnvelope
    /// The data already read (`EventBody(envelope, defaultPaymentTermDays:)`), or nil to read it when
    /// it is processed.
    public let body: EventBody?
    /// The data as compact JSON when already written (orders keep theirs), else nil.
    private let preparedDataJSON: String?

    public init(record: InputRecord, envelope: InputEnvelope, body: EventBody? = nil, dataJSON: String? = nil) {
        self.record = record
        self.envelope = envelope
        self.body = body
        self.preparedDataJSON = dataJSON
    }

    /// The event's data as compact JSON with sorted keys.
    public var dataJSON: String { preparedDataJSON ?? envelope.dataNode.jsonString }

    /// An event with the work that needs no stored state done ahead of the store transaction: its data
    /// read into its type and, for orders (stored with their data), the data's JSON written.
    public static func prepared(record: InputRecord, envelope: InputEnvelope, defaultPaymentTermDays: Int) -> SourcedEvent {
        let storesData = envelope.type == .orderPlaced || envelope.type == .orderAmended
        return SourcedEvent(
            record: record, envelope: envelope, body: EventBody(envelope, defaultPaymentTermDays: defaultPaymentTermDays),
            dataJSON: storesData ? envelope.dataNode.jsonString : nil)
    }

    public static func == (lhs: SourcedEvent, rhs: SourcedEvent) -> Bool {
        lhs === rhs
            || (lhs.record == rhs.record && lhs.envelope == rhs.envelope && lhs.body == rhs.body && lhs.preparedDataJSON == rhs.preparedDataJSON)
    }
}
