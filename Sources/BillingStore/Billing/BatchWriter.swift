import BillingCore
import Foundation
import GRDB

/// The work of one batch inside its write transaction: reads the state each event needs, asks the pure
/// decisions in BillingCore what to do, and writes the result, the audit rows and the outbox rows.
///
/// Writes go to the `SQLPipeline`, which runs them on the other core while the decisions go on. Reads
/// see every earlier write: most of what the batch needs is read ahead from the committed state, the
/// state before the batch (`prefetch`), and seen through the batch's own changes (`BatchOverlay`); any
/// other read first waits for the pipeline (`query`, `settle`).
struct BatchWriter {
    let db: Database
    let pipeline: SQLPipeline
    /// The committed state, read beside the batch's writes.
    let reader: CommittedReader
    /// Writes not yet handed to the pipeline (handed over in groups, to wake its thread less often).
    var pending: WriteBuffer
    /// What the batch read ahead from the committed state.
    var start = BatchStart()
    /// What the batch changed, for its later events.
    var overlay = BatchOverlay()
    /// What the batch before changed, while it is not committed yet (this batch is decided on top of it);
    /// the read-ahead, which sees only committed state, may miss it. This batch's own changes win.
    let inherited: BatchChanges?
    let context: BillingContext
    let settings: ProcessingSettings
    let at: String
    /// Today in the company's time zone, computed once per batch.
    let today: BusinessDate
    var deadLetters: [DeadLetter] = []
    /// Outbox and audit rows gathered for multi-row inserts (`writeRows` writes the rest).
    var outboxRows = PendingRows(BatchWriter.insertOutbox)
    /// The id the next outbox row gets (ids are given here, so the batch knows its rows' ids).
    var nextOutboxID: Int64
    var auditRows = PendingRows(BatchWriter.insertAudit)
    var outcome = BatchOutcome()
    let cache: OrderCache
    let index: CommittedIndex
    /// Orders this batch created or changed; they reach the cache only after the commit.
    var changedOrders: [String: OrderRecord] = [:]
    /// Orders this batch placed and not written yet, in the order placed: each is written once, as it
    /// stands when an invoice first refers to it or at the end of the batch (`writeNewOrders`), so that
    /// an order placed and shipped in one batch is an insert and not an insert and an update.
    var newOrders: [String: NewOrder] = [:]
    var newOrderIDs: [String] = []
    /// Invoice series this batch created, and orders whose waiting events it added or released.
    var createdSeries: Set<String> = []
    var waitingAdded: Set<String> = []
    var waitingReleased: Set<String> = []
    /// The last invoice sequence this batch took, per series (written back before the commit); it starts
    /// from the batch before's when that is not committed yet.
    var lastSequences: [String: Int64]

    init(
        db: Database, pipeline: SQLPipeline, reader: CommittedReader, context: BillingContext, settings: ProcessingSettings, cache: OrderCache,
        index: CommittedIndex, nextOutboxID: Int64, inherited: BatchChanges? = nil
    ) {
        self.inherited = inherited
        self.lastSequences = inherited?.lastSequences ?? [:]
        self.db = db
        self.pipeline = pipeline
        self.pending = pipeline.emptyBuffer()
        self.nextOutboxID = nextOutboxID
        self.reader = reader
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
        let fingerprint = ContentFingerprint.of(event.record.value ?? [])
        guard try !processedBefore(key) else {
            if let conflict = try conflictingRepeat(of: event, fingerprint: fingerprint) {
                return try reject(event, conflict)
            }
            outcome.duplicatesSkipped += 1
            return
        }
        overlay.handledKeys.insert(key)
        // A plain insert: were the id stored already, the batch would fail and roll back, never skip it.
        let at = self.at
        write(Self.insertProcessedEvent) {
            $0.text(key)
            $0.text(position.topic)
            $0.integer(position.partition)
            $0.integer(position.offset)
            $0.text(at)
            $0.integer(fingerprint)
        }
        try dispatch(event)
    }

    /// For an event whose id was processed before: the conflict, when the first one's bytes were
    /// different (an exact repeat is a silent, counted no-op). Rare, so read directly.
    private mutating func conflictingRepeat(of event: SourcedEvent, fingerprint: Int64) throws -> EventRejection? {
        var stored: Int64?
        var position = ""
        try query(Self.selectProcessedFingerprint.sql, [.text(event.envelope.eventKey)]) {
            stored = $0.isNull(0) ? nil : $0.integer(0)
            position = "\($0.text(1))[\($0.integer(2))]@\($0.integer(3))"
        }
        guard let stored, stored != fingerprint else { return nil }
        return .conflictingDuplicate(
            "event id \(event.envelope.id)", storedEventKey: "\(event.envelope.eventKey) at \(position)", eventKey: event.envelope.eventKey,
            difference: "the same event id carries other bytes")
    }

