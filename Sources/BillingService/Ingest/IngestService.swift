import BillingCore
import BillingKafka
import BillingStore
import Foundation
import Logging
import ServiceLifecycle

/// Consumes the input topics batch by batch: classifies each record, writes the batch's outcome and
/// next offsets in one store transaction, wakes the outbox relay, then commits the offsets to Kafka.
///
/// Partitions start at the offsets in the store, never at Kafka's. When the store write fails (disk
/// full, I/O error) the batch is held and retried; nothing is committed meanwhile, and a stop during
/// that time leaves the batch to be read again after restart.
public final class IngestService: Service {
    private let configuration: BillingdConfiguration
    private let bootstrapServers: String
    private let store: BillingStore
    private let signal: OutboxSignal
    private let logger: Logger
    private let metrics: BillingMetrics
    private let now: @Sendable () -> Date
    private let timeZone: TimeZone
    private let settings: ProcessingSettings

    init(
        configuration: BillingdConfiguration, bootstrapServers: String, store: BillingStore, signal: OutboxSignal,
        logger: Logger, metrics: BillingMetrics, now: @escaping @Sendable () -> Date
    ) {
        self.configuration = configuration
        self.bootstrapServers = bootstrapServers
        self.store = store
        self.signal = signal
        self.logger = logger
        self.metrics = metrics
        self.now = now
        self.timeZone = TimeZone(identifier: configuration.billing.timeZone) ?? TimeZone(identifier: "UTC")!
        self.settings = ProcessingSettings(
            eventsTopic: configuration.kafka.eventsTopic, deadLetterTopic: configuration.kafka.deadLetterTopic,
            maxDeadLetterPayloadBytes: configuration.outbox.maxDeadLetterPayloadBytes, eventSource: configuration.billing.eventSource)
    }

    public func run() async throws {
        let kafka = configuration.kafka
        let store = self.store
        let gate = InFlightBatchGate()
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                client: configuration.kafkaClient(bootstrapServers: bootstrapServers), groupID: kafka.groupID,
                topics: kafka.inputTopics, sessionTimeoutMilliseconds: kafka.sessionTimeoutMilliseconds),
            logger: logger
        ) { partitions in
            // Runs on the consumer's own queue: waiting here and the synchronous read block no Swift task.
            gate.waitUntilIdle()
            let stored = try store.nextOffsets(topics: Array(Set(partitions.map(\.topic))))
            var result: [TopicPartition: StartingOffset] = [:]
            for offset in stored {
                result[TopicPartition(topic: offset.topic, partition: offset.partition)] = .offset(offset.nextOffset)
            }
            return result
        }
        let classifier = BatchClassifier(
            decoder: EnvelopeDecoder(maxPayloadBytes: kafka.maxEventBytes),
            deadLetterTopic: kafka.deadLetterTopic,
            maxDeadLetterPayloadBytes: configuration.outbox.maxDeadLetterPayloadBytes,
            defaultPaymentTermDays: configuration.billing.defaultPaymentTermDays)
        let now = self.now
        let maxMessages = kafka.batchMaxMessages
        let maxWait = Duration.milliseconds(kafka.batchMaxWaitMilliseconds)
        // Fetching and decoding the next batch overlaps with storing the current one.
        let fetch: @Sendable () async throws -> BatchClassifier.Outcome = {
            let batch = try await consumer.nextBatch(maxMessages: maxMessages, maxWait: maxWait)
            return classifier.classify(batch, now: now())
        }
        logger.info("consuming", metadata: ["kafka.topics": "\(kafka.inputTopics.joined(separator: ","))", "kafka.group": "\(kafka.groupID)"])
        var next = Task { try await fetch() }
        do {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let outcome = try await next.value
                guard !outcome.record.offsets.isEmpty else {
                    next = Task { try await fetch() }
                    continue
                }
                gate.enter()
                next = Task { try await fetch() }
                let stored: Bool
                do {
                    stored = try await handle(outcome, consumer: consumer)
                    gate.leave()
                } catch {
                    gate.leave()
                    throw error
                }
                if !stored { break }
            }
        } catch {
            _ = try? await next.value
            await consumer.close()
            throw error
        }
        // A fetched batch that was not stored is dropped: its offsets were never stored, so it is read again.
        _ = try? await next.value
        await consumer.close()
        logger.info("consumer stopped")
    }

    /// Stores one classified batch, then reports it and commits its offsets to Kafka.
    ///
    /// - Returns: `false` when billingd is stopping before the batch could be stored.
    private func handle(_ outcome: BatchClassifier.Outcome, consumer: KafkaConsumer) async throws -> Bool {
        let processingTime = now()
        let context = BillingContext(
            now: processingTime, timeZone: timeZone, seller: configuration.billing.seller,
            numbering: InvoiceNumbering(prefix: configuration.billing.invoicePrefix),
            defaultPaymentTermDays: configuration.billing.defaultPaymentTermDays)
        guard let result = try await persist(outcome.record, events: outcome.accepted, context: context) else { return false }
        metrics.batchRecorded()
        for event in outcome.accepted { metrics.accepted(event.envelope.type) }
        metrics.recorded(result)
        for deadLetter in outcome.record.deadLetters {
            metrics.deadLettered(deadLetter.rejection.code)
            logger.warning(
                "record dead-lettered",
                metadata: [
                    "kafka.source": "\(deadLetter.source)", "dlq.reason": "\(deadLetter.rejection.code)",
                    "dlq.detail": "\(deadLetter.rejection.description)",
                ])
        }
        for (code, count) in result.rejections {
            logger.warning("events rejected by a billing rule", metadata: ["dlq.reason": "\(code)", "count": "\(count)"])
        }
        if !result.outbox.isEmpty {
            signal.notify(committed: result.outbox)
        }
        do {
            try consumer.commit(Dictionary(uniqueKeysWithValues: outcome.record.offsets.map {
                (TopicPartition(topic: $0.topic, partition: $0.partition), $0.nextOffset)
            }))
        } catch {
            // Kafka's copy of the offsets only serves lag tools; the store's copy is what counts.
            logger.warning("offset commit to Kafka failed", metadata: ["error": "\(error)"])
        }
        return true
    }

    /// Processes and writes the batch, retrying store failures with a growing pause. The decisions are
    /// made again on each attempt, inside the transaction, so a retry never reuses a rolled-back number.
    ///
    /// - Returns: `nil` when billingd is stopping before the write succeeded (nothing was committed).
    private func persist(_ record: IngestBatch, events: [SourcedEvent], context: BillingContext) async throws -> BatchOutcome? {
        var attempt = 0
        while true {
            do {
                let outcome = try await store.processBatch(record, events: events, context: context, settings: settings)
                if attempt > 0 { logger.notice("store write succeeded after retrying", metadata: ["store.attempts": "\(attempt + 1)"]) }
                return outcome
            } catch {
                attempt += 1
                metrics.storeWriteFailed()
                logger.error(
                    "store write failed; holding the batch and retrying", metadata: ["error": "\(error)", "store.attempt": "\(attempt)"])
                if Task.isShuttingDownGracefully || Task.isCancelled { return nil }
                let pause = Duration.milliseconds(min(5000, 50 << min(attempt, 7)))
                try? await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: pause)
                }
                if Task.isShuttingDownGracefully || Task.isCancelled { return nil }
            }
        }
    }
}
