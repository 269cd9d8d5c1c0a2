import GRDB

/// The schema, as string-named migrations. A shipped migration is never edited: change the schema by
/// adding a new one. Migrations use plain SQL, never app types, so they stay valid as the code moves.
enum BillingSchema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-22 consumer offsets, dead letters, outbox") { db in
            try db.execute(sql: """
                CREATE TABLE consumer_offset (
                    topic TEXT NOT NULL CHECK (length(topic) > 0),
                    partition INTEGER NOT NULL CHECK (partition >= 0),
                    next_offset INTEGER NOT NULL CHECK (next_offset >= 0),
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (topic, partition)
                ) WITHOUT ROWID;

                CREATE TABLE dead_letter (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    source_topic TEXT NOT NULL,
                    source_partition INTEGER NOT NULL CHECK (source_partition >= 0),
                    source_offset INTEGER NOT NULL CHECK (source_offset >= 0),
                    reason_code TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    event_id TEXT,
                    event_type TEXT,
                    recorded_at TEXT NOT NULL,
                    UNIQUE (source_topic, source_partition, source_offset)
                );

                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    topic TEXT NOT NULL CHECK (length(topic) > 0),
                    message_key BLOB,
                    payload BLOB,
                    headers TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(headers)),
                    created_at TEXT NOT NULL,
                    published_at TEXT,
                    publish_attempts INTEGER NOT NULL DEFAULT 0 CHECK (publish_attempts >= 0),
                    last_error TEXT
                );
                CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
                """)
        }
        registerInvoicing(&migrator)
        registerOutboxCursor(&migrator)
        registerIndexCleanup(&migrator)
        registerInvoiceDocuments(&migrator)
        registerStatusChecks(&migrator)
        registerAuditIndexCleanup(&migrator)
        registerOutboxDocumentReferences(&migrator)
        registerUnappliedPaymentIndex(&migrator)
        registerCompactOutboxEvents(&migrator)
        registerJSONChecksDropped(&migrator)
        registerOwnership(&migrator)
        return migrator
    }()
}
