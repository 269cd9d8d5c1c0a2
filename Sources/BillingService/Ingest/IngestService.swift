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
    }

    public func run() async throws {
        let kafka = configuration.kafka
        let store = self.store
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                client: configuration.kafkaClient(bootstrapServers: bootstrapServers), groupID: kafka.groupID,
                topics: kafka.inputTopics, sessionTimeoutMilliseconds: kafka.sessionTimeoutMilliseconds),
            logger: logger
        ) { partitions in
            // Runs on the consumer's own queue, so the synchronous read blocks no Swift task.
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
            maxDeadLetterPayloadBytes: configuration.outbox.maxDeadLetterPayloadBytes)
        logger.info("consuming", metadata: ["kafka.topics": "\(kafka.inputTopics.joined(separator: ","))", "kafka.group": "\(kafka.groupID)"])
        do {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let batch = try await consumer.nextBatch(maxMessages: kafka.batchMaxMessages, maxWait: .milliseconds(kafka.batchMaxWaitMilliseconds))
                guard !batch.messages.isEmpty else { continue }
                let outcome = classifier.classify(batch.messages, now: now())
                guard try await persist(outcome.record) else { break }
                metrics.batchRecorded()
                for (_, envelope) in outcome.accepted { metrics.accepted(envelope.type) }
                for deadLetter in outcome.record.deadLetters {
                    metrics.deadLettered(deadLetter.rejection.code)
                    logger.warning(
                        "record dead-lettered",
                        metadata: [
                            "kafka.source": "\(deadLetter.source)", "dlq.reason": "\(deadLetter.rejection.code)",
                            "dlq.detail": "\(deadLetter.rejection.description)",
                        ])
                }
                if !outcome.record.outbox.isEmpty { signal.notify() }
                do {
                    try consumer.commit(Dictionary(uniqueKeysWithValues: outcome.record.offsets.map {
                        (TopicPartition(topic: $0.topic, partition: $0.partition), $0.nextOffset)
                    }))
                } catch {
                    // Kafka's copy of the offsets only serves lag tools; the store's copy is what counts.
                    logger.warning("offset commit to Kafka failed", metadata: ["error": "\(error)"])
                }
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
        logger.info("consumer stopped")
    }

    /// Writes the batch, retrying store failures with a growing pause.
    ///
    /// - Returns: `false` when billingd is stopping before the write succeeded (nothing was committed).
    private func persist(_ record: IngestBatch) async throws -> Bool {
        var attempt = 0
        while true {
            do {
                try await store.recordBatch(record)
                if attempt > 0 { logger.notice("store write succeeded after retrying", metadata: ["store.attempts": "\(attempt + 1)"]) }
                return true
            } catch {
                attempt += 1
                metrics.storeWriteFailed()
                logger.error(
                    "store write failed; holding the batch and retrying", metadata: ["error": "\(error)", "store.attempt": "\(attempt)"])
                if Task.isShuttingDownGracefully || Task.isCancelled { return false }
                let pause = Duration.milliseconds(min(5000, 50 << min(attempt, 7)))
                try? await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: pause)
                }
                if Task.isShuttingDownGracefully || Task.isCancelled { return false }
            }
        }
    }
}