    /// Whether an event with this key was processed, by an earlier batch or earlier in this one.
    private mutating func processedBefore(_ key: String) throws -> Bool {
        if inherited?.overlay.handledKeys.contains(key) == true { return true }
        return try exists(
            key, addedByBatch: overlay.handledKeys, readAhead: start.checkedKeys, foundAhead: start.processedKeys,
            query: Self.selectProcessedEvent)
    }

    /// Whether a row with this key exists: one this batch added, else what was read ahead, else what
    /// `query` finds in the batch so far.
    mutating func exists(_ key: String, addedByBatch: Set<String>, readAhead: Set<String>, foundAhead: Set<String>, query sql: PipelineStatement) throws -> Bool {
        if addedByBatch.contains(key) { return true }
        if readAhead.contains(key) { return foundAhead.contains(key) }
        return try rowExists(sql, key, current: true)
    }

    /// Whether `sql` (with `key` as its one argument) finds a row: as committed, or with `current` in
    /// the batch so far.
    mutating func rowExists(_ sql: PipelineStatement, _ key: String, current: Bool) throws -> Bool {
        var found = false
        try lookup(sql, [.text(key)], current: current) { _ in found = true }
        return found
    }

    /// A prepared statement, compiled once per connection and reused. Only for reads after `settle`.
    func statement(_ sql: String) throws -> Statement {
        try db.cachedStatement(sql: sql)
    }

    /// What this batch changed, for the caches once it is committed and for the next batch until then.
    var changes: BatchChanges {
        BatchChanges(
            overlay: overlay, orders: changedOrders, lastSequences: lastSequences, createdSeries: createdSeries, waitingAdded: waitingAdded,
            waitingReleased: waitingReleased, nextOutboxID: nextOutboxID)
    }

    /// Queues a write for the pipeline; `body` appends its values in parameter order.
    mutating func write(
        _ statement: PipelineStatement, expecting expectation: WriteBuffer.Expectation? = nil, _ body: (inout WriteBuffer.Values) -> Void
    ) {
        pending.append(statement, expecting: expectation, body)
        flushWhenFull()
    }

    /// Hands the queued writes over once there are enough of them to be worth waking the pipeline for.
    mutating func flushWhenFull() {
        if pending.byteCount >= 16 * 1024 { flush() }
    }

    /// Hands the queued writes to the pipeline.
    mutating func flush() {
        guard !pending.isEmpty else { return }
        pipeline.submit(pending)
        pending = pipeline.emptyBuffer()
    }

    /// Waits until every write so far has run, so this thread may use the connection.
    ///
    /// - Throws: the `DatabaseError` of a failed write; the batch then rolls back.
    mutating func settle() throws {
        flush()
        try pipeline.drain()
    }

    /// Runs a read that sees every earlier write of the batch.
    mutating func query(_ sql: String, _ values: [SQLValue], row: (RawRow) throws -> Void) throws {
        try settle()
        try db.each(sql, values, row: row)
    }

    /// Runs a read on the committed state (without waiting for the batch's writes), or with `current`
    /// on the state after the batch's writes so far.
    mutating func lookup(_ sql: PipelineStatement, _ values: [SQLValue], current: Bool, row: (RawRow) throws -> Void) throws {
        if current {
            try query(sql.sql, values, row: row)
        } else {
            try reader.each(sql, values, row: row)
        }
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
        enqueue(letter.message(
            topic: settings.deadLetterTopic, originalKey: event.record.key, originalValue: event.record.value,
            originalHeaders: event.record.headers, sourceTimestampMilliseconds: event.record.timestampMilliseconds,
            rejectedAt: context.now, maxValueBytes: settings.maxDeadLetterPayloadBytes))
        outcome.rejections[rejection.code, default: 0] += 1
        try audit(entity: "event", id: event.envelope.eventKey, action: "rejected", detail: ["detail": rejection.description, "reason": rejection.code], event: event)
    }

    /// Adds one audit row; full chunks of 64 rows are written as the batch goes, the rest by `writeRows`.
    /// `detail` lists its members in sorted key order, as the JSON has them.
    mutating func audit(entity: StaticString, id: String, action: StaticString, detail: KeyValuePairs<String, String>, event: SourcedEvent?) throws {
        let at = self.at
        auditRows.add(into: &pending) {
            $0.text(at)
            $0.text(entity)
            $0.text(id)
            $0.text(action)
            $0.text { JSONValue.writeSortedStringObject(detail.lazy.map { ($0.key, $0.value) }, into: &$0) }
            $0.text(event?.envelope.eventKey)
            $0.text(event?.record.position.topic)
            $0.integer(event?.record.position.partition)
            $0.integer(event?.record.position.offset)
        }
        flushWhenFull()
    }

