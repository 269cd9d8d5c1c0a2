import BillingKafka
import BillingStore
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// billingd assembled: store opened and migrated, embedded broker started when configured, and the
/// services in dependency order. Tests build it with `make` and a configuration in memory.
public struct BillingApplication: Sendable {
    /// The services and their lifecycle.
    public let serviceGroup: ServiceGroup
    /// The Kafka bootstrap servers in use (the embedded broker's when `brokers: embedded`).
    public let bootstrapServers: String
    /// The open store.
    public let store: BillingStore
    /// The embedded broker, when billingd hosts one.
    public let embeddedBroker: EmbeddedBrokerService?

    /// Builds the application.
    ///
    /// - Parameter signals: the Unix signals that start a graceful stop (billingd passes SIGTERM and SIGINT).
    /// - Throws: `StoreError` when the store cannot be opened, `KafkaError` when the broker cannot start.
    public static func make(
        configuration: BillingdConfiguration,
        logger: Logger,
        signals: [UnixSignal] = [],
        now: @escaping @Sendable () -> Date = { Date() },
        gapAcceptance: GapAcceptance? = nil,
        newStore: Bool = false
    ) async throws -> BillingApplication {
        // Only the documented default's directory (var/) is created: a mistyped store.path must not
        // start an empty store that would invoice everything again.
        let store = try BillingStore.openForWriting(
            path: configuration.store.path, durability: configuration.store.durability,
            createDirectory: configuration.store.path == BillingdConfiguration().store.path)
        logger.info("store open", metadata: ["store.path": "\(configuration.store.path)", "store.durability": "\(configuration.store.durability.rawValue)"])
        var broker: EmbeddedBrokerService?
        let bootstrap: String
        switch configuration.kafka.brokers {
        case .embedded:
            let service = try EmbeddedBrokerService(
                topics: configuration.embeddedTopics, port: configuration.kafka.embeddedPort, bootstrapFile: configuration.kafka.bootstrapFile,
                logger: logger)
            broker = service
            bootstrap = service.cluster.bootstrapServers
        case .external(let servers):
            bootstrap = servers
        }
        let metrics = BillingMetrics()
        let signal = OutboxSignal()
        let producer = try KafkaProducer(
            // A short linger: billing events go out as soon as their batch is committed.
            configuration: KafkaProducerConfiguration(client: configuration.kafkaClient(bootstrapServers: bootstrap), lingerMilliseconds: 1),
            logger: logger)
        let deadline = ShutdownDeadline(limit: .milliseconds(configuration.shutdownTimeoutMilliseconds))
        let relay = OutboxRelay(
            store: store, producer: producer, signal: signal, batchSize: configuration.outbox.batchSize,
            pollInterval: .milliseconds(configuration.outbox.pollIntervalMilliseconds), logger: logger, metrics: metrics, deadline: deadline)
        let ingest = IngestService(
            configuration: configuration, bootstrapServers: bootstrap, store: store, signal: signal, logger: logger,
            metrics: metrics, now: now, gapAcceptance: gapAcceptance, deadline: deadline, newStore: newStore)
        // Start order = dependency order; graceful shutdown runs in reverse: ingest stops first, then the
        // relay drains the outbox, then the broker goes.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let broker { services.append(.init(service: broker, serviceName: "embedded-broker")) }
        services.append(.init(service: relay, serviceName: "outbox-relay"))
        services.append(.init(service: ingest, serviceName: "ingest"))
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: signals, logger: logger)
        // Each service bounds its own stop by `deadline`, so the group's limits are only a backstop: past
        // the graceful limit the services are cancelled, and they answer cancellation promptly. There is
        // no cancellation limit, whose breach would end billingd in a fatal error.
        groupConfiguration.maximumGracefulShutdownDuration = .milliseconds(configuration.shutdownTimeoutMilliseconds)
        groupConfiguration.maximumCancellationDuration = nil
        return BillingApplication(
            serviceGroup: ServiceGroup(configuration: groupConfiguration), bootstrapServers: bootstrap, store: store, embeddedBroker: broker)
    }
}
