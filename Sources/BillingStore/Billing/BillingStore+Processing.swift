import BillingCore
import Foundation
import GRDB

extension BillingStore {
    /// Processes one consumed batch in one write transaction: every accepted event through the billing
    /// decisions (invoices, payments, waiting events, rejections), with their audit and outbox rows, then
    /// the batch's offsets and dead letters. The decisions run on GRDB's writer queue and the writes on
    /// the SQL pipeline's thread; the commit waits for both. A failure anywhere rolls back everything,
    /// invoice numbers included.
    ///
    /// - Throws: a GRDB `DatabaseError` (disk full, I/O error, constraint); nothing is written then.
    public func processBatch(
        _ batch: IngestBatch, events: [SourcedEvent], context: BillingContext, settings: ProcessingSettings
    ) async throws -> BatchOutcome {
        guard let pipeline, let reader = committedReader else { throw StoreError.readOnly(path: path) }
        let cache = orderCache
        let index = committedIndex
        let (outcome, writer) = try await pool.write { db in
            // AUTOINCREMENT: ids only grow, even past deleted rows; the batch numbers its rows from here.
            let lastOutboxID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")) ?? 0
            var writer = BatchWriter(
                db: db, pipeline: pipeline, reader: reader, context: context, settings: settings, cache: cache, index: index,
                nextOutboxID: lastOutboxID + 1)
            do {
                // The dead letters' messages found before the batch came here go first in the outbox.
                var record = batch
                for message in record.outbox { writer.enqueue(message) }
                record.outbox = []
                // A slice at a time: what a slice needs is read while the writes of the slices before run,
                // all of it in one read transaction on the committed state.
                try reader.withSnapshot {
                    var next = events.startIndex
                    while next < events.endIndex {
                        let slice = events[next..<min(next + 128, events.endIndex)]
                        try writer.prefetch(slice)
                        for event in slice {
                            try writer.handle(event)
                        }
                        next = slice.endIndex
                        writer.flush()
                    }
                }
                writer.writeSequences()
                writer.writeRows()
                record.deadLetters += writer.deadLetters
                Self.record(record, to: &writer.pending)
                // Every write has run before the transaction commits.
                try writer.settle()
            } catch {
                // Nothing of the pipeline's may run during the rollback.
                pipeline.abandon()
                throw error
            }
            return (writer.outcome, Changes(orders: writer.changedOrders, series: writer.createdSeries, waitingAdded: writer.waitingAdded, waitingReleased: writer.waitingReleased))
        }
        // Committed: only now may other batches see these changes through the caches.
        orderCache.merge(writer.orders)
        committedIndex.merge(series: writer.series, waitingAdded: writer.waitingAdded, waitingReleased: writer.waitingReleased)
        return outcome
    }
}

/// What a committed batch changed that the in-memory caches must learn.
struct Changes: Sendable {
    let orders: [String: OrderRecord]
    let series: Set<String>
    let waitingAdded: Set<String>
    let waitingReleased: Set<String>
}
