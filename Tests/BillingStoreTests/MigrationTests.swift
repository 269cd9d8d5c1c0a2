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
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("billingd-migrate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("billing.sqlite").path

        // The schema as the first release left it, with an order, its invoice (document inside the row),
        // a payment, and outbox rows of which the third was never published.
        do {
            let old = try DatabaseQueue(path: path)
            try await old.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try BillingSchema.migrator.migrate(old, upTo: "2026-11-22 orders, invoices, payments, audit")
            try await old.write { db in
                try db.execute(sql: """
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
            }
        }

        let store = try BillingStore.openForWriting(path: path)
        #expect(try store.appliedMigrations().last == "2026-12-05 billing events in the outbox without their envelope")
        let invoice = try #require(try store.invoice(number: "INV-2026-000001"))
        #expect(invoice.summary.status == "partially_paid")
        #expect(invoice.summary.paid.minorUnits == 500)
        #expect(invoice.documentJSON == #"{"invoice_number":"INV-2026-000001"}"#)
        #expect(invoice.payments.map(\.paymentID) == ["P-1"])
        let balance = try #require(try store.balance(customerID: "C-1").first)
        #expect(balance.invoiced.minorUnits == 1190 && balance.paid.minorUnits == 500 && balance.unapplied.minorUnits == 300)
        // Only the payment with money left unapplied is indexed by customer, and the balance query finds it there.
        #expect(try SQLiteShell.sqlite(path, "SELECT payment_id FROM payment INDEXED BY payment_unapplied_customer WHERE customer_id = 'C-1' AND unapplied_minor > 0;") == "P-2")
        let plan = try SQLiteShell.sqlite(
            path, "EXPLAIN QUERY PLAN SELECT currency, sum(unapplied_minor) FROM payment WHERE customer_id = 'C-1' AND unapplied_minor > 0 GROUP BY currency;")
        #expect(plan.contains("USING INDEX payment_unapplied_customer"), "\(plan)")
        // Everything from the first unpublished row on goes out again: never a gap.
        #expect(try await store.unpublishedOutbox(limit: 10).map(\.message.value) == [[3], [4]])
        // A row as written between 2026-12-04 and 2026-12-05 (the envelope after the data, the document named)
        // still reads as the whole message.
        _ = try SQLiteShell.sqlite(path, """
            INSERT INTO outbox (id, topic, payload, headers, created_at, document_number)
            VALUES (9, 'billing.events', CAST(',"type":"invoice.issued"}' AS BLOB), '[{"name":"ce_type","value":"aW52b2ljZS5pc3N1ZWQ="}]', 't', 'INV-2026-000001');
            """)
        let documentRow = try #require(try await store.unpublishedOutbox(after: 4, limit: 10).first)
        #expect(documentRow.message.value == Array(#"{"data":{"invoice_number":"INV-2026-000001"},"type":"invoice.issued"}"#.utf8))
        #expect(documentRow.message.headers == [MessageHeader(name: "ce_type", string: "invoice.issued")])
        #expect(try SQLiteShell.sqlite(path, "PRAGMA foreign_key_check;") == "")
        #expect(try SQLiteShell.sqlite(path, "SELECT status, invoiced_quantities FROM billing_order;") == #"invoiced|{"1":"2"}"#)
        // The rebuilt tables still enforce their rules.
        #expect(try TestSupport.run(["sqlite3", path, "UPDATE invoice SET status = 'void';"]).status != 0, "the status CHECK")
        #expect(try TestSupport.run(["sqlite3", path, "UPDATE invoice SET paid_minor = 2000;"]).status != 0, "paid at most the gross")
    }
}
