import Synchronization

/// Collects the delivery reports of one `sendAll` call and resumes its caller when all are in.
final class DeliveryTracker: Sendable {
    private struct State {
        var results: [Result<DeliveryReport, KafkaError>?]
        var remaining: Int
        var continuation: CheckedContinuation<[Result<DeliveryReport, KafkaError>], Never>?
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count, continuation: nil))
    }

    /// Records one outcome; resumes the waiter when it was the last.
    func complete(index: Int, with result: Result<DeliveryReport, KafkaError>) {
        let finished: (CheckedContinuation<[Result<DeliveryReport, KafkaError>], Never>, [Result<DeliveryReport, KafkaError>])? =
            state.withLock { state in
                if state.results[index] != nil { return nil }
                state.results[index] = result
                state.remaining -= 1
                guard state.remaining == 0, let continuation = state.continuation else { return nil }
                state.continuation = nil
                return (continuation, state.results.map { $0! })
            }
        if let (continuation, results) = finished { continuation.resume(returning: results) }
    }

    /// Waits until every record has an outcome, or until the calling task is cancelled: then every
    /// record without a report yet counts as failed (it may still be delivered, so a caller that sends
    /// it again later may repeat it, never lose it). Reports that arrive afterwards are ignored.
    func wait() async -> [Result<DeliveryReport, KafkaError>] {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: [Result<DeliveryReport, KafkaError>]? = state.withLock { state in
                    if state.remaining == 0 { return state.results.map { $0! } }
                    state.continuation = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            abandon()
        }
    }

    /// Fails every record that has no outcome yet and resumes the waiter.
    func abandon() {
        let finished: (CheckedContinuation<[Result<DeliveryReport, KafkaError>], Never>, [Result<DeliveryReport, KafkaError>])? =
            state.withLock { state in
                guard state.remaining > 0 else { return nil }
                for index in state.results.indices where state.results[index] == nil {
                    state.results[index] = .failure(KafkaError(kind: .delivery, message: "gave up waiting for the delivery report (stopping)"))
                }
                state.remaining = 0
                guard let continuation = state.continuation else { return nil }
                state.continuation = nil
                return (continuation, state.results.map { $0! })
            }
        if let (continuation, results) = finished { continuation.resume(returning: results) }
    }
}

/// The per-message opaque handed to librdkafka, retained until its delivery report arrives.
final class DeliverySlot: Sendable {
    let tracker: DeliveryTracker
    let index: Int

    init(tracker: DeliveryTracker, index: Int) {
        self.tracker = tracker
        self.index = index
    }
}
