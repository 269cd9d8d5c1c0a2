import BillingKafka
import Foundation
import Logging
import Synchronization
import TestSupport

/// Helpers shared by the Kafka tests: a quiet logger, unique names and a drain loop with a deadline.
enum KafkaTestSupport {
    static let logger: Logger = {
        var logger = Logger(label: "test.kafka")
        logger.logLevel = .warning
        return logger
    }()

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8))"
    }

    static func consumerConfiguration(_ cluster: EmbeddedKafkaCluster, group: String, topics: [String]) -> KafkaConsumerConfiguration {
        KafkaConsumerConfiguration(
            client: KafkaClientConfiguration(bootstrapServers: cluster.bootstrapServers, clientID: "test"),
            groupID: group, topics: topics, sessionTimeoutMilliseconds: 6000)
    }

    static func producer(_ cluster: EmbeddedKafkaCluster) throws -> KafkaProducer {
        try KafkaProducer(
            configuration: KafkaProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: cluster.bootstrapServers)),
            logger: logger)
    }

    /// Reads batches until `count` messages arrived or `timeout` passed; returns what it read.
    static func drain(_ consumer: KafkaConsumer, count: Int, timeout: Duration = .seconds(30)) async throws -> [ConsumedMessage] {
        var messages: [ConsumedMessage] = []
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while messages.count < count, ContinuousClock.now < deadline {
            let batch = try await consumer.nextBatch(maxMessages: 500, maxWait: .milliseconds(200))
            messages += batch.messages
        }
        return messages
    }
}

/// A value shared between test tasks behind a lock.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}
