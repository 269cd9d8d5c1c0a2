import BillingCore
import Foundation
import GRDB
import Synchronization

extension BillingStore {
    /// Processes one consumed batch in one write transaction and waits until it is committed: `submitBatch`
    /// then `confirm`.
    ///
    /// - Throws: a GRDB `DatabaseError` (disk full, I/O error, constraint); nothing of the batch is
    ///   written then.
    public func processBatch(
        _ batch: IngestBatch, events: [SourcedEvent], context: BillingContext, settings: ProcessingSettings
    ) async throws -> BatchOutcome {
        do {
            return try await confirm(try await submitBatch(batch, events: events, context: context, settings: settings))
        } catch {
            discardSubmitted()
            throw error
        }
    }

    /// Decides one consumed batch and hands its writes and its commit to the SQL pipeline, without
    /// waiting for the commit: every accepted event goes through the billing decisions (invoices,
    /// payments, waiting events, rejections), with its audit and outbox rows, then the batch's offsets
    /// and dead letters, all in one transaction. The decisions run on GRDB's writer queue and the writes
    /// on the pipeline's thread.
    ///
    /// While the batch before is still committing, this batch is decided on top of it (its changes are
    /// carried over); if that batch then fails, this one fails with it. Callers alternate: submit batch
    /// N + 1, then `confirm` batch N; one caller at a time.
    ///
    /// - Throws: the `DatabaseError` of the batch before, if it failed (call `discardSubmitted`, then
    ///   store both again), or an error in deciding this batch (nothing of it is written).
    public func submitBatch(
        _ batch: IngestBatch, events: [SourcedEvent], context: BillingContext, settings: ProcessingSettings
    ) async throws -> SubmittedBatch {
        guard let pipeline, let reader = committedReader else { throw StoreError.readOnly(path: path) }
        // At most one batch may be carried: anything older is confirmed first.
        while let older = submitted.withLock({ $0.count > 1 ? $0.first : nil }) {
            _ = try await confirm(older)
        }
        var inherited: BatchChanges?
        if let previous = submitted.withLock({ $0.first }) {
            switch previous.commit.outcome {
            case .success: _ = try await confirm(previous)
            case .failure(let error): throw error
            case nil:
                if checkpointer?.wantsQuiet == true {
                    // The WAL is past its limit: read nothing until the batch before is committed, so that
                    // commit can copy all of the WAL and the next transaction start it over.
                    _ = try await confirm(previous)
                } else {
                    inherited = previous.changes
                }
            }
        }
        let cache = orderCache
        let index = committedIndex
        let carried = inherited
        let submission = try await pool.writeWithoutTransaction { db in
            // The batch numbers its outbox rows: after the batch it is decided on top of, or else after the
            // last id ever given (AUTOINCREMENT: ids only grow, even past deleted rows), read once the
            // pipeline has run everything it holds.
            let nextOutboxID: Int64
            if let carried {
                nextOutboxID = carried.nextOutboxID
            } else {
                pipeline.waitUntilIdle()
                nextOutboxID = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")) ?? 0) + 1
            }
            var writer = BatchWriter(
                db: db, pipeline: pipeline, reader: reader, context: context, settings: settings, cache: cache, index: index,
                nextOutboxID: nextOutboxID, inherited: carried)
            pipeline.begin()
            do {
                // The dead letters' messages found before the batch came here go first in the outbox.
                var record = batch
                for message in record.outbox { writer.enqueue(message) }
                record.outbox = []
                // A slice at a time: what a slice needs is read while the writes of the slices before run,
                // all of it in one read transaction on the committed state.
                writer.reserve(for: events)
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
                writer.writeNewOrders()
                writer.writeSequences()
                writer.writeRows()
                record.deadLetters += writer.deadLetters
                Self.record(record, to: &writer.pending)
                writer.flush()
            } catch {
                // Nothing of this batch may be committed; a batch before it still may.
                pipeline.abort()
                throw error
            }
            return SubmittedBatch(commit: pipeline.commit(), outcome: writer.outcome, changes: writer.changes)
        }
        submitted.withLock { $0.append(submission) }
        return submission
    }

    /// Waits until a submitted batch is committed; only then may the caches, the relay and Kafka learn
    /// of it.
    ///
    /// - Throws: the `DatabaseError` that failed this batch or one it was decided on top of: call
    ///   `discardSubmitted`, then store the batches again from this one on.
    public func confirm(_ batch: SubmittedBatch) async throws -> BatchOutcome {
        try await batch.commit.value()
        let first = submitted.withLock { queue -> Bool in
            guard let index = queue.firstIndex(where: { $0.commit === batch.commit }) else { return false }
            queue.remove(at: index)
            return true
        }
        if first {
            // Committed: only now may later batches see these changes through the caches.
            orderCache.merge(batch.changes.orders)
            committedIndex.merge(series: batch.changes.createdSeries, waitingAdded: batch.changes.waitingAdded, waitingReleased: batch.changes.waitingReleased)
        }
        return batch.outcome
    }

    /// Forgets every submitted batch that is not confirmed, after a failure: their commits failed or
    /// will fail, and the pipeline takes new batches again once it has run what it holds.
    public func discardSubmitted() {
        pipeline?.reset()
        submitted.withLock { $0.removeAll() }
    }
}

/// A batch decided and handed to the SQL pipeline, whose commit may still be pending.
public struct SubmittedBatch: Sendable {
    let commit: SQLPipeline.Commit
    /// What the batch did, valid once it is confirmed.
    public let outcome: BatchOutcome
    let changes: BatchChanges
}

/// What a batch changed that later batches must see before it is committed (they are decided on top
/// of it), and that the in-memory caches learn once it is.
struct BatchChanges: Sendable {
    var overlay: BatchOverlay
    var orders: [String: OrderRecord]
    var lastSequences: [String: Int64]
    var createdSeries: Set<String>
    var waitingAdded: Set<String>
    var waitingReleased: Set<String>
    /// The id the next batch's first outbox row gets.
    var nextOutboxID: Int64
}
