import BillingCore
import Foundation
import GRDB
import TestSupport
import Testing

@testable import BillingStore

@Suite("Migrations carry existing data forward")
struct MigrationTests {
    @Test("a store written by the first schema opens with every later migration applied and nothing lost")
    func upgradeWithData() async throws {
        // The schema as the first release left it, with an order, its invoice (document inside the row),
        // a payment, and outbox rows of which the third was never published.
        let (directory, path) = try await Self.store(at: "2026-11-22 orders, invoices, payments, audit", rows: """
            INSERT INTO billing_order VALUES ('O-1', 'C-1', 'EUR', 'invoiced', 30, '{"order_id":"O-1"}', '{"1":"2"}', 't', 't');
            INSERT INTO invoice_series VALUES ('INV-2026', 1);
            INSERT INTO invoice (number, series, sequence, customer_id, order_id, shipment_id, currency, issue_date, due_date,
                net_minor, tax_minor, gross_minor, paid_minor, status, document, created_at, updated_at)
            VALUES ('INV-2026-000001', 'INV-2026', 1, 'C-1', 'O-1', 'S-1', 'EUR', '2026-11-22', '2026-12-22', 1000, 190, 1190, 500,
                'partially_paid', '{"invoice_number":"INV-2026-000001"}', 't', 't');
            INSERT INTO payment VALUES ('P-1', 'C-1', 'EUR', 500, 0, '2026-11-23', '["O-1"]', 't');
            INSERT INTO payment VALUES ('P-2', 'C-1', 'EUR', 300, 300, '2026-11-24', '["nothing"]', 't');
            INSERT INTO payment_allocation (payment_id, invoice_number, amount_minor, created_at) VALUES ('P-1', 'INV-2026-000001', 500, 't');
            INSERT INTO outbox (topic, payload, created_at, published_at) VALUES ('billing.events', x'01', 't', 't');
            INSERT INTO outbox (topic, payload, created_at, published_at) VALUES ('billing.events', x'02', 't', 't');
            INSERT INTO outbox (topic, payload, created_at, published_at) VALUES ('billing.events', x'03', 't', NULL);
            INSERT INTO outbox (topic, payload, created_at, published_at) VALUES ('billing.events', x'04', 't', 't');
            """)
        defer { try? FileManager.default.removeItem(at: directory) }

        let store = try BillingStore.openForWriting(path: path)
        #expect(try store.appliedMigrations().last == "2026-12-08 partition gaps and store identity")
        let invoice = try #require(try store.invoice(number: "INV-2026-000001"))
        #expect(invoice.summary.status == "partially_paid")
        #expect(invoice.summary.paid.minorUnits == 500)
        #expect(invoice.documentJSON == #"{"invoice_number":"INV-2026-000001"}"#)
        #expect(invoice.payments.map(\.paymentID) == ["P-1"])
        let balance = try #require(try store.balance(customerID: "C-1").first)
        #expect(balance.invoiced.minorUnits == 1190 && balance.paid.minorUnits == 500 && balance.unapplied.minorUnits == 300)
        // Only the payment with money left unapplied is indexed by customer, and the balance query finds it there.
        #expect(try TestSupport.sqlite(path, "SELECT payment_id FROM payment INDEXED BY payment_unapplied_customer WHERE customer_id = 'C-1' AND unapplied_minor > 0;") == "P-2")
        let plan = try TestSupport.sqlite(
            path, "EXPLAIN QUERY PLAN SELECT currency, sum(unapplied_minor) FROM payment WHERE customer_id = 'C-1' AND unapplied_minor > 0 GROUP BY currency;")
        #expect(plan.contains("USING INDEX payment_unapplied_customer"), "\(plan)")
        // Everything from the first unpublished row on goes out again: never a gap.
        #expect(try await store.unpublishedOutbox(limit: 10).map(\.message.value) == [[3], [4]])
        // A row as written between 2026-12-04 and 2026-12-05 (the envelope after the data, the document named)
        // still reads as the whole message.
        _ = try TestSupport.sqlite(path, """
            INSERT INTO outbox (id, topic, payload, headers, created_at, document_number)
            VALUES (9, 'billing.events', CAST(',"type":"invoice.issued"}' AS BLOB), '[{"name":"ce_type","value":"aW52b2ljZS5pc3N1ZWQ="}]', 't', 'INV-2026-000001');
            """)
        let documentRow = try #require(try await store.unpublishedOutbox(after: 4, limit: 10).first)
        #expect(documentRow.message.value == Array(#"{"data":{"invoice_number":"INV-2026-000001"},"type":"invoice.issued"}"#.utf8))
        #expect(documentRow.message.headers == [MessageHeader(name: "ce_type", string: "invoice.issued")])
        #expect(try TestSupport.sqlite(path, "PRAGMA foreign_key_check;") == "")
        #expect(try TestSupport.sqlite(path, "SELECT status, invoiced_quantities FROM billing_order;") == #"invoiced|{"1":"2"}"#)
        // The rebuilt tables still enforce their rules.
        #expect(try TestSupport.run(["sqlite3", path, "UPDATE invoice SET status = 'void';"]).status != 0, "the status CHECK")
        #expect(try TestSupport.run(["sqlite3", path, "UPDATE invoice SET paid_minor = 2000;"]).status != 0, "paid at most the gross")
    }

