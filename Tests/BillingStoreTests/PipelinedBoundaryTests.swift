import BillingCore
import Foundation
import TestSupport
import Testing

@testable import BillingStore

@Suite("Batches decided on top of the one committing, cut anywhere in an order's events")
struct PipelinedBoundaryTests {
    @Test("an order placed in one batch and shipped and paid in the next ones, while each is decided on top of the one committing: invoiced once, every row stored")
    func ordersAcrossPipelinedBatches() async throws {
        let directory = try TestSupport.temporaryDirectory("pipeboundary")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("billing.sqlite").path
        let store = try BillingStore.openForWriting(path: path, checkpointer: WALCheckpointer(path: path))
        let orders = 300
        let stream = try PipelinedCheckpointTests.events(batch: 0, orders: orders)
        var previous: SubmittedBatch?
        var start = 0
        // Batches of 7 events: every order's three events fall across batch boundaries at one point or another.
        while start < stream.count {
            let end = min(start + 7, stream.count)
            let submitted = try await store.submitBatch(
                IngestBatch(offsets: [ConsumerOffset(topic: "orders", partition: 0, nextOffset: Int64(end))], processedAt: PipelinedCheckpointTests.context.now),
                events: Array(stream[start..<end]), context: PipelinedCheckpointTests.context, settings: PipelinedCheckpointTests.settings)
            if let previous { _ = try await store.confirm(previous) }
            previous = submitted
            start = end
        }
        if let previous { _ = try await store.confirm(previous) }
        let invoices = try TestSupport.sqlite(path, "SELECT count(*), count(DISTINCT shipment_id), min(sequence), max(sequence) FROM invoice;")
        #expect(invoices == "\(orders)|\(orders)|1|\(orders)")
        let stored = try TestSupport.sqlite(path, "SELECT count(*), sum(status = 'invoiced'), sum(invoiced_quantities = '{\"1\":\"2\"}') FROM billing_order;")
        #expect(stored == "\(orders)|\(orders)|\(orders)")
        #expect(try TestSupport.sqlite(path, "SELECT count(*) FROM payment_allocation;") == "\(orders)")
    }
}
