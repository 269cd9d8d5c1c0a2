import BillingCore
import BillingStore
import Testing

@testable import BillingService

@Suite("Committed outbox rows handed to the relay")
struct OutboxSignalTests {
    func entries(_ ids: [Int64]) -> [OutboxEntry] {
        ids.map { OutboxEntry(id: $0, message: OutboundMessage(topic: "billing.events", key: nil, value: Array("\($0)".utf8)), attempts: 0) }
    }

    func ids(_ entries: [OutboxEntry]?) -> [Int64]? {
        entries?.map(\.id)
    }

    @Test("rows are taken in order, a round at a time, only when they continue from the relay's cursor")
    func continuation() {
        let signal = OutboxSignal()
        #expect(signal.takeCommitted(after: 0, limit: 10) == nil, "nothing held: read the store")
        signal.notify(committed: entries([1, 2, 3, 4, 5]))
        #expect(ids(signal.takeCommitted(after: 0, limit: 3)) == [1, 2, 3])
        #expect(ids(signal.takeCommitted(after: 3, limit: 3)) == [4, 5])
        #expect(signal.takeCommitted(after: 5, limit: 3) == nil)
        // Rows the relay has passed (read from the store) are dropped; the rest follow on.
        signal.notify(committed: entries([6, 7, 8, 9, 10]))
        #expect(ids(signal.takeCommitted(after: 7, limit: 10)) == [8, 9, 10])
    }

    @Test("a gap, or rows that start past the cursor, send the relay to the store")
    func gaps() {
        let signal = OutboxSignal()
        signal.notify(committed: entries([11, 12, 14]))
        #expect(signal.takeCommitted(after: 10, limit: 10).map { $0.map(\.id) } == [11, 12], "a round stops at a gap")
        #expect(signal.takeCommitted(after: 12, limit: 10) == nil, "row 13 is only in the store")
        #expect(ids(signal.takeCommitted(after: 13, limit: 10)) == [14])
        // After a restart the relay stands at 0 while the first handed row is 21: rows 1-20 may be unpublished.
        signal.notify(committed: entries([21, 22]))
        #expect(signal.takeCommitted(after: 0, limit: 10) == nil)
    }

    @Test("past its capacity the signal drops what it holds, and the relay reads the store")
    func capacity() {
        let signal = OutboxSignal(capacity: 4)
        signal.notify(committed: entries([1, 2, 3]))
        signal.notify(committed: entries([4, 5, 6]))
        #expect(signal.takeCommitted(after: 0, limit: 10) == nil)
        signal.notify(committed: entries([7, 8]))
        #expect(signal.takeCommitted(after: 0, limit: 10) == nil)
        #expect(ids(signal.takeCommitted(after: 6, limit: 10)) == [7, 8])
    }
}
