import BillingCore
import Foundation
import GRDB

extension BillingStore {
    static func appendOutbox(_ messages: [OutboundMessage], at: String, db: Database) throws {
        guard !messages.isEmpty else { return }
        try MultiRowInsert(prefix: "INSERT INTO outbox (topic, message_key, payload, headers, created_at) VALUES", columns: 5, chunk: 64)
            .insert(
                try messages.map { message in
                    [message.topic, message.key.map { Data($0) }, message.value.map { Data($0) }, try StoredHeaders.encode(message.headers), at]
                }, db: db)
    }

    /// The oldest unpublished outbox rows after `cursor`, in id order.
    ///
    /// - Throws: a GRDB `DatabaseError` when the read fails, or a decoding error for a corrupt header column.
    public func unpublishedOutbox(after cursor: Int64 = 0, limit: Int) async throws -> [OutboxEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT id, topic, message_key, payload, headers, publish_attempts FROM outbox WHERE published_at IS NULL AND id > ? ORDER BY id LIMIT ?"),
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

    /// Marks rows as published (their delivery reports arrived).
    ///
    /// - Throws: a GRDB `DatabaseError`; the rows are then published again later, with the same content.
    public func markPublished(ids: [Int64], at: Date) async throws {
        guard !ids.isEmpty else { return }
        let stamp = RFC3339.format(at)
        let ranges = Self.contiguousRanges(ids)
        try await pool.write { db in
            // A relay round is a run of consecutive unpublished rows: usually one statement marks it all.
            let update = try db.cachedStatement(
                sql: "UPDATE outbox SET published_at = ?, last_error = NULL WHERE id BETWEEN ? AND ? AND published_at IS NULL")
            for range in ranges { try update.execute(arguments: [stamp, range.lowerBound, range.upperBound]) }
        }
    }

    /// The ids as runs of consecutive values, e.g. [3, 4, 5, 9] → [3...5, 9...9].
    static func contiguousRanges(_ ids: [Int64]) -> [ClosedRange<Int64>] {
        var ranges: [ClosedRange<Int64>] = []
        for id in ids.sorted() {
            if let last = ranges.last, last.upperBound + 1 == id {
                ranges[ranges.count - 1] = last.lowerBound...id
            } else if ranges.last?.contains(id) != true {
                ranges.append(id...id)
            }
        }
        return ranges
    }

    /// Counts a failed publication attempt on rows that stay unpublished.
    ///
    /// - Throws: a GRDB `DatabaseError`.
    public func recordPublishFailure(ids: [Int64], error: String) async throws {
        guard !ids.isEmpty else { return }
        try await pool.write { db in
            let update = try db.cachedStatement(sql: "UPDATE outbox SET publish_attempts = publish_attempts + 1, last_error = ? WHERE id = ?")
            for id in ids { try update.execute(arguments: [error, id]) }
        }
    }
}
