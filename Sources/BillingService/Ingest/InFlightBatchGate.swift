import Foundation

/// Tells the consumer's rebalance callback when a batch that was handed out is not yet stored.
///
/// billingd fetches the next batch while it stores the current ones (one deciding, one committing). If
/// partitions are reassigned in that window, their starting offsets must include the batches being
/// stored, so the callback (which runs on the consumer's own queue, never on the cooperative pool) waits
/// here until they are stored. It cannot wait forever: while it waits, no new batch is fetched.
final class InFlightBatchGate: @unchecked Sendable {
    private let condition = NSCondition()
    private var inFlight = 0

    /// A batch was handed out and is being stored.
    func enter() {
        condition.lock()
        inFlight += 1
        condition.unlock()
    }

    /// A batch is stored (or abandoned).
    func leave() {
        condition.lock()
        inFlight -= 1
        if inFlight == 0 { condition.broadcast() }
        condition.unlock()
    }

    /// Blocks until no batch is being stored. Call only off the cooperative thread pool.
    func waitUntilIdle() {
        condition.lock()
        while inFlight > 0 { condition.wait() }
        condition.unlock()
    }
}
