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
    let configuration: BillingdConfiguration
    private let bootstrapServers: String
    let store: BillingStore
    private let signal: OutboxSignal
    let logger: Logger
    private let metrics: BillingMetrics
    let now: @Sendable () -> Date
    private let timeZone: TimeZone
    private let settings: ProcessingSettings
    let gapAcceptance: GapAcceptance?
    let deadline: ShutdownDeadline
    /// Whether the operator allowed a new store although the group has committed offsets (`--new-store`).
    let newStore: Bool

    init(
        configuration: BillingdConfiguration, bootstrapServers: String, store: BillingStore, signal: OutboxSignal,
        logger: Logger, metrics: BillingMetrics, now: @escaping @Sendable () -> Date, gapAcceptance: GapAcceptance? = nil,
        deadline: ShutdownDeadline, newStore: Bool = false
    ) {
        self.newStore = newStore
        self.gapAcceptance = gapAcceptance
        self.deadline = deadline
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
        let deadline = self.deadline
        try await withGracefulShutdownHandler {
            try await consume()
        } onGracefulShutdown: {
            deadline.begin()
        }
    }

    private func consume() async throws {
        let kafka = configuration.kafka
        let store = self.store
        let gate = InFlightBatchGate()
        let logger = self.logger
        // Before joining the group: which cluster, which partitions, and whether this store may read them
        // (a wrong store or a second billingd must not even join and disturb the one running).
        let existingIdentity = try store.identity()
        let storeID = existingIdentity?.storeID ?? UUID().uuidString.lowercased()
        let probe = try ClusterProbe(client: configuration.kafkaClient(bootstrapServers: bootstrapServers), groupID: kafka.groupID, logger: logger)
        let facts: ClusterFacts
        do {
            guard let known = try await clusterFacts(probe) else {
                probe.close()
                return
            }
            facts = known
            try await establishOwnership(existing: existingIdentity, storeID: storeID, facts: facts, probe: probe)
            if let gapAcceptance {
                try await accept(gapAcceptance, probe: probe)
            }
            probe.close()
        } catch {
            probe.close()
            throw error
        }
        // The store's id names this billingd as a static member of its group, so a restart, even after
        // kill -9, takes its place back at once (brokers with KIP-345); a second store gets another id.
        // librdkafka's mock cluster (the embedded broker) ignores static membership, and a static member
        // does not leave its group when it stops, so there a dynamic member restarts faster.
        let isMockCluster = facts.clusterID?.hasPrefix("mockCluster") == true
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                client: configuration.kafkaClient(bootstrapServers: bootstrapServers), groupID: kafka.groupID,
                topics: kafka.inputTopics, sessionTimeoutMilliseconds: kafka.sessionTimeoutMilliseconds,
                groupInstanceID: isMockCluster ? nil : "billingd-\(storeID)"),
            logger: logger
        ) { partitions in
            // Runs on the consumer's own queue: waiting here and the synchronous read block no Swift task.
            gate.waitUntilIdle()
            let stored = try store.nextOffsets(topics: Array(Set(partitions.map(\.topic))))
            let held = Set(try store.openGaps().map { TopicPartition(topic: $0.topic, partition: $0.partition) })
            var result: [TopicPartition: StartingOffset] = [:]
            for offset in stored {
                let partition = TopicPartition(topic: offset.topic, partition: offset.partition)
                result[partition] = held.contains(partition) ? .held(offset.nextOffset) : .offset(offset.nextOffset)
            }
            let fresh = partitions.filter { result[$0] == nil }
            if !fresh.isEmpty {
                logger.notice(
                    "no stored offset: reading these partitions from the start of their logs",
                    metadata: ["kafka.partitions": "\(fresh.map(\.description).joined(separator: ","))"])
            }
            let paused = partitions.filter { held.contains($0) }
            if !paused.isEmpty {
                logger.error(
                    "partitions held paused on open offset gaps (billingctl status; billingd run --accept-gap TOPIC:PARTITION)",
                    metadata: ["kafka.partitions": "\(paused.map(\.description).joined(separator: ","))"])
            }
            return result
        }
        // A member that joins later (most likely a billingd about to stop itself) is given time to leave: its
        // session to expire and the group to rebalance again.
        var coverage = GroupCoverage(expected: Set(facts.partitions), patience: .milliseconds(3 * kafka.sessionTimeoutMilliseconds + 5000))
        let classifier = BatchClassifier(
            decoder: EnvelopeDecoder(maxPayloadBytes: kafka.maxEventBytes),
            deadLetterTopic: kafka.deadLetterTopic,
            maxDeadLetterPayloadBytes: configuration.outbox.maxDeadLetterPayloadBytes,
            defaultPaymentTermDays: configuration.billing.defaultPaymentTermDays)
        let now = self.now
        let maxMessages = kafka.batchMaxMessages
        let maxBytes = kafka.batchMaxBytes
        let maxWait = Duration.milliseconds(kafka.batchMaxWaitMilliseconds)
        // Fetching and decoding the next batch overlaps with storing the current one.
        let fetch: @Sendable () async throws -> BatchClassifier.Outcome = {
            let batch = try await consumer.nextBatch(maxMessages: maxMessages, maxBytes: maxBytes, maxWait: maxWait)
            return classifier.classify(batch, now: now())
        }
        logger.info("consuming", metadata: ["kafka.topics": "\(kafka.inputTopics.joined(separator: ","))", "kafka.group": "\(kafka.groupID)"])
        var next = Task { try await fetch() }
        // The batch submitted last, whose commit and report run in the background while the next batch
        // is fetched and decided. Batch N + 1 is submitted before N's confirmation is awaited, so the
        // two cores overlap across batches; N + 2 only after it, as the store requires.
        var inFlight: InFlightBatch?
        do {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let outcome = try await next.value
                // Before anything of this batch is stored: this billingd must hold every input partition.
                if let missing = coverage.check(consumer.settledAssignment) {
                    if coverage.mustStop {
                        throw OwnershipError.sharedGroup(group: kafka.groupID, missing: missing)
                    }
                    if coverage.newlyPartial {
                        logger.error(
                            "another member joined the consumer group and holds input partitions; waiting for it to leave",
                            metadata: ["kafka.group": "\(kafka.groupID)", "kafka.partitions": "\(missing.map(\.description).joined(separator: ","))"])
                    }
                }
                for gap in outcome.gaps {
                    try await record(gap)
                }
                guard !outcome.record.offsets.isEmpty else {
                    next = Task { try await fetch() }
                    continue
                }
                gate.enter()
                next = Task { try await fetch() }
                let previous = inFlight
                inFlight = nil
                do {
                    let submitted = try await store.submitBatch(
                        outcome.record, events: outcome.accepted, context: context(), settings: settings)
                    try await previous?.confirmation.value
                    inFlight = InFlightBatch(outcome: outcome) {
                        try await self.report(outcome, result: try await store.confirm(submitted), consumer: consumer)
                        gate.leave()
                    }
                } catch {
                    // A store failure (this batch's, or one before it that this batch was decided on top of):
                    // forget what was decided on top of it, then store the batches again, one at a time.
                    var again: [BatchClassifier.Outcome] = []
                    if let previous, (try? await previous.confirmation.value) == nil { again.append(previous.outcome) }
                    again.append(outcome)
                    store.discardSubmitted()
                    var stopping = false
                    for batch in again where !stopping {
                        if let result = try await persist(batch.record, events: batch.accepted, context: context()) {
                            try await report(batch, result: result, consumer: consumer)
                        } else {
                            stopping = true
                        }
                        gate.leave()
                    }
                    if stopping { break }
                }
            }
        } catch {
            try? await inFlight?.confirmation.value
            _ = try? await next.value
            await consumer.close(waitingAtMost: ContinuousClock.now.duration(to: deadline.closeDeadline))
            throw error
        }
        // A batch whose commit fails now, or a fetched batch that was not stored, is read again after restart:
        // its offsets were never stored.
        try? await inFlight?.confirmation.value
        _ = try? await next.value
        await consumer.close(waitingAtMost: ContinuousClock.now.duration(to: deadline.closeDeadline))
        logger.info("consumer stopped")
    }

    /// Records a gap the consumer found (it has paused the partition already) and reports it at error
    /// level when the partition had no open gap before.
    private func record(_ gap: OffsetGap) async throws {
        let partition = gap.topicPartition
        let isNew = try await store.recordGap(
            topic: partition.topic, partition: partition.partition, expectedOffset: gap.expectedOffset, logStart: gap.logStart,
            logEnd: gap.logEnd, reason: gap.reason, at: now())
        logger.log(
            level: isNew ? .error : .info,
            isNew
                ? "offset gap: the broker no longer has the records this partition owes; partition paused until an operator accepts the gap"
                : "offset gap still open; partition stays paused",
            metadata: [
                "kafka.topic": "\(partition.topic)", "kafka.partition": "\(partition.partition)",
                "kafka.expected_offset": "\(gap.expectedOffset)", "kafka.log_start": "\(gap.logStart.map(String.init) ?? "unknown")",
                "kafka.log_end": "\(gap.logEnd.map(String.init) ?? "unknown")", "reason": "\(gap.reason)",
                "action": "billingctl status; billingd run --accept-gap \(partition.topic):\(partition.partition)",
            ])
    }

    /// Accepts the gaps an operator named at start: each partition resumes at its log's start as the
    /// broker reports it now, and the store records who, when and what was skipped.
    private func accept(_ acceptance: GapAcceptance, probe: ClusterProbe) async throws {
        let partitions = acceptance.partitions
        let bounds = try await probe.logBounds(partitions)
        for partition in partitions {
            guard let bound = bounds[partition] else {
                throw GapAcceptanceError(topic: partition.topic, partition: partition.partition, reason: "the broker did not say where its log starts (is it reachable?)")
            }
            let gap = try await store.acceptGap(
                topic: partition.topic, partition: partition.partition, resumeAt: bound.start, logEnd: bound.end, by: acceptance.operatorName,
                at: now())
            logger.notice(
                "offset gap accepted; the partition resumes at its log's start",
                metadata: [
                    "kafka.topic": "\(partition.topic)", "kafka.partition": "\(partition.partition)",
                    "kafka.expected_offset": "\(gap.expectedOffset)", "kafka.resumed_at": "\(bound.start)",
                    "gap.skipped_records": "\(gap.skippedRecords.map(String.init) ?? "unknown (log recreated)")",
                    "gap.accepted_by": "\(acceptance.operatorName)",
                ])
        }
    }

    /// The billing context of a batch processed now.
    private func context() -> BillingContext {
        BillingContext(
            now: now(), timeZone: timeZone, seller: configuration.billing.seller,
            numbering: InvoiceNumbering(prefix: configuration.billing.invoicePrefix),
            defaultPaymentTermDays: configuration.billing.defaultPaymentTermDays)
    }

    /// Reports a stored batch: metrics, logs, the committed outbox rows to the relay, and its offsets to
    /// Kafka (for lag tools only: the store's copy is what counts).
    private func report(_ outcome: BatchClassifier.Outcome, result: BatchOutcome, consumer: KafkaConsumer) async throws {
        metrics.batchRecorded()
        metrics.accepted(outcome.accepted)
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
            logger.warning("offset commit to Kafka failed", metadata: ["error": "\(error)"])
        }
    }

    /// Processes and writes the batch and waits for its commit, retrying store failures with a growing
    /// pause. The decisions are made again on each attempt, so a retry never reuses a rolled-back number.
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

/// A submitted batch whose confirmation (commit awaited, then reported) runs in the background.
private struct InFlightBatch {
    let outcome: BatchClassifier.Outcome
    let confirmation: Task<Void, any Error>

    init(outcome: BatchClassifier.Outcome, confirm: @escaping @Sendable () async throws -> Void) {
        self.outcome = outcome
        self.confirmation = Task { try await confirm() }
    }
}
