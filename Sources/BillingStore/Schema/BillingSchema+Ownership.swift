import GRDB

/// Tables that keep the input honest at its edges: offset gaps that wait for an operator, and what the
/// store belongs to.
extension BillingSchema {
    /// `partition_gap`: a partition whose next owed offset the broker no longer had. At most one gap per
    /// partition is open (not accepted); an accepted gap keeps who accepted it, when, and where reading
    /// resumed. `store_identity`: the Kafka cluster, consumer group and input topics the store was
    /// created for (one row). And the columns that tell an exact repeat of an event from a conflicting
    /// duplicate.
    static func registerOwnership(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-12-08 partition gaps and store identity") { db in
            try db.execute(sql: """
                CREATE TABLE partition_gap (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    topic TEXT NOT NULL CHECK (length(topic) > 0),
                    partition INTEGER NOT NULL CHECK (partition >= 0),
                    expected_offset INTEGER NOT NULL CHECK (expected_offset >= 0),
                    log_start INTEGER CHECK (log_start >= 0),
                    log_end INTEGER CHECK (log_end >= 0),
                    reason TEXT NOT NULL,
                    detected_at TEXT NOT NULL,
                    last_seen_at TEXT NOT NULL,
                    accepted_at TEXT,
                    accepted_by TEXT,
                    resumed_at_offset INTEGER CHECK (resumed_at_offset >= 0),
                    CHECK ((accepted_at IS NULL) = (accepted_by IS NULL) AND (accepted_at IS NULL) = (resumed_at_offset IS NULL))
                );
                CREATE UNIQUE INDEX partition_gap_open ON partition_gap (topic, partition) WHERE accepted_at IS NULL;

                CREATE TABLE store_identity (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    store_id TEXT NOT NULL CHECK (length(store_id) > 0),
                    cluster_id TEXT,
                    consumer_group TEXT NOT NULL CHECK (length(consumer_group) > 0),
                    input_topics TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );

                -- What tells an exact repeat from a conflicting duplicate: the fingerprint of each processed
                -- event's bytes, the event each order, invoice and payment came from, and each invoiced
                -- shipment's content. NULL in rows written before (their repeats are taken as exact).
                ALTER TABLE processed_event ADD COLUMN fingerprint INTEGER;
                ALTER TABLE billing_order ADD COLUMN event_key TEXT;
                ALTER TABLE invoice ADD COLUMN event_key TEXT;
                ALTER TABLE invoice ADD COLUMN shipment_fingerprint TEXT;
                ALTER TABLE payment ADD COLUMN event_key TEXT;
                """)
        }
    }
}
