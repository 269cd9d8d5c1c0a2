import GRDB

extension BillingSchema {
    /// Orders, shipments, waiting events, invoices with their number series, payments, allocations,
    /// processed event ids and the audit log.
    static func registerInvoicing(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-11-22 orders, invoices, payments, audit") { db in
            try db.execute(sql: """
                CREATE TABLE processed_event (
                    event_key TEXT PRIMARY KEY NOT NULL,
                    source_topic TEXT NOT NULL,
                    source_partition INTEGER NOT NULL,
                    source_offset INTEGER NOT NULL,
                    processed_at TEXT NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE billing_order (
                    order_id TEXT PRIMARY KEY NOT NULL,
                    customer_id TEXT NOT NULL,
                    currency TEXT NOT NULL CHECK (length(currency) = 3),
                    status TEXT NOT NULL CHECK (status IN ('open', 'cancelled', 'invoiced')),
                    payment_term_days INTEGER NOT NULL CHECK (payment_term_days >= 0),
                    order_data TEXT NOT NULL CHECK (json_valid(order_data)),
                    invoiced_quantities TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(invoiced_quantities)),
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX billing_order_customer ON billing_order (customer_id);

                CREATE TABLE waiting_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    order_id TEXT NOT NULL,
                    event_key TEXT NOT NULL UNIQUE,
                    event_type TEXT NOT NULL,
                    source_topic TEXT NOT NULL,
                    source_partition INTEGER NOT NULL,
                    source_offset INTEGER NOT NULL,
                    message_key BLOB,
                    payload BLOB NOT NULL,
                    headers TEXT NOT NULL CHECK (json_valid(headers)),
                    source_timestamp INTEGER,
                    received_at TEXT NOT NULL
                );
                CREATE INDEX waiting_event_order ON waiting_event (order_id, id);

                CREATE TABLE invoice_series (
                    series TEXT PRIMARY KEY NOT NULL,
                    last_sequence INTEGER NOT NULL CHECK (last_sequence >= 0)
                ) WITHOUT ROWID;

                CREATE TABLE invoice (
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
                    status TEXT NOT NULL CHECK (status IN ('issued', 'partially_paid', 'paid')),
                    document TEXT NOT NULL CHECK (json_valid(document)),
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    UNIQUE (series, sequence),
                    CHECK (status <> 'issued' OR (paid_minor = 0 AND gross_minor > 0)),
                    CHECK (status <> 'partially_paid' OR (paid_minor > 0 AND paid_minor < gross_minor)),
                    CHECK (status <> 'paid' OR paid_minor = gross_minor)
                );
                CREATE INDEX invoice_customer ON invoice (customer_id, issue_date);
                CREATE INDEX invoice_order ON invoice (order_id);
                CREATE INDEX invoice_status ON invoice (status, due_date);

                CREATE TABLE payment (
                    payment_id TEXT PRIMARY KEY NOT NULL,
                    customer_id TEXT NOT NULL,
                    currency TEXT NOT NULL CHECK (length(currency) = 3),
                    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
                    unapplied_minor INTEGER NOT NULL CHECK (unapplied_minor >= 0 AND unapplied_minor <= amount_minor),
                    received_date TEXT NOT NULL,
                    references_json TEXT NOT NULL CHECK (json_valid(references_json)),
                    created_at TEXT NOT NULL
                );
                CREATE INDEX payment_customer ON payment (customer_id);

                CREATE TABLE payment_allocation (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    payment_id TEXT NOT NULL REFERENCES payment (payment_id),
                    invoice_number TEXT NOT NULL REFERENCES invoice (number),
                    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
                    created_at TEXT NOT NULL,
                    UNIQUE (payment_id, invoice_number)
                );
                CREATE INDEX payment_allocation_invoice ON payment_allocation (invoice_number);

                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    recorded_at TEXT NOT NULL,
                    entity_type TEXT NOT NULL,
                    entity_id TEXT NOT NULL,
                    action TEXT NOT NULL,
                    detail TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
                    event_key TEXT,
                    source_topic TEXT,
                    source_partition INTEGER,
                    source_offset INTEGER
                );
                CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id);
                """)
        }
    }
}
