import BillingCore
import Synchronization

/// Committed open orders kept in memory, so a shipment does not re-read and re-parse its order.
///
/// Only this process writes the database, so the cache can follow it exactly: a batch's changes go to
/// an overlay first and reach the cache only after the batch's transaction has committed. Orders that
/// are fully invoiced or cancelled leave the cache: later events about them are rare (a repeated
/// shipment, a late amendment to reject) and read them from the database.
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
        guard record.status == .open else { return }
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
            for (orderID, record) in changes {
                if record.status == .open {
                    entries[orderID] = record
                } else {
                    entries.removeValue(forKey: orderID)
                }
            }
        }
    }
}

/// Facts about committed rows that spare a query per event: which invoice series exist, and which
/// orders have events waiting for them. Like `OrderCache`, it learns a batch's changes only after the
/// batch's transaction commits.
final class CommittedIndex: Sendable {
    private struct State {
        var series: Set<String> = []
        /// nil until first loaded from the database.
        var waitingOrders: Set<String>?
    }

    private let state = Mutex(State())

    func hasSeries(_ series: String) -> Bool { state.withLock { $0.series.contains(series) } }

    /// Whether events may be waiting for this order; `nil` when not loaded yet.
    func mayHaveWaiting(_ orderID: String) -> Bool? { state.withLock { $0.waitingOrders.map { $0.contains(orderID) } } }

    func loadWaiting(_ orders: Set<String>) { state.withLock { if $0.waitingOrders == nil { $0.waitingOrders = orders } } }

    func merge(series: Set<String>, waitingAdded: Set<String>, waitingReleased: Set<String>) {
        guard !series.isEmpty || !waitingAdded.isEmpty || !waitingReleased.isEmpty else { return }
        state.withLock { state in
            state.series.formUnion(series)
            if state.waitingOrders != nil {
                state.waitingOrders!.subtract(waitingReleased)
                state.waitingOrders!.formUnion(waitingAdded)
            }
        }
    }
}
