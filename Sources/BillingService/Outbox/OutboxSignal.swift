import BillingStore
import Synchronization

/// Wakes the outbox relay when new rows were committed, and hands it those rows, so that it need not
/// read back what the batch has just written. Repeated wake-ups before it looks collapse into one.
///
/// The rows held here are only a shortcut: the store stays the record of what is unpublished. The relay
/// takes rows from here only when they continue exactly where it stands; after a restart, a failed
/// round, or when it fell so far behind that the rows held here were dropped, it reads the store.
public final class OutboxSignal: Sendable {
    let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let committed = Mutex<[OutboxEntry]>([])
    /// Past this many rows held, the relay is far behind: they are dropped and it reads the store.
    let capacity: Int

    /// Makes a signal.
    public init(capacity: Int = 100_000) {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.capacity = capacity
    }

    /// Says there may be new rows.
    public func notify() {
        continuation.yield()
    }

    /// Hands over rows that a committed transaction added to the outbox (in id order), and wakes the relay.
    public func notify(committed entries: [OutboxEntry]) {
        if !entries.isEmpty {
            committed.withLock { held in
                if held.count + entries.count > capacity {
                    held.removeAll()
                } else {
                    held.append(contentsOf: entries)
                }
            }
        }
        continuation.yield()
    }

    /// Up to `limit` held rows that follow `cursor` without a gap, removed from the signal; `nil` when
    /// the held rows do not start right after `cursor` (the relay then reads the store).
    func takeCommitted(after cursor: Int64, limit: Int) -> [OutboxEntry]? {
        committed.withLock { held in
            // Rows up to the cursor are out already (read from the store, say).
            let stale = held.prefix { $0.id <= cursor }.count
            if stale > 0 { held.removeFirst(stale) }
            guard held.first?.id == cursor + 1 else { return nil }
            var count = 1
            while count < min(limit, held.count) && held[count].id == held[count - 1].id + 1 { count += 1 }
            let taken = Array(held[..<count])
            held.removeFirst(count)
            return taken
        }
    }

    /// Ends the stream: the relay drains once more and stops.
    func finish() {
        continuation.finish()
    }
}
