import CRdKafka

/// librdkafka's mock cluster: real Kafka protocol on loopback TCP ports, data kept in memory.
///
/// It backs the one-command demo (inside billingd) and the standalone `billingd broker` process that
/// crash tests kill billingd against. Keep its limits in mind (KAFKA-NOTES): each partition keeps at
/// most 5 MiB or 100,000 message sets, and a group's first join takes about 3 s.
public final class EmbeddedKafkaCluster: Sendable {
    private let host: RDKafkaHandle
    private let cluster: MockClusterBox
    private let stopped = Latch()
    /// The `host:port` list clients connect to.
    public let bootstrapServers: String
    /// How many broker listeners had Nagle's algorithm turned off (one per broker; see
    /// `disableNagleOnListeners`).
    public let listenersWithoutNagle: Int

    /// Starts a cluster with `brokerCount` brokers and creates `topics` (name → partition count).
    ///
    /// - Throws: `KafkaError` of kind `.embeddedCluster` when the cluster or a topic cannot be created.
    public init(brokerCount: Int = 1, topics: [String: Int] = [:]) throws {
        let conf = rd_kafka_conf_new()!
        try KafkaClientConfiguration.set(conf, "log_level", "3")
        try KafkaClientConfiguration.set(conf, "client.id", "billingd-embedded-broker")
        host = try RDKafkaHandle(type: RD_KAFKA_PRODUCER, conf: conf)
        guard let mcluster = rd_kafka_mock_cluster_new(host.pointer, Int32(brokerCount)) else {
            host.destroy()
            throw KafkaError(kind: .embeddedCluster, message: "could not start the embedded Kafka cluster")
        }
        cluster = MockClusterBox(mcluster)
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(mcluster))
        listenersWithoutNagle = disableNagleOnListeners(bootstrapServers: bootstrapServers)
        for (name, partitions) in topics.sorted(by: { $0.key < $1.key }) {
            try createTopic(name, partitions: partitions)
        }
    }

    /// Creates a topic (replication factor 1).
    ///
    /// - Throws: `KafkaError` of kind `.embeddedCluster` when the mock refuses it.
    public func createTopic(_ name: String, partitions: Int) throws {
        let err = rd_kafka_mock_topic_create(cluster.pointer, name, Int32(partitions), 1)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(kind: .embeddedCluster, responseCode: err, context: "cannot create topic \(name)")
        }
    }

    /// Takes a broker down (it closes its connections and refuses new ones) or brings it back up.
    ///
    /// - Throws: `KafkaError` of kind `.embeddedCluster` for an unknown broker id.
    public func setBroker(_ id: Int32, up: Bool) throws {
        let err = up ? rd_kafka_mock_broker_set_up(cluster.pointer, id) : rd_kafka_mock_broker_set_down(cluster.pointer, id)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(kind: .embeddedCluster, responseCode: err, context: "cannot change broker \(id)")
        }
    }

    /// Makes the next `count` requests of API `apiKey` (Kafka protocol number, e.g. 0 = Produce) fail
    /// with `errorCode`, cluster-wide.
    public func injectErrors(apiKey: Int16, errorCode: Int32, count: Int) {
        var errors = [rd_kafka_resp_err_t](repeating: rd_kafka_resp_err_t(errorCode), count: count)
        rd_kafka_mock_push_request_errors_array(cluster.pointer, apiKey, count, &errors)
    }

    /// Stops the cluster and drops its data. Later calls do nothing. Blocks briefly while the mock's
    /// threads stop.
    public func shutdown() {
        guard stopped.trip() else { return }
        rd_kafka_mock_cluster_destroy(cluster.pointer)
        host.destroy()
    }

    deinit {
        shutdown()
    }
}

/// The mock cluster's handle. librdkafka's mock API locks internally, so any thread may call it.
final class MockClusterBox: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}
