import BillingCore
import Foundation
import GRDB

extension BillingStore {
    /// Processes one consumed batch in one write transaction: every accepted event through the billing
    /// decisions (invoices, payments, waiting events, rejections), then the batch's offsets, all dead
    /// letters and all outbox rows. A failure anywhere rolls back everything, invoice numbers included.
    ///
    /// - Throws: a GRDB `DatabaseError` (disk full, I/O error, constraint); nothing is written then.
    public func processBatch(
        _ batch: IngestBatch, events: [SourcedEvent], context: BillingContext, settings: ProcessingSettings
    ) async throws -> BatchOutcome {
        let cache = orderCache
        let (outcome, changedOrders) = try await pool.write { db in
            var writer = BatchWriter(db: db, context: context, settings: settings, cache: cache)
            for event in events {
                try writer.handle(event)
            }
            var record = batch
            record.deadLetters += writer.deadLetters
            record.outbox += writer.outbox
            try Self.record(record, db: db)
            return (writer.outcome, writer.changedOrders)
        }
        // Committed: only now may other batches see these orders through the cache.
        orderCache.merge(changedOrders)
        return outcome
    }
}
