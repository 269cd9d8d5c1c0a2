import BillingCore
import Foundation
import TestSupport
import Testing

@testable import BillingStore

@Suite("WAL bounded while batches are decided on top of the one committing")
struct PipelinedCheckpointTests {
    static let context = BillingContext(
        now: Date(timeIntervalSince1970: 1_795_338_900), timeZone: TimeZone(identifier: "UTC")!, seller: Party(name: "Seller"),
        numbering: InvoiceNumbering(prefix: "INV"), defaultPaymentTermDays: 30)
    static let settings = ProcessingSettings(eventsTopic: "billing.events", deadLetterTopic: "billing.dlq", maxDeadLetterPayloadBytes: 10_000)

    static func events(batch: Int, orders: Int) throws -> [SourcedEvent] {
        var events: [SourcedEvent] = []
        for index in 0..<orders {
            let order = batch * orders + index
            let customer = "C-\(order % 97)"
            let jsons = [
                #"{"specversion":"1.0","id":"p\#(order)","source":"/t","type":"order.placed","data":{"order_id":"O-\#(order)","customer_id":"\#(customer)","currency":"EUR","order_date":"2026-11-20","lines":[{"line_id":"1","description":"Widget \#(order)","quantity":"2","unit_price":"10.50","tax_rate":"19"}]}}"#,
                #"{"specversion":"1.0","id":"f\#(order)","source":"/t","type":"order.fulfilled","data":{"shipment_id":"S-\#(order)","order_id":"O-\#(order)","customer_id":"\#(customer)","ship_date":"2026-11-21","lines":[{"line_id":"1","quantity":"2"}]}}"#,
                #"{"specversion":"1.0","id":"m\#(order)","source":"/t","type":"payment.received","data":{"payment_id":"P-\#(order)","customer_id":"\#(customer)","amount":"5.00","currency":"EUR","received_date":"2026-11-25","references":["O-\#(order)"]}}"#,
            ]
            for (offset, json) in jsons.enumerated() {
                let record = InputRecord(
                    position: LogPosition(topic: "orders", partition: 0, offset: Int64(order * 3 + offset)), key: Array(customer.utf8),
                    value: Array(json.utf8), headers: [], timestampMilliseconds: nil)
                events.append(SourcedEvent(record: record, envelope: try EnvelopeDecoder(maxPayloadBytes: 10_000).decode(record.value)))
            }
        }
        return events
    }

    @Test("batch N + 1 decided while N commits: the WAL starts over past its limit instead of growing, and every order is invoiced once")
    func walStaysBoundedWhilePipelined() async throws {
        let directory = try TestSupport.temporaryDirectory("walpipe")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("billing.sqlite").path
        // A 2 MiB hard limit, so a few batches cross it.
        let hardLimit: Int32 = 512
        let store = try BillingStore.openForWriting(
            path: path, checkpointer: WALCheckpointer(path: path, threshold: 128, catchUp: 16, hardLimit: hardLimit))
        let batches = 120
        let orders = 40
        // Decoded beforehand, as the ingest loop has the next batch decoded by the time it submits it: the
        // read-ahead is never idle between batches.
        let decoded = try (0..<batches).map { try Self.events(batch: $0, orders: orders) }
        var previous: SubmittedBatch?
        var largestBatch = 0
        for batch in 0..<batches {
            let before = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            // As the ingest loop does: submit batch N + 1, then wait for N's commit.
            let submitted = try await store.submitBatch(
                IngestBatch(offsets: [ConsumerOffset(topic: "orders", partition: 0, nextOffset: Int64((batch + 1) * orders * 3))], processedAt: Self.context.now),
                events: decoded[batch], context: Self.context, settings: Self.settings)
            if let previous { _ = try await store.confirm(previous) }
            previous = submitted
            let after = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            largestBatch = max(largestBatch, after - before)
        }
        if let previous { _ = try await store.confirm(previous) }
        // The batches in flight at most come on top of the limit.
        let walBytes = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        let bound = Int(hardLimit) * 4120 + 4 * largestBatch
        #expect(walBytes <= bound, "WAL is \(walBytes) bytes, bound \(bound) (largest batch \(largestBatch))")
        let invoices = try TestSupport.sqlite(path, "SELECT count(*), count(DISTINCT shipment_id), min(sequence), max(sequence) FROM invoice;")
        #expect(invoices == "\(batches * orders)|\(batches * orders)|1|\(batches * orders)")
        #expect(try store.nextOffsets(topics: ["orders"]).map(\.nextOffset) == [Int64(batches * orders * 3)])
    }
}
