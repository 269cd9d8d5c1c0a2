import BillingCore
import Foundation
import GRDB

extension BillingStore {
    /// The store's recorded identity, nil before billingd first ran on it.
    ///
    /// - Throws: a GRDB `DatabaseError`, or a decoding error for a corrupt topic list.
    public func identity() throws -> StoreIdentity? {
        try pool.read { db in try Self.identity(db) }
    }

    static func identity(_ db: Database) throws -> StoreIdentity? {
        guard let row = try Row.fetchOne(db, sql: "SELECT store_id, cluster_id, consumer_group, input_topics, created_at FROM store_identity") else {
            return nil
        }
        let topics = try JSONDecoder().decode([String].self, from: Data((row["input_topics"] as String).utf8))
        return StoreIdentity(
            storeID: row["store_id"], clusterID: row["cluster_id"], consumerGroup: row["consumer_group"], inputTopics: topics,
            createdAt: row["created_at"])
    }

    /// Whether billingd has never taken anything in on this store: no identity, no stored offset, no
    /// processed event.
    ///
    /// - Throws: a GRDB `DatabaseError`.
    public func hasNeverConsumed() throws -> Bool {
        try pool.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT (SELECT count(*) FROM store_identity) + (SELECT count(*) FROM consumer_offset)
                         + (SELECT count(*) FROM (SELECT 1 FROM processed_event LIMIT 1))
                    """) == 0
        }
    }

    /// Records the store's identity (first run, or a change an operator allowed), with an audit row
    /// whose action says why (`created`, `adopted`, `topics_changed`, `cluster_changed`).
    ///
    /// When the cluster changed, `gaps` lists the partitions whose stored offsets refer to the old
    /// cluster's logs: each gets an open gap in the same transaction, so it stays paused until an
    /// operator accepts it.
    ///
    /// - Throws: `StoreError.readOnly`, or a GRDB `DatabaseError`; nothing is written then.
    public func recordIdentity(
        _ identity: StoreIdentity, action: String, detail: [(String, String)], gaps: [PartitionGap] = [], at date: Date
    ) async throws {
        let at = RFC3339.format(date)
        let topics = String(decoding: try JSONEncoder().encode(identity.inputTopics), as: UTF8.self)
        try await administrativeWrite { db in
            try db.execute(
                sql: """
                    INSERT INTO store_identity (id, store_id, cluster_id, consumer_group, input_topics, created_at, updated_at)
                    VALUES (1, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET cluster_id = excluded.cluster_id, consumer_group = excluded.consumer_group,
                        input_topics = excluded.input_topics, updated_at = excluded.updated_at
                    """,
                arguments: [identity.storeID, identity.clusterID, identity.consumerGroup, topics, identity.createdAt, at])
            for gap in gaps {
                try Self.upsertGap(
                    db, topic: gap.topic, partition: gap.partition, expectedOffset: gap.expectedOffset, logStart: gap.logStart, logEnd: gap.logEnd,
                    reason: gap.reason, at: at)
            }
            var members = detail
            members.append(("cluster_id", identity.clusterID ?? ""))
            members.append(("consumer_group", identity.consumerGroup))
            members.append(("input_topics", identity.inputTopics.joined(separator: ",")))
            try db.execute(
                sql: "INSERT INTO audit_log (recorded_at, entity_type, entity_id, action, detail) VALUES (?, 'store', ?, ?, ?)",
                arguments: [at, identity.storeID, action, JSONValue.stringObjectJSON(members)])
        }
    }
}
