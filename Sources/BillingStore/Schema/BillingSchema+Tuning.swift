import GRDB

/// Schema changes made for throughput, measured with `billing-bench` (docs/PERFORMANCE.md).
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

    /// The audit log's index by entity served no query, and its inserts (entity ids in no order) dirtied
    /// pages all over it: in a benchmark of the store, a third of the pages written per batch. A command
    /// that lists an entity's history will add the index its query needs.
    static func registerAuditIndexCleanup(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-12-04 drop the unused audit entity index") { db in
            try db.execute(sql: "DROP INDEX audit_log_entity")
        }
    }

    /// Payments by customer only where money is left unapplied. The index serves one query, the
    /// unapplied credit in `customer balance`, which a payment with nothing unapplied adds nothing to;
    /// most payments apply in full, and indexing every one by its customer (ids in no order) rewrote
    /// index pages all over the table in every batch: in `billing-bench`, a sixth of the pages a batch
    /// wrote.
    static func registerUnappliedPaymentIndex(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-12-04 payments by customer only with unapplied money") { db in
            try db.execute(sql: """
                DROP INDEX payment_customer;
                CREATE INDEX payment_unapplied_customer ON payment (customer_id) WHERE unapplied_minor > 0;
                """)
        }
    }

    /// An `invoice.issued` outbox row no longer repeats the invoice document, which `invoice_document`
    /// holds already (about a kilobyte, a quarter of what an order wrote): its payload is the envelope
    /// after the data, and `document_number` names the document that goes before it. The view
    /// `outbox_message` puts the message back together, byte for byte what is published.
    static func registerOutboxDocumentReferences(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-12-04 outbox rows that refer to their invoice document") { db in
            try db.execute(sql: """
                ALTER TABLE outbox ADD COLUMN document_number TEXT REFERENCES invoice_document (number);

                CREATE VIEW outbox_message AS
                SELECT o.id, o.topic, o.message_key,
                       CASE WHEN o.document_number IS NULL THEN o.payload
                            ELSE CAST('{"data":' || d.document || CAST(o.payload AS TEXT) AS BLOB) END AS payload,
                       o.headers, o.created_at, o.publish_attempts, o.last_error
                FROM outbox o LEFT JOIN invoice_document d ON d.number = o.document_number;
                """)
        }
    }

    static func registerCompactOutboxEvents(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-12-05 billing events in the outbox without their envelope") { db in
            // A billing event's row keeps its data (NULL when that is the named invoice document) and the
            // envelope's fields; its time is `created_at`, its id `event_type/event_subject`, its headers
            // ce_type and ce_id. The view writes the envelope as `OutboundEnvelope.encoded` does: keys
            // sorted, strings as `json_quote` writes them. Rows without `event_type` keep the message whole.
            try db.execute(sql: """
                ALTER TABLE outbox ADD COLUMN event_subject TEXT;
                ALTER TABLE outbox ADD COLUMN event_source TEXT;
                ALTER TABLE outbox ADD COLUMN event_type TEXT
                    CHECK (event_type IS NULL OR (length(event_type) > 0 AND event_subject IS NOT NULL AND event_source IS NOT NULL
                                                  AND headers = '[]' AND (payload IS NULL) = (document_number IS NOT NULL)));

                DROP VIEW outbox_message;
                CREATE VIEW outbox_message AS
                SELECT o.id, o.topic, o.message_key,
                       CASE WHEN o.event_type IS NOT NULL THEN
                                CAST('{"data":' || coalesce(d.document, CAST(o.payload AS TEXT))
                                     || ',"datacontenttype":"application/json","id":' || json_quote(o.event_type || '/' || o.event_subject)
                                     || ',"source":' || json_quote(o.event_source) || ',"specversion":"1.0","subject":' || json_quote(o.event_subject)
                                     || ',"time":' || json_quote(o.created_at) || ',"type":' || json_quote(o.event_type) || '}' AS BLOB)
                            WHEN o.document_number IS NULL THEN o.payload
                            ELSE CAST('{"data":' || d.document || CAST(o.payload AS TEXT) AS BLOB) END AS payload,
                       CASE WHEN o.event_type IS NOT NULL THEN
                                json_array(json_object('name', 'ce_type', 'text', o.event_type),
                                           json_object('name', 'ce_id', 'text', o.event_type || '/' || o.event_subject))
                            ELSE o.headers END AS headers,
                       o.created_at, o.publish_attempts, o.last_error
                FROM outbox o LEFT JOIN invoice_document d ON d.number = o.document_number;
                """)
        }
    }

    /// The JSON columns that only billingd writes, rebuilt without `CHECK (json_valid(…))`: order data and
    /// invoiced quantities, invoice documents, payment references, audit details and outbox headers.
    ///
    /// SQLite checked them by parsing every value again on every insert and update, into a node array
    /// of its own (a copy of the text and several allocations per value, ~2 KB of JSON per order): 12 %
    /// of the SQL thread's CPU in the store benchmark. Every one of these values is written by
    /// BillingCore's JSON writer from typed values or from event data that the event parser has just
    /// accepted, and tests parse what the writer produces and what the store holds. The waiting events'
    /// headers keep their check (few rows).
    ///
    /// Table rebuilds, as SQLite cannot drop a CHECK in place: the rows, their ids and the tables'
    /// AUTOINCREMENT counters are carried over, the view over the outbox is put back as it was, and the
    /// foreign keys are checked once the migration is done.
    static func registerJSONChecksDropped(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-12-05 JSON columns without a json_valid per row") { db in
            let outboxView = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE type = 'view' AND name = 'outbox_message'")
            try db.execute(sql: """
                DROP VIEW IF EXISTS outbox_message;

                CREATE TABLE billing_order_new (
                    order_id TEXT PRIMARY KEY NOT NULL,
                    customer_id TEXT NOT NULL,
                    currency TEXT NOT NULL CHECK (length(currency) = 3),
                    status TEXT NOT NULL CHECK (status = 'open' OR status = 'cancelled' OR status = 'invoiced'),
                    payment_term_days INTEGER NOT NULL CHECK (payment_term_days >= 0),
                    order_data TEXT NOT NULL,
                    invoiced_quantities TEXT NOT NULL DEFAULT '{}',
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                INSERT INTO billing_order_new SELECT order_id, customer_id, currency, status, payment_term_days, order_data,
                    invoiced_quantities, created_at, updated_at FROM billing_order ORDER BY rowid;
                DROP TABLE billing_order;
                ALTER TABLE billing_order_new RENAME TO billing_order;

                CREATE TABLE invoice_document_new (
                    number TEXT PRIMARY KEY NOT NULL REFERENCES invoice (number),
                    document TEXT NOT NULL
                );
                INSERT INTO invoice_document_new SELECT number, document FROM invoice_document ORDER BY rowid;
                DROP TABLE invoice_document;
                ALTER TABLE invoice_document_new RENAME TO invoice_document;

                CREATE TABLE payment_new (
                    payment_id TEXT PRIMARY KEY NOT NULL,
                    customer_id TEXT NOT NULL,
                    currency TEXT NOT NULL CHECK (length(currency) = 3),
                    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
                    unapplied_minor INTEGER NOT NULL CHECK (unapplied_minor >= 0 AND unapplied_minor <= amount_minor),
                    received_date TEXT NOT NULL,
                    references_json TEXT NOT NULL,
                    created_at TEXT NOT NULL
                ) WITHOUT ROWID;
                INSERT INTO payment_new SELECT payment_id, customer_id, currency, amount_minor, unapplied_minor, received_date,
                    references_json, created_at FROM payment ORDER BY payment_id;
                DROP TABLE payment;
                ALTER TABLE payment_new RENAME TO payment;
                CREATE INDEX payment_unapplied_customer ON payment (customer_id) WHERE unapplied_minor > 0;

                CREATE TABLE audit_log_new (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    recorded_at TEXT NOT NULL,
                    entity_type TEXT NOT NULL,
                    entity_id TEXT NOT NULL,
                    action TEXT NOT NULL,
                    detail TEXT NOT NULL DEFAULT '{}',
                    event_key TEXT,
                    source_topic TEXT,
                    source_partition INTEGER,
                    source_offset INTEGER
                );
                INSERT INTO audit_log_new SELECT id, recorded_at, entity_type, entity_id, action, detail, event_key, source_topic,
                    source_partition, source_offset FROM audit_log ORDER BY id;
                DELETE FROM sqlite_sequence WHERE name = 'audit_log_new';
                INSERT INTO sqlite_sequence (name, seq) SELECT 'audit_log_new', seq FROM sqlite_sequence WHERE name = 'audit_log';
                DROP TABLE audit_log;
                ALTER TABLE audit_log_new RENAME TO audit_log;

                CREATE TABLE outbox_new (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    topic TEXT NOT NULL CHECK (length(topic) > 0),
                    message_key BLOB,
                    payload BLOB,
                    headers TEXT NOT NULL DEFAULT '[]',
                    created_at TEXT NOT NULL,
                    publish_attempts INTEGER NOT NULL DEFAULT 0 CHECK (publish_attempts >= 0),
                    last_error TEXT,
                    document_number TEXT REFERENCES invoice_document (number),
                    event_subject TEXT,
                    event_source TEXT,
                    event_type TEXT
                        CHECK (event_type IS NULL OR (length(event_type) > 0 AND event_subject IS NOT NULL AND event_source IS NOT NULL
                                                      AND headers = '[]' AND (payload IS NULL) = (document_number IS NOT NULL)))
                );
                INSERT INTO outbox_new SELECT id, topic, message_key, payload, headers, created_at, publish_attempts, last_error,
                    document_number, event_subject, event_source, event_type FROM outbox ORDER BY id;
                DELETE FROM sqlite_sequence WHERE name = 'outbox_new';
                INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_new', seq FROM sqlite_sequence WHERE name = 'outbox';
                DROP TABLE outbox;
                ALTER TABLE outbox_new RENAME TO outbox;
                """)
            if let outboxView { try db.execute(sql: outboxView) }
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

    /// Orders, invoices and payments rebuilt (SQLite changes neither CHECKs nor keys in place; foreign keys
    /// are checked once the migration is done):
    /// - status checks as plain comparisons: SQLite evaluates `status IN ('a', 'b', 'c')` in a CHECK by
    ///   building a temporary b-tree, on every insert and every status update (four per order);
    /// - invoices and payments, small rows now, stored in their primary key's b-tree (WITHOUT ROWID):
    ///   one b-tree to write per insert and update instead of the table plus its key index;
    /// - payment allocations without AUTOINCREMENT, which rewrote `sqlite_sequence` on every insert.
    ///   Their ids still only grow: rows are never deleted, so SQLite never reuses one.
    static func registerStatusChecks(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-11-23 rebuilt orders, invoices, payments and allocations") { db in
            try db.execute(sql: """
                CREATE TABLE billing_order_new (
                    order_id TEXT PRIMARY KEY NOT NULL,
                    customer_id TEXT NOT NULL,
                    currency TEXT NOT NULL CHECK (length(currency) = 3),
                    status TEXT NOT NULL CHECK (status = 'open' OR status = 'cancelled' OR status = 'invoiced'),
                    payment_term_days INTEGER NOT NULL CHECK (payment_term_days >= 0),
                    order_data TEXT NOT NULL CHECK (json_valid(order_data)),
                    invoiced_quantities TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(invoiced_quantities)),
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                INSERT INTO billing_order_new SELECT order_id, customer_id, currency, status, payment_term_days, order_data,
                    invoiced_quantities, created_at, updated_at FROM billing_order ORDER BY rowid;
                DROP TABLE billing_order;
                ALTER TABLE billing_order_new RENAME TO billing_order;

                CREATE TABLE invoice_new (
                    number TEXT PRIMARY KEY NOT NULL,
                    series TEXT NOT NULL REFERENCES invoice_series (series),
                    sequence INTEGER NOT NULL CHECK (sequence > 0),
                    customer_id TEXT NOT NULL,
                    order_id TEXT NOT NULL REFERENCES billing_order (order_id),
                    shipment_id TEXT NOT NULL UNIQUE,
                    currency TEXT NOT NULL CHECK (length(currency) = 3),
                    issue_date TEXT NOT NULL,
                    due_date TEXT NOT NULL CHECK (due_date >= issue_date),
                    net_minor INTEGER NOT NULL CHECK (net_minor >= 0),
                    tax_minor INTEGER NOT NULL CHECK (tax_minor >= 0),
                    gross_minor INTEGER NOT NULL CHECK (gross_minor = net_minor + tax_minor),
                    paid_minor INTEGER NOT NULL DEFAULT 0 CHECK (paid_minor >= 0 AND paid_minor <= gross_minor),
                    status TEXT NOT NULL CHECK (status = 'issued' OR status = 'partially_paid' OR status = 'paid'),
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    UNIQUE (series, sequence),
                    CHECK (status <> 'issued' OR (paid_minor = 0 AND gross_minor > 0)),
                    CHECK (status <> 'partially_paid' OR (paid_minor > 0 AND paid_minor < gross_minor)),
                    CHECK (status <> 'paid' OR paid_minor = gross_minor)
                ) WITHOUT ROWID;
                INSERT INTO invoice_new SELECT number, series, sequence, customer_id, order_id, shipment_id, currency, issue_date, due_date,
                    net_minor, tax_minor, gross_minor, paid_minor, status, created_at, updated_at FROM invoice ORDER BY rowid;
                DROP TABLE invoice;
                ALTER TABLE invoice_new RENAME TO invoice;
                CREATE INDEX invoice_customer ON invoice (customer_id, issue_date);
                CREATE INDEX invoice_order ON invoice (order_id);

                CREATE TABLE payment_new (
                    payment_id TEXT PRIMARY KEY NOT NULL,
                    customer_id TEXT NOT NULL,
                    currency TEXT NOT NULL CHECK (length(currency) = 3),
                    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
                    unapplied_minor INTEGER NOT NULL CHECK (unapplied_minor >= 0 AND unapplied_minor <= amount_minor),
                    received_date TEXT NOT NULL,
                    references_json TEXT NOT NULL CHECK (json_valid(references_json)),
                    created_at TEXT NOT NULL
                ) WITHOUT ROWID;
                INSERT INTO payment_new SELECT payment_id, customer_id, currency, amount_minor, unapplied_minor, received_date,
                    references_json, created_at FROM payment ORDER BY rowid;
                DROP TABLE payment;
                ALTER TABLE payment_new RENAME TO payment;
                CREATE INDEX payment_customer ON payment (customer_id);

                CREATE TABLE payment_allocation_new (
                    id INTEGER PRIMARY KEY,
                    payment_id TEXT NOT NULL REFERENCES payment (payment_id),
                    invoice_number TEXT NOT NULL REFERENCES invoice (number),
                    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
                    created_at TEXT NOT NULL,
                    UNIQUE (payment_id, invoice_number)
                );
                INSERT INTO payment_allocation_new SELECT id, payment_id, invoice_number, amount_minor, created_at FROM payment_allocation ORDER BY id;
                DROP TABLE payment_allocation;
                ALTER TABLE payment_allocation_new RENAME TO payment_allocation;
                CREATE INDEX payment_allocation_invoice ON payment_allocation (invoice_number);
                """)
        }
    }
}
