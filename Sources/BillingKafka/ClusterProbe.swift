import CRdKafka
import Dispatch
import Logging
import Synchronization

/// A short-lived client that asks the brokers what billingd must know before it joins its consumer
/// group: the cluster id, the input partitions, the group's committed offsets and the partitions' log
/// bounds. It has the group's id but never joins the group, so asking disturbs no member and waits for
/// no rebalance. Its blocking calls run on its own queue.
public final class ClusterProbe: Sendable {
    private let handle: RDKafkaHandle
    private let queue = DispatchQueue(label: "billingd.kafka.probe")
    private let logger: Logger
    private let closed = Latch()

    /// Creates the client (it connects on the first question).
    ///
    /// - Throws: `KafkaError` when a property is invalid or the client cannot be created.
    public init(client: KafkaClientConfiguration, groupID: String, logger: Logger) throws {
        self.logger = logger
        let conf = try client.makeConf(typed: [("group.id", groupID), ("enable.auto.commit", "false"), ("log.queue", "false")])
        handle = try RDKafkaHandle(type: RD_KAFKA_CONSUMER, conf: conf)
    }

    deinit {
        if !closed.isTripped { handle.destroy() }
    }

    /// The cluster id, the partitions of `topics` and the group's committed offsets.
    ///
    /// Cancelling the calling task ends the wait at once with `CancellationError` (the question itself
    /// finishes on the probe's queue, unheard).
    ///
    /// - Throws: `KafkaError` of kind `.broker` when the brokers do not answer in time (retry later), or
    ///   a topic does not exist; `CancellationError` when cancelled.
    public func facts(topics: [String], timeoutMilliseconds: Int32 = 5000) async throws -> ClusterFacts {
        try await ask { try BrokerQueries.clusterFacts(self.handle.pointer, topics: topics, timeoutMilliseconds: timeoutMilliseconds) }
    }

    /// The first and next offset of each partition's log; partitions whose leader does not answer in
    /// time are left out.
    ///
    /// - Throws: `CancellationError` when the calling task is cancelled.
    public func logBounds(_ partitions: [TopicPartition], timeoutMilliseconds: Int32 = 5000) async throws -> [TopicPartition: LogBounds] {
        try await ask {
            var result: [TopicPartition: LogBounds] = [:]
            for partition in partitions {
                result[partition] = BrokerQueries.logBounds(self.handle.pointer, partition, timeoutMilliseconds: timeoutMilliseconds, logger: self.logger)
            }
            return result
        }
    }

    /// Runs a blocking question on the probe's queue; the caller's wait ends with its answer or with
    /// the caller's cancellation, whichever comes first.
    private func ask<T: Sendable>(_ question: @escaping @Sendable () throws -> T) async throws -> T {
        let waiter = ProbeWaiter<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard waiter.install(continuation) else { return }
                queue.async {
                    guard !self.closed.isTripped else { return waiter.finish(.failure(KafkaError(kind: .closed, message: "the probe is closed"))) }
                    waiter.finish(Result { try question() })
                }
            }
        } onCancel: {
            waiter.finish(.failure(CancellationError()))
        }
    }

    /// Destroys the client once any question in flight has its answer, without waiting for that. Later
    /// calls do nothing.
    public func close() {
        guard closed.trip() else { return }
        queue.async { self.handle.destroy() }
    }
}

/// The one continuation of a probe's question, resumed exactly once: by the answer or by cancellation.
private final class ProbeWaiter<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var done = false
    }

    private let state = Mutex(State())

    /// Keeps the continuation; false (after resuming it) when the wait has ended already.
    func install(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
        let early: Result<T, any Error>? = state.withLock { state in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early {
            continuation.resume(with: early)
            return false
        }
        return true
    }

    /// Ends the wait with `result`, unless it has ended.
    func finish(_ result: Result<T, any Error>) {
        let continuation: CheckedContinuation<T, any Error>? = state.withLock { state in
            guard !state.done else { return nil }
            state.done = true
            if let continuation = state.continuation { return continuation }
            state.early = result
            return nil
        }
        continuation?.resume(with: result)
    }
}
