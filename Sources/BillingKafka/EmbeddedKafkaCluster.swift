import CMockListener
import CRdKafka
import Foundation

/// librdkafka's mock cluster: real Kafka protocol on loopback TCP ports, data kept in memory.
///
/// It backs the one-command demo (inside billingd) and the standalone `billingd broker` process that
/// crash tests kill billingd against. Keep its limits in mind: each partition keeps at most 5 MiB or
/// 100,000 message sets (the oldest are dropped), and a group's first join takes about 3 s.
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
    /// - Parameter port: the loopback port of the (single) broker, so that a restarted broker is found
    ///   at the same address; 0 for any free port.
    /// - Throws: `KafkaError` of kind `.embeddedCluster` when the cluster or a topic cannot be created, or
    ///   the port cannot be had (in use).
    public init(brokerCount: Int = 1, topics: [String: Int] = [:], port: Int = 0) throws {
        precondition(port == 0 || brokerCount == 1, "a fixed port is for a single broker")
        if port != 0 {
            let failure = billingd_mock_listener_port_available(Int32(port))
            guard failure == 0 else {
                throw KafkaError(
                    kind: .embeddedCluster,
                    message: "cannot listen on 127.0.0.1:\(port) for the embedded Kafka broker: \(String(cString: strerror(failure)))")
            }
        }
        let conf = rd_kafka_conf_new()!
        try KafkaClientConfiguration.set(conf, "log_level", "3")
        try KafkaClientConfiguration.set(conf, "client.id", "billingd-embedded-broker")
        host = try RDKafkaHandle(type: RD_KAFKA_PRODUCER, conf: conf)
        // The mock binds its listener to 127.0.0.1:0 on this thread, inside rd_kafka_mock_cluster_new.
        billingd_mock_listener_port(Int32(port))
        let created = rd_kafka_mock_cluster_new(host.pointer, Int32(brokerCount))
        let portUsed = billingd_mock_listener_port_used() != 0
        billingd_mock_listener_port(0)
        guard let mcluster = created else {
            host.destroy()
            throw KafkaError(
                kind: .embeddedCluster,
                message: port == 0 ? "could not start the embedded Kafka cluster" : "could not start the embedded Kafka broker on 127.0.0.1:\(port) (is the port in use?)")
        }
        guard port == 0 || portUsed else {
            rd_kafka_mock_cluster_destroy(mcluster)
            host.destroy()
            throw KafkaError(kind: .embeddedCluster, message: "the embedded Kafka broker did not take the fixed port \(port)")
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
