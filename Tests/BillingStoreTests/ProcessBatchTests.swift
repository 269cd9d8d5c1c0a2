import BillingCore
import BillingStore
import Foundation
import TestSupport
import Testing

@Suite("Processing a batch in one transaction")
struct ProcessBatchTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("billingd-process-\(UUID().uuidString).sqlite").path
    let context = BillingContext(
        now: Date(timeIntervalSince1970: 1_795_338_900), timeZone: TimeZone(identifier: "UTC")!, seller: Party(name: "Seller"),
        numbering: InvoiceNumbering(prefix: "INV"), defaultPaymentTermDays: 30)
    let settings = ProcessingSettings(eventsTopic: "billing.events", deadLetterTopic: "billing.dlq", maxDeadLetterPayloadBytes: 10_000)

    func event(_ offset: Int64, _ json: String) throws -> SourcedEvent {
        let record = InputRecord(
            position: LogPosition(topic: "orders", partition: 0, offset: offset), key: Array("C-1".utf8), value: Array(json.utf8), headers: [],
            timestampMilliseconds: nil)
        return SourcedEvent(record: record, envelope: try EnvelopeDecoder(maxPayloadBytes: 10_000).decode(record.value))
    }

    static let order = #"{"specversion":"1.0","id":"e1","source":"/t","type":"order.placed","data":{"order_id":"O-1","customer_id":"C-1","currency":"EUR","order_date":"2026-11-20","lines":[{"line_id":"1","quantity":"2","unit_price":"10","tax_rate":"19"}]}}"#
    static let shipment = #"{"specversion":"1.0","id":"e2","source":"/t","type":"order.fulfilled","data":{"shipment_id":"S-1","order_id":"O-1","customer_id":"C-1","ship_date":"2026-11-21","lines":[{"line_id":"1","quantity":"2"}]}}"#
    static let payment = #"{"specversion":"1.0","id":"e3","source":"/t","type":"payment.received","data":{"payment_id":"P-1","customer_id":"C-1","amount":"23.80","currency":"EUR","received_date":"2026-11-25","references":["O-1"]}}"#

    @Test("an order, its shipment and its payment: invoice paid, events queued, audit rows in order")
    func wholeFlow() async throws {
        let store = try BillingStore.openForWriting(path: path)
        // The shipment comes first and waits for its order, which arrives in the same batch.
        let events = [try event(0, Self.shipment), try event(1, Self.order), try event(2, Self.payment)]
        let outcome = try await store.processBatch(
            IngestBatch(offsets: [ConsumerOffset(topic: "orders", partition: 0, nextOffset: 3)], processedAt: context.now),
            events: events, context: context, settings: settings)
        #expect(outcome.invoiceNumbers == ["INV-2026-000001"])
        #expect(outcome.eventsWaiting == 1)
        #expect(outcome.eventsReleased == 1)
        let invoices = try store.invoices(InvoiceFilter())
        #expect(invoices.map { "\($0.number) \($0.gross.amountString) \($0.status)" } == ["INV-2026-000001 23.80 paid"])
        // billingctl's `invoice show`: the stored document is the one published, and the payment is listed.
        let detail = try #require(try store.invoice(number: "INV-2026-000001"))
        #expect(detail.payments.map(\.paymentID) == ["P-1"])
        let published = try TestSupport.sqlite(
            path, "SELECT json_extract(CAST(payload AS TEXT), '$.data') FROM outbox_message WHERE json_extract(CAST(payload AS TEXT), '$.type') = 'invoice.issued';")
        // The outbox rows keep no envelope: the fields it is made of, and the data unless it is the named document.
        let stored = try TestSupport.sqlite(
            path, """
                SELECT event_type || ' ' || event_subject || ' ' || event_source || ' ' || coalesce(document_number, '-') || ' ' \
                || coalesce(json_extract(CAST(payload AS TEXT), '$.invoice_number'), '-') || ' ' || headers FROM outbox ORDER BY id;
                """)
        #expect(stored.split(separator: "\n") == [
            "invoice.issued INV-2026-000001 billingd INV-2026-000001 - []", "invoice.paid INV-2026-000001 billingd - INV-2026-000001 []",
            "payment.applied P-1 billingd - - []",
        ])
        #expect(try JSONParser.parse(Array(detail.documentJSON.utf8)) == JSONParser.parse(Array(published.utf8)))
        #expect(try JSONParser.parse(Array(detail.documentJSON.utf8))["invoice_number"]?.stringValue == "INV-2026-000001")
        let actions = try TestSupport.sqlite(path, "SELECT entity_type || ':' || action FROM audit_log ORDER BY id;")
        #expect(actions.split(separator: "\n") == [
            "order:event_waiting", "order:placed", "invoice:issued", "invoice:payment_applied", "payment:received",
        ])
        let types = try TestSupport.sqlite(path, "SELECT json_extract(CAST(payload AS TEXT), '$.type') FROM outbox_message ORDER BY id;")
        #expect(types.split(separator: "\n") == ["invoice.issued", "invoice.paid", "payment.applied"])
        // The rows the outcome hands to the relay are the stored rows: same ids, same content.
        let unpublished = try await store.unpublishedOutbox(limit: 100)
        #expect(outcome.outbox.count == 3)
        #expect(outcome.outbox == unpublished)

        // The same events again change nothing.
        let again = try await store.processBatch(
            IngestBatch(offsets: [ConsumerOffset(topic: "orders", partition: 0, nextOffset: 3)], processedAt: context.now),
            events: events, context: context, settings: settings)
        #expect(again.duplicatesSkipped == 3)
        #expect(again.outbox.isEmpty)
        // A later batch numbers its rows after the last one, also after rows recorded outside a batch.
        try await store.recordBatch(IngestBatch(
            offsets: [], outbox: [OutboundMessage(topic: "billing.dlq", key: nil, value: [1])], processedAt: context.now))
        let late = try await store.processBatch(
            IngestBatch(offsets: [ConsumerOffset(topic: "orders", partition: 0, nextOffset: 4)], processedAt: context.now),
            events: [try event(3, Self.payment.replacingOccurrences(of: "\"e3\"", with: "\"e4\"").replacingOccurrences(of: "P-1", with: "P-2"))],
            context: context, settings: settings)
        #expect(late.outbox.map(\.id) == [5])
        #expect(try await store.unpublishedOutbox(after: 4, limit: 100) == late.outbox)
        #expect(try store.status().invoices == 1)
    }

    @Test("a billing event's outbox row gives back the published bytes, whatever characters its subject and source hold")
    func compactOutboxRowsRebuildTheMessage() async throws {
        let store = try BillingStore.openForWriting(path: path)
        // JSON escapes in the input: quote, backslash, backspace, form feed, newline, tab, U+0001, U+007F, non-ASCII.
        let paymentID = #"P-\"q\\b\b\f\n\t\u0001\u007f-ü€😀-end"#
        let payment = Self.payment.replacingOccurrences(of: #""P-1""#, with: "\"\(paymentID)\"")
        let source = "urn:billingd:\"eu\"\\\u{8}\u{C}\u{1}ö"
        let settings = ProcessingSettings(eventsTopic: "billing.events", deadLetterTopic: "billing.dlq", maxDeadLetterPayloadBytes: 10_000, eventSource: source)
        let outcome = try await store.processBatch(
            IngestBatch(offsets: [ConsumerOffset(topic: "orders", partition: 0, nextOffset: 3)], processedAt: context.now),
            events: [try event(0, Self.order), try event(1, Self.shipment), try event(2, payment)], context: context, settings: settings)
        #expect(outcome.paymentsRecorded == 1)
        #expect(outcome.outbox.count == 3)
        // The relay's read after a restart goes through the view: byte for byte what the batch handed over.
        let stored = try await store.unpublishedOutbox(limit: 10)
        #expect(stored == outcome.outbox)
        let applied = try #require(stored.last?.message.value)
        let envelope = try JSONParser.parse(applied)
        let subject = "P-\"q\\b\u{8}\u{C}\n\t\u{1}\u{7F}-ü€😀-end"
        #expect(envelope["subject"]?.stringValue == subject)
        #expect(envelope["id"]?.stringValue == "payment.applied/" + subject)
        #expect(envelope["source"]?.stringValue == source)
        #expect(stored.last?.message.headers == [MessageHeader(name: "ce_type", string: "payment.applied"), MessageHeader(name: "ce_id", string: "payment.applied/" + subject)])
        // The same bytes as sqlite3 shows them through the view.
        let hex = try TestSupport.sqlite(path, "SELECT hex(payload) FROM outbox_message WHERE id = \(try #require(stored.last?.id));")
        #expect(hex == applied.map { String(format: "%02X", $0) }.joined())
    }

    static let amended = #"{"specversion":"1.0","id":"e4","source":"/t","type":"order.amended","data":{"order_id":"O-1","customer_id":"C-1","currency":"EUR","order_date":"2026-11-20","payment_terms":{"net_days":14},"lines":[{"line_id":"1","quantity":"5","unit_price":"10","tax_rate":"19"}]}}"#
    static let partial = #"{"specversion":"1.0","id":"e5","source":"/t","type":"order.fulfilled","data":{"shipment_id":"S-2","order_id":"O-1","customer_id":"C-1","ship_date":"2026-11-21","lines":[{"line_id":"1","quantity":"3"}]}}"#

    @Test("an order placed, amended and partly shipped in one batch is stored as when each event has a batch of its own")
    func orderRowOncePerBatch() async throws {
        let query = """
            SELECT order_id || ' ' || customer_id || ' ' || currency || ' ' || status || ' ' || payment_term_days || ' ' || invoiced_quantities
                || ' ' || order_data FROM billing_order;
            SELECT number || ' ' || gross_minor || ' ' || due_date FROM invoice;
            """
        var stored: [String] = []
        for batches in [[[Self.order, Self.amended, Self.partial]], [[Self.order], [Self.amended], [Self.partial]]] {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("billingd-order-once-\(UUID().uuidString).sqlite").path
            let store = try BillingStore.openForWriting(path: path)
            var offset: Int64 = 0
            for batch in batches {
                var events: [SourcedEvent] = []
                for json in batch {
                    events.append(try event(offset, json))
                    offset += 1
                }
                _ = try await store.processBatch(
                    IngestBatch(offsets: [ConsumerOffset(topic: "orders", partition: 0, nextOffset: offset)], processedAt: context.now),
                    events: events, context: context, settings: settings)
            }
            stored.append(try TestSupport.sqlite(path, query))
        }
        #expect(stored[0] == stored[1])
        // Amended to 5 at 10.00 (+19 %) with 14 days' terms, 3 shipped: 35.70, issued on 2026-11-22 (today in the
        // context) and due 14 days later.
        #expect(stored[0].contains("O-1 C-1 EUR open 14 {\"1\":\"3\"}"))
        #expect(stored[0].contains("\"quantity\":\"5\""))
        #expect(stored[0].hasSuffix("INV-2026-000001 3570 2026-12-06"))
    }
}
