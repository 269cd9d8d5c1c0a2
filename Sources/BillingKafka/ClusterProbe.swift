import CRdKafka
import Dispatch
import Logging

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
    /// - Throws: `KafkaError` of kind `.broker` when the brokers do not answer in time (retry later), or
    ///   a topic does not exist.
    public func facts(topics: [String], timeoutMilliseconds: Int32 = 5000) async throws -> ClusterFacts {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try BrokerQueries.clusterFacts(self.handle.pointer, topics: topics, timeoutMilliseconds: timeoutMilliseconds) })
            }
        }
    }

    /// The first and next offset of each partition's log; partitions whose leader does not answer in
    /// time are left out.
    public func logBounds(_ partitions: [TopicPartition], timeoutMilliseconds: Int32 = 5000) async -> [TopicPartition: LogBounds] {
        await withCheckedContinuation { continuation in
            queue.async {
                var result: [TopicPartition: LogBounds] = [:]
                for partition in partitions {
                    result[partition] = BrokerQueries.logBounds(self.handle.pointer, partition, timeoutMilliseconds: timeoutMilliseconds, logger: self.logger)
                }
                continuation.resume(returning: result)
            }
        }
    }

    /// Destroys the client. Later calls do nothing.
    public func close() async {
        guard closed.trip() else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.handle.destroy()
                continuation.resume()
            }
        }
    }
}
