import BillingCore
import BillingKafka
import BillingStore
import Foundation
import Logging
import ServiceLifecycle

/// Publishes committed outbox rows with the idempotent producer and marks each row published only
/// after its delivery report; rows go out in id order, so one customer's events keep their order.
///
/// When a row fails, the rows after it in the same round are published again later (downstream sees
/// a repeat with the same event id, never a reordering). On graceful shutdown it drains what is left,
/// within the shutdown time limit, then closes the producer.
public actor OutboxRelay: Service {
    private let store: BillingStore
    private let producer: KafkaProducer
    private let signal: OutboxSignal
    private let batchSize: Int
    private let pollInterval: Duration
    private let logger: Logger
    private let metrics: BillingMetrics
    /// The id of the last row delivered in this run; rows up to it are not read again.
    private var cursor: Int64 = 0
    private var marker: AsyncStream<Int64>.Continuation?
    private let deadline: ShutdownDeadline

    init(
        store: BillingStore, producer: KafkaProducer, signal: OutboxSignal, batchSize: Int, pollInterval: Duration, logger: Logger,
        metrics: BillingMetrics, deadline: ShutdownDeadline
    ) {
        self.deadline = deadline
        self.store = store
        self.producer = producer
        self.signal = signal
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        self.logger = logger
        self.metrics = metrics
    }

    public func run() async throws {
        // Marking rows published runs beside publication, so a slow write never holds up the next
        // round; rows sent but not yet marked are skipped by the cursor, and sent again only after a
        // restart (same content, same event id).
        let (marks, marker) = AsyncStream.makeStream(of: Int64.self, bufferingPolicy: .bufferingNewest(1))
        let marking = Task { [store, logger] in
            // Only the newest mark matters: the cursor covers every row before it.
            for await last in marks {
                do {
                    try await store.markPublished(through: last, at: Date())
                } catch {
                    logger.warning("could not mark outbox rows published; they are sent again after a restart", metadata: ["error": "\(error)"])
                }
            }
        }
        defer { marker.finish() }
        self.marker = marker
        let ticker = Task { [signal, pollInterval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: pollInterval)
                signal.notify()
            }
        }
        defer { ticker.cancel() }
        // Publication runs until it has drained the outbox after the stop began, or until the stop's
        // drain deadline: then the round in flight is given up (its rows stay in the store, published
        // after the next start) and the relay closes in time, whatever the broker does.
        let deadline = self.deadline
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.publishUntilDrained() }
            group.addTask {
                guard (try? await gracefulShutdown()) != nil else { return }
                try? await Task.sleep(until: deadline.drainDeadline)
            }
            await group.next()
            group.cancelAll()
        }
        marker.finish()
        await marking.value
        let waiting = (try? await store.unpublishedCount()) ?? -1
        if waiting > 0 {
            logger.warning(
                "outbox rows wait in the store; they are published after the next start",
                metadata: ["outbox.waiting": "\(waiting)"])
        }
        let closeBy = ContinuousClock.now.duration(to: deadline.closeDeadline)
        await producer.close(timeout: max(.milliseconds(100), min(.seconds(5), closeBy)))
    }

    /// Publishes whenever woken, until graceful shutdown; then publishes what is left. Ends early when
    /// the task is cancelled.
    private func publishUntilDrained() async {
        var failures = 0
        for await _ in signal.stream.cancelOnGracefulShutdown() {
            do {
                try await publishPending()
                failures = 0
            } catch {
                if Task.isCancelled { return }
                failures += 1
                let delay = Duration.milliseconds(min(5000, 100 << min(failures, 6)))
                logger.error("outbox publication failed; retrying", metadata: ["error": "\(error)", "retry.in_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            }
        }
        // Graceful shutdown: the consumer has stopped (it shuts down before us); publish what is left.
        guard !Task.isCancelled else { return }
        do {
            try await publishPending()
        } catch {
            logger.warning("outbox rows left unpublished at shutdown; they go out after restart", metadata: ["error": "\(error)"])
        }
    }

    /// Publishes every pending row, a round of `batchSize` at a time: the rows ingest handed over when they
    /// continue where the relay stands, else the rows read from the store.
    ///
    /// - Throws: the first delivery or store error of a round; rows from the failed one on stay pending.
    func publishPending() async throws {
        while true {
            let entries: [OutboxEntry]
            if let handed = signal.takeCommitted(after: cursor, limit: batchSize) {
                entries = handed
            } else {
                entries = try await store.unpublishedOutbox(after: cursor, limit: batchSize)
            }
            guard !entries.isEmpty, !Task.isCancelled else { return }
            let results = try await producer.sendAll(entries.map { entry in
                let message = entry.message
                return ProducerRecord(
                    topic: message.topic, key: message.key, value: message.value,
                    headers: message.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
            })
            let firstFailure = results.firstIndex { if case .failure = $0 { return true } else { return false } }
            let published = entries[..<(firstFailure ?? entries.count)]
            if let last = published.last {
                cursor = last.id
                marker?.yield(last.id)
            }
            metrics.published(published.count)
            if let firstFailure, case .failure(let error) = results[firstFailure] {
                try await store.recordPublishFailure(ids: entries[firstFailure...].map(\.id), error: "\(error)")
                throw error
            }
        }
    }
}