    @Test("the tables rebuilt without json_valid keep their rows, ids, counters, view, index and other checks")
    func jsonChecksDropped() async throws {
        // The schema before the rebuild, with an invoiced order, two payments, audit rows and billing events.
        // The last audit row and the last outbox row were deleted, so each AUTOINCREMENT counter is past
        // its table's highest id: a rebuild that lost the counter would give those ids out again.
        let (directory, path) = try await Self.store(at: "2026-12-05 billing events in the outbox without their envelope", rows: """
            INSERT INTO billing_order VALUES ('O-1', 'C-1', 'EUR', 'invoiced', 30, '{"order_id":"O-1"}', '{"1":"2"}', 't', 't');
            INSERT INTO invoice_series VALUES ('INV-2026', 1);
            INSERT INTO invoice (number, series, sequence, customer_id, order_id, shipment_id, currency, issue_date, due_date,
                net_minor, tax_minor, gross_minor, paid_minor, status, created_at, updated_at)
            VALUES ('INV-2026-000001', 'INV-2026', 1, 'C-1', 'O-1', 'S-1', 'EUR', '2026-11-22', '2026-12-22', 1000, 190, 1190, 500,
                'partially_paid', 't', 't');
            INSERT INTO invoice_document VALUES ('INV-2026-000001', '{"invoice_number":"INV-2026-000001"}');
            INSERT INTO payment VALUES ('P-1', 'C-1', 'EUR', 500, 0, '2026-11-23', '["O-1"]', 't');
            INSERT INTO payment VALUES ('P-2', 'C-1', 'EUR', 300, 300, '2026-11-24', '["nothing"]', 't');
            INSERT INTO payment_allocation (payment_id, invoice_number, amount_minor, created_at) VALUES ('P-1', 'INV-2026-000001', 500, 't');
            INSERT INTO audit_log (id, recorded_at, entity_type, entity_id, action, detail) VALUES
                (1, 't', 'order', 'O-1', 'placed', '{}'), (2, 't', 'invoice', 'INV-2026-000001', 'issued', '{"gross":"11.90"}'),
                (5, 't', 'payment', 'P-2', 'received', '{}');
            DELETE FROM audit_log WHERE id = 5;
            INSERT INTO outbox (id, topic, message_key, payload, created_at, document_number, event_subject, event_source, event_type)
            VALUES (1, 'billing.events', CAST('C-1' AS BLOB), NULL, '2026-11-22T10:00:00.000Z', 'INV-2026-000001',
                    'INV-2026-000001', 'billingd', 'invoice.issued'),
                   (2, 'billing.events', CAST('C-1' AS BLOB), CAST('{"payment_id":"P-1"}' AS BLOB), '2026-11-23T10:00:00.000Z', NULL,
                    'P-1', 'billingd', 'payment.applied'),
                   (7, 'billing.events', NULL, x'07', 't', NULL, NULL, NULL, NULL);
            DELETE FROM outbox WHERE id = 7;
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let before = try TestSupport.sqlite(path, "SELECT id, payload, headers FROM outbox_message ORDER BY id;")
        #expect(before.contains(#"{"data":{"invoice_number":"INV-2026-000001"},"datacontenttype":"application/json""#), "\(before)")

        let store = try BillingStore.openForWriting(path: path)
        #expect(try store.appliedMigrations().last == "2026-12-08 partition gaps and store identity")
        // Only the waiting events' headers are still parsed by a CHECK.
        #expect(try TestSupport.sqlite(path, "SELECT group_concat(name) FROM sqlite_schema WHERE sql LIKE '%json_valid%';") == "waiting_event")
        // The rows, byte for byte, and the messages the view assembles from them.
        #expect(try TestSupport.sqlite(path, "SELECT id, payload, headers FROM outbox_message ORDER BY id;") == before)
        #expect(try TestSupport.sqlite(path, "SELECT order_data, invoiced_quantities FROM billing_order;") == #"{"order_id":"O-1"}|{"1":"2"}"#)
        #expect(try store.invoice(number: "INV-2026-000001")?.documentJSON == #"{"invoice_number":"INV-2026-000001"}"#)
        #expect(try TestSupport.sqlite(path, "SELECT group_concat(id || ':' || detail, ' ') FROM audit_log;") == #"1:{} 2:{"gross":"11.90"}"#)
        #expect(try TestSupport.sqlite(path, "SELECT group_concat(payment_id || ':' || references_json, ' ') FROM payment;") == #"P-1:["O-1"] P-2:["nothing"]"#)
        // The counters: the next ids come after the deleted rows, never in their place.
        #expect(try TestSupport.sqlite(path, "SELECT name || '=' || seq FROM sqlite_sequence WHERE name IN ('audit_log', 'outbox') ORDER BY name;")
            == "audit_log=5\noutbox=7")
        #expect(try TestSupport.sqlite(path, "SELECT count(*) FROM sqlite_sequence WHERE name LIKE '%_new';") == "0")
        let balance = try #require(try store.balance(customerID: "C-1").first)
        #expect(balance.invoiced.minorUnits == 1190 && balance.paid.minorUnits == 500 && balance.unapplied.minorUnits == 300)
        #expect(try TestSupport.sqlite(path, "SELECT payment_id FROM payment INDEXED BY payment_unapplied_customer WHERE customer_id = 'C-1' AND unapplied_minor > 0;") == "P-2")
        #expect(try TestSupport.sqlite(path, "PRAGMA foreign_key_check;") == "")
        // The other rules of the rebuilt tables still hold.
        let refused = [
            "UPDATE billing_order SET status = 'shipped';",
            "UPDATE payment SET unapplied_minor = 900 WHERE payment_id = 'P-2';",
            "INSERT INTO outbox (topic, created_at, event_type) VALUES ('billing.events', 't', 'invoice.paid');",
            "INSERT INTO outbox (topic, created_at, document_number) VALUES ('billing.events', 't', 'INV-404');",
        ]
        for sql in refused {
            #expect(try TestSupport.run(["sqlite3", path, "PRAGMA foreign_keys = ON; " + sql]).status != 0, "\(sql)")
        }
    }

    /// A store in a temporary directory, migrated up to `migration` (an older schema) and holding the rows
    /// that `sql` inserts; the caller removes the directory.
    private static func store(at migration: String, rows sql: String) async throws -> (directory: URL, path: String) {
        let directory = try TestSupport.temporaryDirectory("migrate")
        let path = directory.appendingPathComponent("billing.sqlite").path
        let old = try DatabaseQueue(path: path)
        try await old.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        try BillingSchema.migrator.migrate(old, upTo: migration)
        try await old.write { db in try db.execute(sql: sql) }
        return (directory, path)
    }
}
