import BillingCore
import Synchronization

/// Committed orders kept in memory, so a shipment does not re-read and re-parse its order.
///
/// Only this process writes the database, so the cache can follow it exactly: a batch's changes go to
/// an overlay first and reach the cache only after the batch's transaction has committed.
final class OrderCache: Sendable {
    private let entries = Mutex<[String: OrderRecord]>([:])
    /// When the cache grows past this many orders it starts over (orders are re-read as needed).
    let capacity: Int

    init(capacity: Int = 200_000) {
        self.capacity = capacity
    }

    func get(_ orderID: String) -> OrderRecord? {
        entries.withLock { $0[orderID] }
    }

    /// Adds committed state read from the database.
    func remember(_ record: OrderRecord) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[record.order.orderID] = record
        }
    }

    /// Applies a committed batch's order changes.
    func merge(_ changes: [String: OrderRecord]) {
        guard !changes.isEmpty else { return }
        entries.withLock { entries in
            if entries.count + changes.count > capacity { entries.removeAll(keepingCapacity: true) }
            entries.merge(changes) { $1 }
        }
    }
}
