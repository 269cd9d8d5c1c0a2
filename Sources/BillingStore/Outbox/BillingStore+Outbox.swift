import BillingCore
import Foundation
import GRDB

extension BillingStore {
    static let insertOutbox = MultiRowInsert(prefix: "INSERT INTO outbox (topic, message_key, payload, headers, created_at) VALUES", columns: 5, chunk: 64)

    /// Appends the writes that add `messages` to the outbox, in order.
    static func appendOutbox(_ messages: [OutboundMessage], at: String, to buffer: inout WriteBuffer) {
        var rows = PendingRows(insertOutbox)
        for message in messages {
            rows.add(into: &buffer) { outboxRow(message, at: at, into: &$0) }
        }
        rows.flush(into: &buffer)
    }

    /// The values of one outbox row, in the column order of `insertOutbox`: the message as it is.
    static func outboxRow(_ message: OutboundMessage, at: String, into values: inout WriteBuffer.Values) {
        values.text(message.topic)
        values.blob(message.key)
        values.blob(message.value)
        StoredHeaders.write(message.headers, into: &values)
        values.text(at)
    }

    /// The values of one outbox row, in the column order of `insertOutbox`, for a billing event in its
    /// compact form: its payload is its data (NULL when that is the named invoice document), and the view
    /// `outbox_message` writes its envelope and headers.
    static func outboxRow(topic: String, key: [UInt8], event: CompactOutboxEvent, at: String, into values: inout WriteBuffer.Values) {
        values.text(topic)
        values.blob(key)
        values.blob(event.documentNumber == nil ? event.data : nil)
        StoredHeaders.write([], into: &values)
        values.text(at)
    }

    /// The oldest unpublished outbox rows after `cursor` (and after the stored publication cursor), in
    /// id order.
    ///
    /// - Throws: a GRDB `DatabaseError` when the read fails, or a decoding error for a corrupt header column.
    public func unpublishedOutbox(after cursor: Int64 = 0, limit: Int) async throws -> [OutboxEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, topic, message_key, payload, headers, publish_attempts FROM outbox_message
                        WHERE id > max(?, (SELECT published_through FROM outbox_cursor)) ORDER BY id LIMIT ?
                        """),
                arguments: [cursor, limit]
            ).map { row in
                let key: Data? = row["message_key"]
                let payload: Data? = row["payload"]
                return OutboxEntry(
                    id: row["id"],
                    message: OutboundMessage(
                        topic: row["topic"], key: key.map { Array($0) }, value: payload.map { Array($0) },
                        headers: try StoredHeaders.decode(row["headers"])),
                    attempts: row["publish_attempts"])
            }
        }
    }

    /// Records that every row up to and including `id` is published (their delivery reports arrived).
    /// The cursor never moves back.
    ///
    /// - Throws: a GRDB `DatabaseError`; the rows are then published again later, with the same content.
    public func markPublished(through id: Int64, at: Date) async throws {
        let stamp = RFC3339.format(at)
        var buffer = WriteBuffer()
        buffer.append(Self.advanceCursor) {
            $0.integer(id)
            $0.text(stamp)
            $0.integer(id)
        }
        try await write(buffer)
    }

    /// How many outbox rows are not published yet (counted by id, as `progress` does).
    ///
    /// - Throws: a GRDB `DatabaseError`.
    public func unpublishedCount() async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(
                db, sql: "SELECT max(0, coalesce((SELECT max(id) FROM outbox), 0) - (SELECT published_through FROM outbox_cursor))") ?? 0
        }
    }

    static let advanceCursor = PipelineStatement("UPDATE outbox_cursor SET published_through = ?, updated_at = ? WHERE published_through < ?")
    static let countPublishFailure = PipelineStatement("UPDATE outbox SET publish_attempts = publish_attempts + 1, last_error = ? WHERE id = ?")

    /// Counts a failed publication attempt on rows that stay unpublished.
    ///
    /// - Throws: a GRDB `DatabaseError`.
    public func recordPublishFailure(ids: [Int64], error: String) async throws {
        guard !ids.isEmpty else { return }
        var buffer = WriteBuffer()
        for id in ids {
            buffer.append(Self.countPublishFailure) {
                $0.text(error)
                $0.integer(id)
            }
        }
        try await write(buffer)
    }
}

/// A billing event as its outbox row keeps it: the envelope's fields and its data, or the invoice document
/// that is its data. Its time is the row's `created_at`, its id `type/subject`.
struct CompactOutboxEvent {
    let type: OutboundEventType
    let subject: String
    let source: String
    let data: [UInt8]
    let documentNumber: String?
}
