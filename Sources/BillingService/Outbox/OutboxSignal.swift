/// Wakes the outbox relay when new rows were committed; repeated wake-ups before it looks collapse into one.
public final class OutboxSignal: Sendable {
    let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    /// Makes a signal.
    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Says there may be new rows.
    public func notify() {
        continuation.yield()
    }

    /// Ends the stream: the relay drains once more and stops.
    func finish() {
        continuation.finish()
    }
}
