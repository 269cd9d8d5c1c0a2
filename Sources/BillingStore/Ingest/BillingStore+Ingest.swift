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
    /// Not for use while batches are submitted and unconfirmed: its outbox rows take the next ids, which a
    /// batch decided on top of an unconfirmed one has numbered already (that batch would then fail).
    ///
    /// - Throws: a GRDB `DatabaseError` (disk full, I/O error, constraint); nothing is written then.
    public func recordBatch(_ batch: IngestBatch) async throws {
        var buffer = WriteBuffer()
        Self.record(batch, to: &buffer)
        try await write(buffer)
    }

    static let upsertOffset = PipelineStatement(
        """
        INSERT INTO consumer_offset (topic, partition, next_offset, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (topic, partition) DO UPDATE
        SET next_offset = max(next_offset, excluded.next_offset), updated_at = excluded.updated_at
        """)

    static let insertDeadLetter = PipelineStatement(
        """
        INSERT INTO dead_letter (source_topic, source_partition, source_offset, reason_code, reason, event_id, event_type, recorded_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING
        """)

    /// Appends the writes that record `batch` to `buffer`, in order.
    static func record(_ batch: IngestBatch, to buffer: inout WriteBuffer) {
        let at = RFC3339.format(batch.processedAt)
        for offset in batch.offsets {
            buffer.append(upsertOffset) {
                $0.text(offset.topic)
                $0.integer(offset.partition)
                $0.integer(offset.nextOffset)
                $0.text(at)
            }
        }
        for deadLetter in batch.deadLetters {
            buffer.append(insertDeadLetter) {
                $0.text(deadLetter.source.topic)
                $0.integer(deadLetter.source.partition)
                $0.integer(deadLetter.source.offset)
                $0.text(deadLetter.rejection.code)
                $0.text(deadLetter.rejection.description)
                $0.text(deadLetter.eventID)
                $0.text(deadLetter.eventType)
                $0.text(at)
            }
        }
        appendOutbox(batch.outbox, at: at, to: &buffer)
    }
}
