import GRDB

extension BillingStore {
    /// Reads the store's status in one consistent snapshot.
    ///
    /// - Throws: a GRDB `DatabaseError` when the read fails.
    public func status() throws -> StoreStatus {
        try pool.read { db in
            let offsets = try Row.fetchAll(db, sql: "SELECT topic, partition, next_offset, updated_at FROM consumer_offset ORDER BY topic, partition").map {
                StoreStatus.Offset(topic: $0["topic"], partition: $0["partition"], nextOffset: $0["next_offset"], updatedAt: $0["updated_at"])
            }
            let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE id > (SELECT published_through FROM outbox_cursor)") ?? 0
            let published = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE id <= (SELECT published_through FROM outbox_cursor)") ?? 0
            let oldest = try String.fetchOne(db, sql: "SELECT created_at FROM outbox WHERE id > (SELECT published_through FROM outbox_cursor) ORDER BY id LIMIT 1")
            let letters = try Int.fetchOne(db, sql: "SELECT count(*) FROM dead_letter") ?? 0
            let byReason = try Row.fetchAll(db, sql: "SELECT reason_code, count(*) AS n FROM dead_letter GROUP BY reason_code ORDER BY n DESC, reason_code").map {
                StoreStatus.ReasonCount(reason: $0["reason_code"], count: $0["n"])
            }
            let invoices = try Int.fetchOne(db, sql: "SELECT count(*) FROM invoice") ?? 0
            let waiting = try Int.fetchOne(db, sql: "SELECT count(*) FROM waiting_event") ?? 0
            let series = try Row.fetchAll(db, sql: "SELECT series, last_sequence FROM invoice_series ORDER BY series").map {
                StoreStatus.Series(series: $0["series"], lastSequence: $0["last_sequence"])
            }
            return StoreStatus(
                offsets: offsets, gaps: try Self.openGaps(db), outboxPending: pending, outboxPublished: published, oldestPendingCreatedAt: oldest,
                deadLetters: letters, deadLettersByReason: byReason, invoices: invoices, waitingEvents: waiting, invoiceSeries: series,
                migrations: try BillingSchema.migrator.appliedMigrations(db))
        }
    }

    /// The most recent dead letters, newest first.
    ///
    /// - Throws: a GRDB `DatabaseError` when the read fails.
    public func recentDeadLetters(limit: Int) throws -> [DeadLetterRow] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT source_topic, source_partition, source_offset, reason_code, reason, event_id, event_type, recorded_at FROM dead_letter ORDER BY id DESC LIMIT ?",
                arguments: [limit]
            ).map {
                DeadLetterRow(
                    sourceTopic: $0["source_topic"], sourcePartition: $0["source_partition"], sourceOffset: $0["source_offset"],
                    reasonCode: $0["reason_code"], reason: $0["reason"], eventID: $0["event_id"], eventType: $0["event_type"],
                    recordedAt: $0["recorded_at"])
            }
        }
    }
}

extension BillingStore {
    /// A cheap progress reading for benchmarks and tests: the sum of stored next offsets of these topics
    /// and the number of unpublished outbox rows.
    ///
    /// The rows are counted by id, the newest id minus the publication cursor, so a reading costs a few
    /// pages however far the relay is behind: batches number their rows without gaps, and the relay
    /// publishes in id order. (Counting them read every pending row; `billing-bench` polls this 50
    /// times a second beside the billingd it measures, and the count took ~5 % of a 2-core machine.)
    ///
    /// - Throws: a GRDB `DatabaseError`.
    public func progress(topics: [String]) throws -> (consumed: Int64, outboxPending: Int) {
        try pool.read { db in
            let marks = databaseQuestionMarks(count: topics.count)
            let consumed = try Int64.fetchOne(db, sql: "SELECT coalesce(sum(next_offset), 0) FROM consumer_offset WHERE topic IN (\(marks))", arguments: StatementArguments(topics)) ?? 0
            let pending = try Int.fetchOne(
                db, sql: "SELECT max(0, coalesce((SELECT max(id) FROM outbox), 0) - (SELECT published_through FROM outbox_cursor))") ?? 0
            return (consumed, pending)
        }
    }
}
