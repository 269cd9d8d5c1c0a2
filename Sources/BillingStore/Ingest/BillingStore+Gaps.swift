import BillingCore
import Foundation
import GRDB

extension BillingStore {
    /// Records an offset gap, or refreshes the partition's open one (its bounds and last sighting).
    ///
    /// - Returns: whether the partition had no open gap before (a new gap, to report).
    /// - Throws: `StoreError.readOnly` on a read-only store, else a GRDB `DatabaseError`.
    @discardableResult
    public func recordGap(
        topic: String, partition: Int32, expectedOffset: Int64, logStart: Int64?, logEnd: Int64?, reason: String, at date: Date
    ) async throws -> Bool {
        let at = RFC3339.format(date)
        return try await administrativeWrite { db in
            let open = try Int64.fetchOne(
                db, sql: "SELECT expected_offset FROM partition_gap WHERE topic = ? AND partition = ? AND accepted_at IS NULL",
                arguments: [topic, partition])
            try Self.upsertGap(
                db, topic: topic, partition: partition, expectedOffset: expectedOffset, logStart: logStart, logEnd: logEnd, reason: reason, at: at)
            return open == nil
        }
    }

    /// Opens a gap for the partition, or refreshes its open one (expected offset, bounds, reason, last
    /// sighting).
    static func upsertGap(
        _ db: Database, topic: String, partition: Int32, expectedOffset: Int64, logStart: Int64?, logEnd: Int64?, reason: String, at: String
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO partition_gap (topic, partition, expected_offset, log_start, log_end, reason, detected_at, last_seen_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (topic, partition) WHERE accepted_at IS NULL DO UPDATE
                SET expected_offset = excluded.expected_offset, log_start = excluded.log_start, log_end = excluded.log_end,
                    reason = excluded.reason, last_seen_at = excluded.last_seen_at
                """,
            arguments: [topic, partition, expectedOffset, logStart, logEnd, reason, at, at])
    }

    /// The gaps no operator has accepted yet, by topic and partition.
    ///
    /// - Throws: a GRDB `DatabaseError` when the read fails.
    public func openGaps() throws -> [PartitionGap] {
        try pool.read { db in try Self.openGaps(db) }
    }

    static func openGaps(_ db: Database) throws -> [PartitionGap] {
        let sql = """
            SELECT topic, partition, expected_offset, log_start, log_end, reason, detected_at, last_seen_at, accepted_at, accepted_by,
                   resumed_at_offset
            FROM partition_gap WHERE accepted_at IS NULL ORDER BY topic, partition
            """
        return try Row.fetchAll(db, sql: sql).map {
            PartitionGap(
                topic: $0["topic"], partition: $0["partition"], expectedOffset: $0["expected_offset"], logStart: $0["log_start"],
                logEnd: $0["log_end"], reason: $0["reason"], detectedAt: $0["detected_at"], lastSeenAt: $0["last_seen_at"],
                acceptedAt: $0["accepted_at"], acceptedBy: $0["accepted_by"], resumedAtOffset: $0["resumed_at_offset"])
        }
    }

    /// An operator accepts a partition's open gap: reading resumes at `resumeAt` (the log's start as the
    /// broker reports it now), and the audit log records who, when, and the range skipped, in the same
    /// transaction.
    ///
    /// - Throws: `StoreError.noOpenGap` when the partition has no open gap, `StoreError.readOnly` on a
    ///   read-only store, else a GRDB `DatabaseError`; nothing is written then.
    public func acceptGap(topic: String, partition: Int32, resumeAt: Int64, logEnd: Int64?, by operatorName: String, at date: Date) async throws -> PartitionGap {
        let at = RFC3339.format(date)
        return try await administrativeWrite { db in
            guard let open = try Self.openGaps(db).first(where: { $0.topic == topic && $0.partition == partition }) else {
                throw StoreError.noOpenGap(topic: topic, partition: partition)
            }
            try db.execute(
                sql: """
                    UPDATE partition_gap SET accepted_at = ?, accepted_by = ?, resumed_at_offset = ?, log_start = ?, log_end = coalesce(?, log_end)
                    WHERE topic = ? AND partition = ? AND accepted_at IS NULL
                    """,
                arguments: [at, operatorName, resumeAt, resumeAt, logEnd, topic, partition])
            // Set, not raised: after a recreated log, reading resumes below the offset owed before.
            try db.execute(
                sql: """
                    INSERT INTO consumer_offset (topic, partition, next_offset, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset, updated_at = excluded.updated_at
                    """,
                arguments: [topic, partition, resumeAt, at])
            let accepted = PartitionGap(
                topic: open.topic, partition: open.partition, expectedOffset: open.expectedOffset, logStart: resumeAt,
                logEnd: logEnd ?? open.logEnd, reason: open.reason, detectedAt: open.detectedAt, lastSeenAt: open.lastSeenAt,
                acceptedAt: at, acceptedBy: operatorName, resumedAtOffset: resumeAt)
            var detail: [(String, String)] = [
                ("accepted_by", operatorName), ("detected_at", open.detectedAt), ("expected_offset", String(open.expectedOffset)),
                ("reason", open.reason), ("resumed_at_offset", String(resumeAt)),
            ]
            if let skipped = accepted.skippedRecords {
                detail.append(("skipped_from", String(open.expectedOffset)))
                detail.append(("skipped_to", String(resumeAt - 1)))
                detail.append(("skipped_records", String(skipped)))
            } else {
                detail.append(("skipped_records", "unknown: the log was recreated"))
            }
            if let end = accepted.logEnd { detail.append(("log_end", String(end))) }
            try db.execute(
                sql: """
                    INSERT INTO audit_log (recorded_at, entity_type, entity_id, action, detail, source_topic, source_partition)
                    VALUES (?, 'partition', ?, 'gap_accepted', ?, ?, ?)
                    """,
                arguments: [at, "\(topic):\(partition)", JSONValue.stringObjectJSON(detail), topic, partition])
            return accepted
        }
    }

    /// Runs a small write that belongs to no batch (gaps, acceptances, the store's identity) in a GRDB
    /// transaction of its own, once the SQL pipeline has committed what it holds.
    ///
    /// - Throws: `StoreError.readOnly` on a read-only store, else what `body` or the commit throws.
    func administrativeWrite<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        guard let pipeline else { throw StoreError.readOnly(path: path) }
        return try await pool.writeWithoutTransaction { db in
            pipeline.waitUntilIdle()
            var result: T?
            try db.inTransaction {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }
}
