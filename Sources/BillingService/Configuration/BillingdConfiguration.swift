import BillingCore
import BillingKafka
import BillingStore
import Logging

/// Everything billingd reads from its configuration file and environment, validated.
///
/// Every key is documented in `config/billingd.yaml` and `docs/CONFIGURATION.md`, and every key can be
/// set by an environment variable: `BILLINGD_` plus the key in upper case with dots as underscores
/// (`kafka.brokers` → `BILLINGD_KAFKA_BROKERS`). The environment wins over the file.
public struct BillingdConfiguration: Sendable {
    /// Where the Kafka cluster is.
    public enum Brokers: Sendable, Equatable {
        /// Start librdkafka's mock cluster inside billingd (the demo and test default).
        case embedded
        /// Connect to these `host:port` bootstrap servers.
        case external(String)
    }

    /// Kafka settings.
    public struct Kafka: Sendable {
        public var brokers: Brokers = .embedded
        public var clientID = "billingd"
        public var groupID = "billingd"
        public var inputTopics = ["orders", "payments"]
        public var eventsTopic = "billing.events"
        public var deadLetterTopic = "billing.dlq"
        public var batchMaxMessages = 10_000
        public var batchMaxBytes = 64 << 20
        public var batchMaxWaitMilliseconds = 50
        public var maxEventBytes = 262_144
        public var sessionTimeoutMilliseconds = 10_000
        /// librdkafka properties passed through to every client (`name=value`).
        public var properties: [String: String] = [:]
        /// Partitions of each topic the embedded broker creates. Each keeps only ~5 MiB or 100,000 record
        /// batches (librdkafka's mock cluster drops the oldest), so more partitions hold more unread input.
        public var embeddedPartitions = 16
        /// The embedded broker's loopback port; 0 for any free port.
        public var embeddedPort = 0
        /// Where the embedded broker's bootstrap address is written.
        public var bootstrapFile = "var/broker.bootstrap"
    }

    /// Store settings.
    public struct Store: Sendable {
        public var path = "var/billingd.sqlite"
        public var durability: BillingStore.Durability = .full
    }

    /// Outbox relay settings.
    public struct Outbox: Sendable {
        public var batchSize = 2000
        public var pollIntervalMilliseconds = 1000
        public var maxDeadLetterPayloadBytes = 900_000
    }

    /// Billing rules and the seller's identity.
    public struct Billing: Sendable {
        /// The company's time zone (IANA name); issue and due dates are calendar dates there.
        public var timeZone = "UTC"
        /// Invoice numbers are `PREFIX-YYYY-NNNNNN`.
        public var invoicePrefix = "INV"
        /// Payment terms for orders that give none.
        public var defaultPaymentTermDays = 30
        /// The CloudEvents `source` of billing events.
        public var eventSource = "billingd"
        /// The seller printed on every invoice.
        public var seller = Party()
    }

    public var kafka = Kafka()
    public var billing = Billing()
    public var store = Store()
    public var outbox = Outbox()
    /// How long a graceful stop may take before work in flight is cancelled.
    public var shutdownTimeoutMilliseconds = 10_000
    /// The log level.
    public var logLevel: Logger.Level = .info

    /// The defaults, identical to `config/billingd.yaml`.
    public init() {}

    /// Every topic billingd uses, with the partition count the embedded broker gives it.
    public var embeddedTopics: [String: Int] {
        var topics: [String: Int] = [:]
        for topic in kafka.inputTopics + [kafka.eventsTopic, kafka.deadLetterTopic] {
            topics[topic] = kafka.embeddedPartitions
        }
        return topics
    }

    /// The librdkafka settings for a client of this configuration.
    public func kafkaClient(bootstrapServers: String) -> KafkaClientConfiguration {
        KafkaClientConfiguration(bootstrapServers: bootstrapServers, clientID: kafka.clientID, properties: kafka.properties)
    }
}
