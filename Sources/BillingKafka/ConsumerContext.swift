import CRdKafka
import Logging
import Synchronization

/// What the consumer's C callbacks reach through librdkafka's opaque pointer.
///
/// librdkafka calls the rebalance, error and log callbacks only from inside `rd_kafka_consumer_poll`
/// and `rd_kafka_consumer_close` (logs are routed to the consumer queue with `log.queue=true`), which we
/// call only on the consumer's own dispatch queue, never on the cooperative thread pool and never on a
/// librdkafka thread. The state is still behind a mutex so `KafkaConsumer` may read it from anywhere.
final class ConsumerContext: Sendable {
    let logger: Logger
    let startingOffsets: @Sendable ([TopicPartition]) throws -> [TopicPartition: StartingOffset]

    struct State {
        var assigned: [TopicPartition] = []
        var revoked: [TopicPartition] = []
        var current: Set<TopicPartition> = []
        /// Bumped on every rebalance, so the batch collector notices one happened during a poll.
        var generation = 0
        /// Whether the last rebalance gave this consumer its partitions (an empty set included), rather
        /// than taking them away pending a new assignment.
        var settled = false
        var failure: (any Error)?
    }

    private let state = Mutex(State())

    init(logger: Logger, startingOffsets: @escaping @Sendable ([TopicPartition]) throws -> [TopicPartition: StartingOffset]) {
        self.logger = logger
        self.startingOffsets = startingOffsets
    }

    var generation: Int { state.withLock { $0.generation } }
    var currentAssignment: Set<TopicPartition> { state.withLock { $0.current } }
    /// The partitions assigned by the last rebalance, or nil while none has assigned any yet or one is
    /// in progress.
    var settledAssignment: Set<TopicPartition>? { state.withLock { $0.settled ? $0.current : nil } }

    /// Takes the assignment changes seen since the last call.
    func takeChanges() -> (assigned: [TopicPartition], revoked: [TopicPartition]) {
        state.withLock { state in
            defer {
                state.assigned = []
                state.revoked = []
            }
            return (state.assigned, state.revoked)
        }
    }

    /// Takes the failure recorded by a callback, if any.
    func takeFailure() -> (any Error)? {
        state.withLock { state in
            defer { state.failure = nil }
            return state.failure
        }
    }

    func record(failure: any Error) {
        state.withLock { $0.failure = failure }
    }

    func handleRebalance(_ rk: OpaquePointer, _ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let partitions = list.topicPartitions
        let cooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) } == "COOPERATIVE"
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            do {
                let offsets = try startingOffsets(partitions)
                let elements = UnsafeMutableBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt))
                for index in elements.indices {
                    let partition = TopicPartition(
                        topic: String(cString: elements[index].topic), partition: elements[index].partition)
                    elements[index].offset = (offsets[partition] ?? .beginning).rawOffset
                }
                try assign(rk, list, cooperative: cooperative)
                let held = partitions.filter { if case .held = offsets[$0] { true } else { false } }
                if !held.isEmpty { try KafkaConsumer.pause(held, of: rk) }
                logger.info(
                    "partitions assigned",
                    metadata: [
                        "kafka.partitions": "\(partitions.map(\.description).joined(separator: ","))",
                        "kafka.offsets": "\(partitions.map { "\(offsets[$0] ?? .beginning)" }.joined(separator: ","))",
                    ])
                state.withLock { state in
                    state.assigned += partitions
                    state.current.formUnion(partitions)
                    state.generation += 1
                    state.settled = true
                }
            } catch {
                logger.error("cannot assign partitions", metadata: ["error": "\(error)"])
                record(failure: error)
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            do {
                try unassign(rk, list, cooperative: cooperative)
            } catch {
                record(failure: error)
            }
            logger.info("partitions revoked", metadata: ["kafka.partitions": "\(partitions.map(\.description).joined(separator: ","))"])
            state.withLock { state in
                state.revoked += partitions
                state.current.subtract(partitions)
                state.generation += 1
                state.settled = cooperative
            }
        default:
            logger.error("rebalance failed", metadata: ["error": "\(String(cString: rd_kafka_err2str(err)))"])
            try? unassign(rk, nil, cooperative: false)
            state.withLock { state in
                state.revoked += state.current
                state.current = []
                state.generation += 1
                state.settled = false
            }
        }
    }

    private func assign(_ rk: OpaquePointer, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>, cooperative: Bool) throws {
        if cooperative {
            if let error = rd_kafka_incremental_assign(rk, list) {
                throw KafkaError(kind: .subscription, consuming: error, context: "incremental assign failed")
            }
        } else {
            let err = rd_kafka_assign(rk, list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(kind: .subscription, responseCode: err, context: "assign failed")
            }
        }
    }

    private func unassign(_ rk: OpaquePointer, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, cooperative: Bool) throws {
        if cooperative, let list {
            if let error = rd_kafka_incremental_unassign(rk, list) {
                throw KafkaError(kind: .subscription, consuming: error, context: "incremental unassign failed")
            }
        } else {
            let err = rd_kafka_assign(rk, nil)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(kind: .subscription, responseCode: err, context: "unassign failed")
            }
        }
    }

    func handleError(_ rk: OpaquePointer, code: Int32, reason: String) {
        let err = rd_kafka_resp_err_t(code)
        if err == RD_KAFKA_RESP_ERR__FATAL {
            let fatal = RDKafkaFatal.read(rk) ?? KafkaError(kind: .broker, code: code, message: reason, isFatal: true)
            logger.critical("fatal consumer error", metadata: ["error": "\(fatal)"])
            record(failure: fatal)
        } else {
            logger.warning("consumer error", metadata: ["kafka.error": "\(String(cString: rd_kafka_err2name(err)))", "reason": "\(reason)"])
        }
    }

    func handleLog(level: Int32, facility: String, text: String) {
        logger.log(level: loggerLevel(syslog: level), "librdkafka", metadata: ["kafka.facility": "\(facility)", "kafka.log": "\(text)"])
    }
}

/// Reads a client's fatal error.
enum RDKafkaFatal {
    static func read(_ rk: OpaquePointer) -> KafkaError? {
        var errbuf = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(rk, &errbuf, errbuf.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        let reason = errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return KafkaError(kind: .broker, code: code.rawValue, message: "fatal client error: \(reason)", isFatal: true)
    }
}

extension UnsafeMutablePointer where Pointee == rd_kafka_topic_partition_list_t {
    /// The list's topic-partitions, in list order.
    var topicPartitions: [TopicPartition] {
        UnsafeBufferPointer(start: pointee.elems, count: Int(pointee.cnt)).map {
            TopicPartition(topic: String(cString: $0.topic), partition: $0.partition)
        }
    }
}
