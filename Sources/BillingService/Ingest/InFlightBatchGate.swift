import Foundation

/// Tells the consumer's rebalance callback when a batch that was handed out is not yet stored.
///
/// billingd fetches the next batch while it stores the current one. If partitions are reassigned in
/// that window, their starting offsets must include the batch being stored, so the callback (which runs
/// on the consumer's own queue, never on the cooperative pool) waits here until it is stored.
final class InFlightBatchGate: @unchecked Sendable {
    private let condition = NSCondition()
    private var inFlight = false

    /// A batch was handed out and is being stored.
    func enter() {
        condition.lock()
        inFlight = true
        condition.unlock()
    }

    /// The batch is stored (or abandoned).
    func leave() {
        condition.lock()
        inFlight = false
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until no batch is being stored. Call only off the cooperative thread pool.
    func waitUntilIdle() {
        condition.lock()
        while inFlight { condition.wait() }
        condition.unlock()
    }
}
