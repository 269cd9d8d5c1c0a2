import CRdKafka
import Dispatch
import Logging

/// A consumer in a consumer group whose offsets its caller owns.
///
/// On every assignment it asks the caller where each partition starts; it hands out records in
/// batches; it never commits on its own. A rebalance can only happen while `nextBatch` polls, that is
/// after the caller has finished (and persisted) the previous batch, which is how a revocation waits
/// for the batch in hand. All blocking librdkafka calls run on the consumer's own serial dispatch
/// queue, never on Swift's cooperative thread pool.
public final class KafkaConsumer: Sendable {
    private let handle: RDKafkaHandle
    private let context: ConsumerContext
    private let queue: DispatchQueue
    private let closed = Latch()
    private let logger: Logger

    /// Creates the consumer and subscribes it to the configured topics.
    ///
    /// - Parameter startingOffsets: called on the consumer's queue when partitions are assigned; returns
    ///   where each partition starts. Partitions it leaves out start at the beginning. If it throws, the
    ///   next `nextBatch` throws that error.
    /// - Throws: `KafkaError` when a property is invalid, the client cannot be created or subscribing fails.
    public init(
        configuration: KafkaConsumerConfiguration,
        logger: Logger,
        startingOffsets: @escaping @Sendable ([TopicPartition]) throws -> [TopicPartition: StartingOffset]
    ) throws {
        self.logger = logger
        self.context = ConsumerContext(logger: logger, startingOffsets: startingOffsets)
        self.queue = DispatchQueue(label: "billingd.kafka.consumer")
        let conf = try configuration.client.makeConf(typed: configuration.typedProperties)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_rebalance_cb(conf, billingConsumerRebalance)
        rd_kafka_conf_set_error_cb(conf, billingConsumerError)
        rd_kafka_conf_set_log_cb(conf, billingConsumerLog)
        handle = try RDKafkaHandle(type: RD_KAFKA_CONSUMER, conf: conf)
        let rk = handle.pointer
        rd_kafka_set_log_queue(rk, nil)
        rd_kafka_poll_set_consumer(rk)
        let list = rd_kafka_topic_partition_list_new(Int32(configuration.topics.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for topic in configuration.topics {
            rd_kafka_topic_partition_list_add(list, topic, billing_partition_unassigned())
        }
        let err = rd_kafka_subscribe(rk, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            handle.destroy()
            throw KafkaError(kind: .subscription, responseCode: err, context: "cannot subscribe to \(configuration.topics)")
        }
    }

    deinit {
        if !closed.isTripped {
            logger.warning("consumer released without close(); destroying it now")
            handle.destroy()
        }
    }

    /// Waits up to `maxWait` for the first record, then takes whatever else is already fetched, up to
    /// `maxMessages` records or until the records taken hold `maxBytes` of keys and values (the record
    /// that reaches the limit is the last one: a batch always has at least one); returns early, with the
    /// change, when the assignment changes.
    ///
    /// - Throws: `KafkaError` of kind `.closed` after `close()`, a fatal client error, or the error the
    ///   `startingOffsets` callback threw.
    public func nextBatch(maxMessages: Int, maxBytes: Int = .max, maxWait: Duration) async throws -> ConsumerBatch {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.collect(maxMessages: maxMessages, maxBytes: maxBytes, maxWait: maxWait) })
            }
        }
    }

    private func collect(maxMessages: Int, maxBytes: Int, maxWait: Duration) throws -> ConsumerBatch {
        guard !closed.isTripped else {
            throw KafkaError(kind: .closed, message: "consumer is closed")
        }
        if let failure = context.takeFailure() { throw failure }
        let rk = handle.pointer
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: maxWait)
        var messages: [ConsumedMessage] = []
        var bytes = 0
        var topicNames: [OpaquePointer: String] = [:]
        var gaps: [OffsetGap] = []
        let startGeneration = context.generation
        while messages.count < maxMessages && bytes < maxBytes {
            let timeout: Int32
            if messages.isEmpty {
                let remaining = clock.now.duration(to: deadline)
                if remaining <= .zero { break }
                timeout = Int32(clamping: max(1, remaining.milliseconds))
            } else {
                timeout = 0
            }
            let generationBefore = context.generation
            let polled = rd_kafka_consumer_poll(rk, timeout)
            if context.generation != generationBefore {
                // A rebalance ran inside this poll: drop what we hold of partitions we no longer own.
                let current = context.currentAssignment
                messages.removeAll { !current.contains($0.topicPartition) }
            }
            guard let polled else {
                if !messages.isEmpty || context.generation != startGeneration { break }
                continue
            }
            defer { rd_kafka_message_destroy(polled) }
            if polled.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                if let gap = try gap(polled, topicNames: &topicNames) {
                    // Hand the gap over now, with the records before it: the partition is paused.
                    gaps.append(gap)
                    break
                }
                try handlePollError(polled)
                continue
            }
            messages.append(Self.copy(polled, topicNames: &topicNames))
            bytes += polled.pointee.len + polled.pointee.key_len
            if context.generation != startGeneration { break }
        }
        if let failure = context.takeFailure() { throw failure }
        let changes = context.takeChanges()
        return ConsumerBatch(messages: messages, assigned: changes.assigned, revoked: changes.revoked, gaps: gaps)
    }

    /// The gap a poll error reports, if it is one: the broker does not have the offset this partition
    /// was to be read from ("offset out of range", turned by `auto.offset.reset=error` into
    /// `_AUTO_OFFSET_RESET`). The partition is paused and its log's bounds are asked for, on this queue.
    private func gap(_ message: UnsafeMutablePointer<rd_kafka_message_t>, topicNames: inout [OpaquePointer: String]) throws -> OffsetGap? {
        let err = message.pointee.err
        guard err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET || err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE, let rkt = message.pointee.rkt else {
            return nil
        }
        let topic = topicNames[rkt] ?? String(cString: rd_kafka_topic_name(rkt))
        topicNames[rkt] = topic
        let partition = TopicPartition(topic: topic, partition: message.pointee.partition)
        guard context.currentAssignment.contains(partition) else { return nil }
        try pause([partition])
        let bounds = BrokerQueries.logBounds(handle.pointer, partition, timeoutMilliseconds: 5000, logger: logger)
        let reason = rd_kafka_message_errstr(message).map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(err))
        return OffsetGap(
            topicPartition: partition, expectedOffset: message.pointee.offset, logStart: bounds?.start, logEnd: bounds?.end, reason: reason)
    }

    private func handlePollError(_ message: UnsafeMutablePointer<rd_kafka_message_t>) throws {
        let err = message.pointee.err
        if let fatal = handle.fatalError() { throw fatal }
        let text = rd_kafka_message_errstr(message).map { String(cString: $0) } ?? ""
        logger.warning(
            "consumer poll error",
            metadata: ["kafka.error": "\(String(cString: rd_kafka_err2name(err)))", "reason": "\(text)"])
    }

    private static func copy(_ message: UnsafeMutablePointer<rd_kafka_message_t>, topicNames: inout [OpaquePointer: String]) -> ConsumedMessage {
        let m = message.pointee
        let topic: String
        if let rkt = m.rkt, let cached = topicNames[rkt] {
            topic = cached
        } else {
            topic = String(cString: rd_kafka_topic_name(m.rkt))
            if let rkt = m.rkt { topicNames[rkt] = topic }
        }
        let value = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) }
        let key = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        var headers: [KafkaHeader] = []
        var hdrs: OpaquePointer?
        if rd_kafka_message_headers(message, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs {
            var index = 0
            var name: UnsafePointer<CChar>?
            var pointer: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(hdrs, index, &name, &pointer, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                headers.append(
                    KafkaHeader(
                        name: name.map { String(cString: $0) } ?? "",
                        value: pointer.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        return ConsumedMessage(
            topicPartition: TopicPartition(topic: topic, partition: m.partition),
            offset: m.offset,
            key: key,
            value: value,
            headers: headers,
            timestampMilliseconds: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
        )
    }

    /// Commits these next-offsets to Kafka without waiting, so lag tools see progress. The store, not
    /// Kafka, is the source of truth for where billingd resumes.
    ///
    /// - Throws: `KafkaError` of kind `.commit` when librdkafka refuses the request outright.
    public func commit(_ offsets: [TopicPartition: Int64]) throws {
        guard !offsets.isEmpty, !closed.isTripped else { return }
        let list = Self.makeList(offsets.keys.sorted()) { offsets[$0]! }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_commit(handle.pointer, list, 1)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET else {
            throw KafkaError(kind: .commit, responseCode: err, context: "offset commit failed")
        }
    }

    /// Stops fetching from these partitions until `resume`; records already fetched are kept.
    ///
    /// - Throws: `KafkaError` when librdkafka rejects the request.
    public func pause(_ partitions: [TopicPartition]) throws {
        try Self.pause(partitions, of: handle.pointer)
    }

    /// Stops fetching from these partitions of the client `rk` (also from inside the rebalance callback).
    ///
    /// - Throws: `KafkaError` when librdkafka rejects the request.
    static func pause(_ partitions: [TopicPartition], of rk: OpaquePointer) throws {
        let list = makeList(partitions) { _ in 0 }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_pause_partitions(rk, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(kind: .broker, responseCode: err, context: "pause failed")
        }
    }

    /// Starts fetching again from paused partitions.
    ///
    /// - Throws: `KafkaError` when librdkafka rejects the request.
    public func resume(_ partitions: [TopicPartition]) throws {
        let list = Self.makeList(partitions) { _ in 0 }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_resume_partitions(handle.pointer, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(kind: .broker, responseCode: err, context: "resume failed")
        }
    }

    /// The partitions this consumer owns right now.
    public var assignment: Set<TopicPartition> { context.currentAssignment }

    /// The partitions the group's last rebalance gave this consumer; nil before the first and while a
    /// rebalance is in progress.
    public var settledAssignment: Set<TopicPartition>? { context.settledAssignment }

    /// Leaves the group (revoking its partitions) and destroys the client. Later calls do nothing.
    ///
    /// - Parameter limit: how long to wait for it; when a broker does not answer, the wait ends then
    ///   and the close goes on in the background (the store, not Kafka, holds billingd's offsets).
    public func close(waitingAtMost limit: Duration? = nil) async {
        guard closed.trip() else { return }
        let once = Latch()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                let err = rd_kafka_consumer_close(self.handle.pointer)
                if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    self.logger.warning("consumer close reported an error", metadata: ["kafka.error": "\(String(cString: rd_kafka_err2str(err)))"])
                }
                self.handle.destroy()
                if once.trip() { continuation.resume() }
            }
            if let limit {
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(max(0, limit.milliseconds)))) {
                    guard once.trip() else { return }
                    self.logger.warning("the consumer did not leave its group in time; going on without waiting")
                    continuation.resume()
                }
            }
        }
    }

    static func makeList(_ partitions: [TopicPartition], offset: (TopicPartition) -> Int64) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(max(1, partitions.count)))!
        for partition in partitions {
            let element = rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition)!
            element.pointee.offset = offset(partition)
        }
        return list
    }
}

extension Duration {
    /// This duration in whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let parts = components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }
}
