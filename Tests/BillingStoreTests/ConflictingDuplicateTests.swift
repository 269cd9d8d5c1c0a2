import BillingCore
import BillingStore
import Foundation
import TestSupport
import Testing

/// The same business key with other content is dead-lettered as `conflicting_duplicate`, naming both
/// events; an exact repeat stays a silent, counted no-op.
@Suite("Conflicting duplicates")
struct ConflictingDuplicateTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("billingd-conflict-\(UUID().uuidString).sqlite").path
    let base = ProcessBatchTests()

    func process(_ store: BillingStore, _ events: [(Int64, String)]) async throws -> BatchOutcome {
        try await store.processBatch(
            IngestBatch(offsets: [ConsumerOffset(topic: "orders", partition: 0, nextOffset: (events.map(\.0).max() ?? 0) + 1)], processedAt: base.context.now),
            events: try events.map { try base.event($0.0, $0.1) }, context: base.context, settings: base.settings)
    }

    func deadLetters() throws -> [String] {
        try TestSupport.sqlite(path, "SELECT source_offset || '|' || reason_code || '|' || coalesce(event_id, '') || '|' || reason FROM dead_letter ORDER BY id;")
            .split(separator: "\n").map(String.init)
    }

    static func with(_ json: String, id: String, _ replacements: [(String, String)] = []) -> String {
        var result = json.replacingOccurrences(of: #""id":"e"#, with: #""id":"\#(id)-"#)
        for (old, new) in replacements { result = result.replacingOccurrences(of: old, with: new) }
        return result
    }

    @Test("shipment, payment and order resent under new event ids: exact repeats skip, other content is dead-lettered with both event ids")
    func businessKeys() async throws {
        let store = try BillingStore.openForWriting(path: path)
        _ = try await process(store, [(0, ProcessBatchTests.order), (1, ProcessBatchTests.shipment), (2, ProcessBatchTests.payment)])
        // Exact repeats under new event ids (a producer that resends with a fresh id): no-ops, counted.
        let exact = try await process(store, [
            (3, Self.with(ProcessBatchTests.order, id: "r")), (4, Self.with(ProcessBatchTests.shipment, id: "r")),
            (5, Self.with(ProcessBatchTests.payment, id: "r")),
        ])
        #expect(exact.duplicatesSkipped == 3)
        #expect(exact.rejections.isEmpty)
        // The same keys with other content.
        let conflicting = try await process(store, [
            (6, Self.with(ProcessBatchTests.shipment, id: "x", [(#""quantity":"2""#, #""quantity":"1""#)])),
            (7, Self.with(ProcessBatchTests.payment, id: "x", [(#""amount":"23.80""#, #""amount":"2380.00""#)])),
            (8, Self.with(ProcessBatchTests.order, id: "x", [(#""unit_price":"10""#, #""unit_price":"11""#)])),
        ])
        #expect(conflicting.rejections == ["conflicting_duplicate": 3])
        #expect(conflicting.invoicesIssued == 0)
        let letters = try deadLetters()
        #expect(letters.count == 3)
        #expect(letters[0].hasPrefix("6|conflicting_duplicate|x-2|shipment S-1"), "\(letters[0])")
        #expect(letters[0].contains("/t#e2") && letters[0].contains("/t#x-2"), "both event ids: \(letters[0])")
        #expect(letters[0].contains("1=2") && letters[0].contains("1=1"), "the quantities: \(letters[0])")
        #expect(letters[1].hasPrefix("7|conflicting_duplicate|x-3|payment P-1"), "\(letters[1])")
        #expect(letters[1].contains("/t#e3") && letters[1].contains("/t#x-3"), "\(letters[1])")
        #expect(letters[1].contains("23.80 EUR → 2380.00 EUR"), "\(letters[1])")
        #expect(letters[2].hasPrefix("8|conflicting_duplicate|x-1|order O-1"), "\(letters[2])")
        #expect(letters[2].contains("/t#e1") && letters[2].contains("/t#x-1"), "\(letters[2])")
        // Nothing changed: one invoice, paid once, the payment as first received.
        let invoices = try store.invoices(InvoiceFilter())
        #expect(invoices.map { "\($0.number) \($0.gross.amountString) \($0.status)" } == ["INV-2026-000001 23.80 paid"])
        #expect(try TestSupport.sqlite(path, "SELECT amount_minor FROM payment WHERE payment_id = 'P-1';") == "2380")
    }

    @Test("the same event id with other bytes is dead-lettered; with the same bytes it is skipped")
    func sameEventID() async throws {
        let store = try BillingStore.openForWriting(path: path)
        _ = try await process(store, [(0, ProcessBatchTests.order)])
        let amended = #"{"specversion":"1.0","id":"a1","source":"/t","type":"order.amended","data":{"order_id":"O-1","customer_id":"C-1","currency":"EUR","order_date":"2026-11-20","lines":[{"line_id":"1","quantity":"3","unit_price":"10","tax_rate":"19"}]}}"#
        _ = try await process(store, [(1, amended)])
        let repeated = try await process(store, [(2, amended)])
        #expect(repeated.duplicatesSkipped == 1)
        #expect(repeated.rejections.isEmpty)
        // A different amendment under the id of the first: the first stands.
        let other = try await process(store, [(3, amended.replacingOccurrences(of: #""quantity":"3""#, with: #""quantity":"4""#))])
        #expect(other.rejections == ["conflicting_duplicate": 1])
        let letters = try deadLetters()
        #expect(letters.count == 1)
        #expect(letters.first?.hasPrefix("3|conflicting_duplicate|a1|event id a1") == true, "\(letters)")
        #expect(letters.first?.contains("orders[0]@1") == true, "names where the first version was read: \(letters)")
        #expect(try TestSupport.sqlite(path, "SELECT json_extract(order_data, '$.lines[0].quantity') FROM billing_order;") == "3")
    }
}
