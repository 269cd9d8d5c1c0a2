import BillingCore
import Foundation
import GRDB

extension BillingStore {
    /// The stored next offset of every partition of these topics.
    ///
    /// - Throws: a GRDB `DatabaseError` when the read fails.
    public func nextOffsets(topics: [String]) throws -> [ConsumerOffset] {
        try pool.read { db in
            let placeholders = databaseQuestionMarks(count: topics.count)
            return try Row.fetchAll(
                db, sql: "SELECT topic, partition, next_offset FROM consumer_offset WHERE topic IN (\(placeholders)) ORDER BY topic, partition",
                arguments: StatementArguments(topics)
            ).map { ConsumerOffset(topic: $0["topic"], partition: $0["partition"], nextOffset: $0["next_offset"]) }
        }
    }

    /// Records one consumed batch: offsets, dead letters and outbox rows, in one write transaction.
    /// An offset never moves backwards: a stored offset ahead of the batch's wins.
    ///
    /// - Throws: a GRDB `DatabaseError` (disk full, I/O error, constraint); nothing is written then.
    public func recordBatch(_ batch: IngestBatch) async throws {
        try await pool.write { db in try Self.record(batch, db: db) }
    }

    static func record(_ batch: IngestBatch, db: Database) throws {
        try record(batch) { sql, values in try db.run(sql, values) }
    }

    /// Hands the statements that record `batch` to `run`, in order.
    static func record(_ batch: IngestBatch, run: (String, [SQLValue]) throws -> Void) rethrows {
        let at = RFC3339.format(batch.processedAt)
        for offset in batch.offsets {
            try run(
                """
                INSERT INTO consumer_offset (topic, partition, next_offset, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (topic, partition) DO UPDATE
                SET next_offset = max(next_offset, excluded.next_offset), updated_at = excluded.updated_at
                """,
                [.text(offset.topic), .integer(offset.partition), .integer(offset.nextOffset), .text(at)])
        }
        for deadLetter in batch.deadLetters {
            try run(
                """
                INSERT INTO dead_letter (source_topic, source_partition, source_offset, reason_code, reason, event_id, event_type, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING
                """,
                [
                    .text(deadLetter.source.topic), .integer(deadLetter.source.partition), .integer(deadLetter.source.offset),
                    .text(deadLetter.rejection.code), .text(deadLetter.rejection.description), .text(deadLetter.eventID),
                    .text(deadLetter.eventType), .text(at),
                ])
        }
        try appendOutbox(batch.outbox, at: at, run: run)
    }
}
