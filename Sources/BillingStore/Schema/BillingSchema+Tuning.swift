import GRDB

/// Schema changes made for throughput, measured with `billing-bench` (docs/ARCHITECTURE.md).
extension BillingSchema {
    /// Publication state as one cursor instead of a stamp on every row.
    ///
    /// The relay publishes in id order and only ever advances over a prefix of delivered rows, so "every
    /// row up to N is published" says all there is to say. Stamping each row rewrote every outbox row (an
    /// invoice document each) a second time and kept a partial index up to date, both inside the single
    /// writer that the ingest path waits on.
    static func registerOutboxCursor(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-11-23 outbox publication cursor") { db in
            try db.execute(sql: """
                CREATE TABLE outbox_cursor (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    published_through INTEGER NOT NULL CHECK (published_through >= 0),
                    updated_at TEXT NOT NULL
                );
                -- Rows after the first unpublished one are treated as unpublished and go out again (same
                -- bytes, same event ids): never a gap.
                INSERT INTO outbox_cursor (id, published_through, updated_at)
                VALUES (1, coalesce((SELECT min(id) - 1 FROM outbox WHERE published_at IS NULL), (SELECT max(id) FROM outbox), 0),
                        strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
                DROP INDEX outbox_unpublished;
                ALTER TABLE outbox DROP COLUMN published_at;
                """)
        }
    }

    /// Indexes that cost on every write and served almost nothing: orders by customer (no query reads
    /// it; its random keys made every batch rewrite leaf pages all over it) and invoices by status (moved
    /// on every payment; only billingctl's `--status` filter used it, and a scan does for that). Queries
    /// that need such an index come back with their own, narrowed to what they read.
    static func registerIndexCleanup(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-11-23 drop unused indexes") { db in
            try db.execute(sql: """
                DROP INDEX billing_order_customer;
                DROP INDEX invoice_status;
                """)
        }
    }

    /// The invoice document (about a kilobyte of JSON) in a table of its own. It is written once and
    /// read only by `invoice show`, but inside the invoice row it was copied again by every payment's
    /// update of `paid_minor` and `status`, and it spread the invoice table over ten times the pages.
    static func registerInvoiceDocuments(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-11-23 invoice documents in their own table") { db in
            try db.execute(sql: """
                CREATE TABLE invoice_document (
                    number TEXT PRIMARY KEY NOT NULL REFERENCES invoice (number),
                    document TEXT NOT NULL CHECK (json_valid(document))
                );
                INSERT INTO invoice_document (number, document) SELECT number, document FROM invoice ORDER BY rowid;
                ALTER TABLE invoice DROP COLUMN document;
                """)
        }
    }
}
