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
        let at = RFC3339.format(batch.processedAt)
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO consumer_offset (topic, partition, next_offset, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (topic, partition) DO UPDATE
            SET next_offset = max(next_offset, excluded.next_offset), updated_at = excluded.updated_at
            """)
        for offset in batch.offsets {
            try upsert.execute(arguments: [offset.topic, offset.partition, offset.nextOffset, at])
        }
        let letter = try db.cachedStatement(sql: """
            INSERT INTO dead_letter (source_topic, source_partition, source_offset, reason_code, reason, event_id, event_type, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING
            """)
        for deadLetter in batch.deadLetters {
            try letter.execute(arguments: [
                deadLetter.source.topic, deadLetter.source.partition, deadLetter.source.offset,
                deadLetter.rejection.code, deadLetter.rejection.description,
                deadLetter.eventID, deadLetter.eventType, at,
            ])
        }
        try Self.appendOutbox(batch.outbox, at: at, db: db)
    }
}
