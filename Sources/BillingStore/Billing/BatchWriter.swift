import BillingCore
import Foundation
import GRDB

/// The work of one batch inside its write transaction: reads the state each event needs, asks the pure
/// decisions in BillingCore what to do, and writes the result, the audit rows and the outbox rows.
struct BatchWriter {
    let db: Database
    let context: BillingContext
    let settings: ProcessingSettings
    let at: String
    /// Today in the company's time zone, computed once per batch.
    let today: BusinessDate
    var deadLetters: [DeadLetter] = []
    var outbox: [OutboundMessage] = []
    var outcome = BatchOutcome()
    let cache: OrderCache
    let index: CommittedIndex
    /// Orders this batch created or changed; they reach the cache only after the commit.
    var changedOrders: [String: OrderRecord] = [:]
    /// Invoice series this batch created, and orders whose waiting events it added or released.
    var createdSeries: Set<String> = []
    var waitingAdded: Set<String> = []
    var waitingReleased: Set<String> = []
    /// The last invoice sequence this batch took, per series (written back before the commit).
    var lastSequences: [String: Int64] = [:]
    /// Audit rows of this batch, in the order of the changes.
    var auditRows: [[SQLValue]] = []

    init(db: Database, context: BillingContext, settings: ProcessingSettings, cache: OrderCache, index: CommittedIndex) {
        self.db = db
        self.cache = cache
        self.index = index
        self.context = context
        self.settings = settings
        self.at = RFC3339.format(context.now)
        self.today = context.today
    }

    /// Handles one event unless its id was processed before.
    mutating func handle(_ event: SourcedEvent) throws {
        let key = event.envelope.eventKey
        let position = event.record.position
        // One statement both checks and records the id: no row inserted means it was seen before.
        try db.run(
            "INSERT INTO processed_event (event_key, source_topic, source_partition, source_offset, processed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_key) DO NOTHING",
            [.text(key), .text(position.topic), .integer(position.partition), .integer(position.offset), .text(at)])
        guard db.changesCount == 1 else {
            outcome.duplicatesSkipped += 1
            return
        }
        try dispatch(event)
    }

    /// A prepared statement, compiled once per connection and reused.
    func statement(_ sql: String) throws -> Statement {
        try db.cachedStatement(sql: sql)
    }

    /// Routes an event to its handler (also used for events released from waiting).
    mutating func dispatch(_ event: SourcedEvent) throws {
        switch event.envelope.type {
        case .orderPlaced: try handlePlaced(event)
        case .orderAmended: try handleAmended(event)
        case .orderCancelled: try handleCancelled(event)
        case .orderFulfilled: try handleFulfilled(event)
        case .paymentReceived: try handlePayment(event)
        }
    }

    /// Sends the event's record to the dead-letter topic with `rejection`.
    mutating func reject(_ event: SourcedEvent, _ rejection: EventRejection) throws {
        let letter = DeadLetter(source: event.record.position, rejection: rejection, eventID: event.envelope.id, eventType: event.envelope.type.rawValue)
        deadLetters.append(letter)
        outbox.append(letter.message(
            topic: settings.deadLetterTopic, originalKey: event.record.key, originalValue: event.record.value,
            originalHeaders: event.record.headers, sourceTimestampMilliseconds: event.record.timestampMilliseconds,
            rejectedAt: context.now, maxValueBytes: settings.maxDeadLetterPayloadBytes))
        outcome.rejections[rejection.code, default: 0] += 1
        try audit(entity: "event", id: event.envelope.eventKey, action: "rejected", detail: ["reason": rejection.code, "detail": rejection.description], event: event)
    }

    /// Adds one audit row; the batch's rows are written together, in order, before the commit.
    mutating func audit(entity: String, id: String, action: String, detail: KeyValuePairs<String, String>, event: SourcedEvent?) throws {
        let json = JSONValue.stringObjectJSON(detail.map { ($0.key, $0.value) })
        auditRows.append([
            .text(at), .text(entity), .text(id), .text(action), .text(json), .text(event?.envelope.eventKey),
            .text(event?.record.position.topic), .integer(event?.record.position.partition), .integer(event?.record.position.offset),
        ])
    }

    /// Writes the batch's audit rows.
    func writeAudit() throws {
        try MultiRowInsert(
            prefix: "INSERT INTO audit_log (recorded_at, entity_type, entity_id, action, detail, event_key, source_topic, source_partition, source_offset) VALUES",
            columns: 9, chunk: 64
        ).insert(auditRows, db: db)
    }

    /// Queues a billing event for publication, keyed by customer.
    mutating func publish(type: OutboundEventType, id: String, subject: String, customerID: String, data: JSONValue) {
        publish(type: type, id: id, subject: subject, customerID: customerID, dataJSON: data.jsonBytes)
    }

    /// Queues a billing event whose data is already JSON.
    mutating func publish(type: OutboundEventType, id: String, subject: String, customerID: String, dataJSON: [UInt8]) {
        let eventID = "\(type.rawValue)/\(id)"
        let value = OutboundEnvelope.encoded(id: eventID, source: settings.eventSource, type: type.rawValue, subject: subject, time: at, dataJSON: dataJSON)
        outbox.append(OutboundMessage(
            topic: settings.eventsTopic, key: Array(customerID.utf8), value: value,
            headers: [MessageHeader(name: "ce_type", string: type.rawValue), MessageHeader(name: "ce_id", string: eventID)]))
    }

    /// The event's data as its type (read now unless the classifier read it already); when it does not
    /// fit, dead-letters the event as `invalid_data` (naming the field) and returns nil.
    mutating func read<Value>(_ event: SourcedEvent, as kind: KeyPath<EventBody, Value?>) throws -> Value? {
        let body = event.body ?? EventBody(event.envelope, defaultPaymentTermDays: context.defaultPaymentTermDays)
        if case .invalid(let error) = body {
            try reject(event, .invalidData(type: event.envelope.type.rawValue, detail: error.description))
            return nil
        }
        guard let value = body[keyPath: kind] else {
            // A programming error: the batch rolls back and is held rather than losing the event.
            throw EventBodyMismatch(eventKey: event.envelope.eventKey, type: event.envelope.type.rawValue)
        }
        return value
    }
}

/// An event reached a handler with data read as another type (a bug, never input's fault).
struct EventBodyMismatch: Error, CustomStringConvertible {
    let eventKey: String
    let type: String
    var description: String { "event \(eventKey) of type \(type) reached the wrong handler" }
}