    /// Adds one outbox row for a message stored as it is (a dead letter); full chunks of 64 rows are written
    /// as the batch goes, the rest by `writeRows`.
    mutating func enqueue(_ message: OutboundMessage) {
        let at = self.at
        let id = nextOutboxID
        nextOutboxID += 1
        outcome.outbox.append(OutboxEntry(id: id, message: message, attempts: 0))
        outboxRows.add(into: &pending) {
            $0.integer(id)
            BillingStore.outboxRow(message, at: at, into: &$0)
            // No billing event: document_number, event_type, event_subject and event_source stay NULL.
            for _ in 0..<4 { $0.null() }
        }
        flushWhenFull()
    }

    /// Writes the audit and outbox rows gathered since their last full chunk.
    mutating func writeRows() {
        auditRows.flush(into: &pending)
        outboxRows.flush(into: &pending)
        flushWhenFull()
    }

    /// Queues a billing event, keyed by customer, whose data is already JSON; its id is `type/subject`.
    /// With `documentNumber` the data is that invoice document, stored already, and the outbox row does
    /// not repeat it.
    ///
    /// The row stores the event in its compact form: its data (or only the name of the invoice document
    /// that is its data) and the envelope's fields, from which the view `outbox_message` rebuilds the
    /// message's bytes and headers. The relay is handed the same form and writes the envelope itself, off
    /// this thread.
    mutating func publish(type: OutboundEventType, subject: String, customerID: String, dataJSON: [UInt8], documentNumber: String? = nil) {
        let at = self.at
        let id = nextOutboxID
        nextOutboxID += 1
        let topic = settings.eventsTopic
        let key = Array(customerID.utf8)
        let event = CompactOutboxEvent(type: type, subject: subject, source: settings.eventSource, data: dataJSON, documentNumber: documentNumber)
        outcome.outbox.append(OutboxEntry(id: id, topic: topic, key: key, event: event, time: at))
        outboxRows.add(into: &pending) {
            $0.integer(id)
            BillingStore.outboxRow(topic: topic, key: key, event: event, at: at, into: &$0)
            $0.text(documentNumber)
            $0.text(type.rawValue)
            $0.text(subject)
            $0.text(event.source)
        }
        flushWhenFull()
    }

    /// The event's data as its type (read now unless the classifier read it already); when it does not
    /// fit, dead-letters the event as `invalid_data` (naming the field) and returns nil. `kind` picks the
    /// type out of the body (a closure, not a key path: a key path is projected through the runtime, and
    /// copied the body on every event).
    @inline(__always)
    mutating func read<Value>(_ event: SourcedEvent, as kind: (borrowing EventBody) -> Value?) throws -> Value? {
        if let body = event.body, let value = kind(body) { return value }
        return try readSlowly(event, as: kind)
    }

    /// `read` when the body was not read yet, or is not of the type: reads it, or rejects the event.
    private mutating func readSlowly<Value>(_ event: SourcedEvent, as kind: (borrowing EventBody) -> Value?) throws -> Value? {
        let body = event.body ?? EventBody(event.envelope, defaultPaymentTermDays: context.defaultPaymentTermDays)
        if case .invalid(let error) = body {
            try reject(event, .invalidData(type: event.envelope.type.rawValue, detail: error.description))
            return nil
        }
        guard let value = kind(body) else {
            // A programming error: the batch rolls back and is held rather than losing the event.
            throw EventBodyMismatch(eventKey: event.envelope.eventKey, type: event.envelope.type.rawValue)
        }
        return value
    }
}

extension BatchWriter {
    static let selectProcessedEvent = PipelineStatement("SELECT 1 FROM processed_event WHERE event_key = ?")

    static let insertProcessedEvent = PipelineStatement(
        "INSERT INTO processed_event (event_key, source_topic, source_partition, source_offset, processed_at, fingerprint) VALUES (?, ?, ?, ?, ?, ?)")
    static let selectProcessedFingerprint = PipelineStatement(
        "SELECT fingerprint, source_topic, source_partition, source_offset FROM processed_event WHERE event_key = ?")

    static let insertOutbox = MultiRowInsert(
        prefix: """
            INSERT INTO outbox (id, topic, message_key, payload, headers, created_at, document_number, event_type, event_subject, event_source) \
            VALUES
            """, columns: 10, chunk: 64)

    static let insertAudit = MultiRowInsert(
        prefix: "INSERT INTO audit_log (recorded_at, entity_type, entity_id, action, detail, event_key, source_topic, source_partition, source_offset) VALUES",
        columns: 9, chunk: 64)
}

/// An event reached a handler with data read as another type (a bug, never input's fault).
struct EventBodyMismatch: Error, CustomStringConvertible {
    let eventKey: String
    let type: String
    var description: String { "event \(eventKey) of type \(type) reached the wrong handler" }
}
