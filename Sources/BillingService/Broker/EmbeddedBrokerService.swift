import BillingKafka
import Foundation
import Logging
import ServiceLifecycle

/// Keeps the embedded Kafka cluster up while billingd runs, and stops it last.
public final class EmbeddedBrokerService: Service {
    /// The running cluster.
    public let cluster: EmbeddedKafkaCluster
    private let bootstrapFile: String?
    private let logger: Logger

    /// Starts the cluster with these topics on `port` (0: any free port) and writes its bootstrap address
    /// to `bootstrapFile`.
    ///
    /// - Throws: `KafkaError` when the cluster cannot start (or not on that port), or a file-system error
    ///   for the address file.
    public init(topics: [String: Int], port: Int = 0, bootstrapFile: String?, logger: Logger) throws {
        cluster = try EmbeddedKafkaCluster(topics: topics, port: port)
        self.bootstrapFile = bootstrapFile
        self.logger = logger
        if let bootstrapFile {
            let url = URL(fileURLWithPath: bootstrapFile)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data((cluster.bootstrapServers + "\n").utf8).write(to: url, options: .atomic)
        }
        logger.notice(
            "embedded Kafka broker started",
            metadata: [
                "kafka.bootstrap": "\(cluster.bootstrapServers)",
                "kafka.bootstrap_file": "\(bootstrapFile ?? "-")",
                "kafka.topics": "\(topics.sorted { $0.key < $1.key }.map { "\($0.key)(\($0.value))" }.joined(separator: ","))",
                "kafka.retention": "each partition keeps ~5 MiB or 100000 record batches; older records are dropped",
            ])
    }

    public func run() async throws {
        try? await gracefulShutdown()
        cluster.shutdown()
        if let bootstrapFile { try? FileManager.default.removeItem(atPath: bootstrapFile) }
        logger.notice("embedded Kafka broker stopped")
    }
}
