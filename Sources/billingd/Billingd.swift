import ArgumentParser
import BillingService
import BillingStore
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

@main
struct Billingd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "billingd",
        abstract: "The billing daemon: order and payment events in, invoices and billing events out.",
        subcommands: [Run.self, Broker.self, CheckConfig.self],
        defaultSubcommand: Run.self
    )
}

/// Options every subcommand shares.
struct ConfigOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The configuration file (YAML). Every key can also be set as BILLINGD_<KEY>.")
    var config: String?

    func load() async throws -> BillingdConfiguration {
        try await BillingdConfiguration.load(file: config)
    }
}

/// billingd's files hold customer names, addresses and tax ids: everything it creates (the database,
/// its WAL and lock files, var/ and the broker's address file) is readable by its own user only.
func restrictFileModes() {
    umask(0o077)
}

func bootstrapLogging(level: Logger.Level) -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
    return Logger(label: "billingd")
}

extension Billingd {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the daemon (the default).")

        @OptionGroup var options: ConfigOptions

        @Option(
            name: .customLong("accept-gap"),
            help: ArgumentHelp(
                "Accept the open offset gap of TOPIC:PARTITION: the records the broker no longer has are skipped, reading resumes at the log's start, and the audit log records who, when and the range. Repeatable.",
                valueName: "TOPIC:PARTITION"))
        var acceptGap: [String] = []

        @Flag(
            name: .customLong("new-store"),
            help: "Allow a new, empty store although the consumer group has committed offsets at the broker (without it, billingd refuses: the path is probably wrong). The new store reads every log from its start.")
        var newStore = false

        func run() async throws {
            restrictFileModes()
            let configuration = try await options.load()
            let acceptance = acceptGap.isEmpty ? nil : try GapAcceptance(arguments: acceptGap)
            let logger = bootstrapLogging(level: configuration.logLevel)
            let application: BillingApplication
            do {
                application = try await BillingApplication.make(
                    configuration: configuration, logger: logger, signals: [.sigterm, .sigint], gapAcceptance: acceptance, newStore: newStore)
            } catch let error as StoreError {
                logger.critical("cannot start: \(error)", metadata: ["store.path": "\(configuration.store.path)", "exit_code": "\(error.exitCode)"])
                throw ExitCode(error.exitCode)
            }
            logger.notice("billingd started", metadata: ["kafka.bootstrap": "\(application.bootstrapServers)", "store.path": "\(configuration.store.path)"])
            let backstop = StopBackstop(limit: .milliseconds(configuration.shutdownTimeoutMilliseconds) + .seconds(5), logger: logger)
            defer { backstop.cancel() }
            var failure: (any Error)?
            do {
                try await application.serviceGroup.run()
            } catch {
                failure = error
            }
            let emptied = await application.store.close()
            if let error = failure as? OwnershipError {
                logger.critical("stopped: \(error)", metadata: ["store.path": "\(configuration.store.path)", "exit_code": "\(error.exitCode)"])
                // A store this start created and then refused (a wrong path) is not left behind.
                if case .newStoreWithCommittedOffsets = error { application.store.removeCreatedFiles() }
                throw ExitCode(error.exitCode)
            }
            if let failure { throw failure }
            logger.notice("billingd stopped", metadata: ["store.wal_checkpointed": "\(emptied)"])
        }
    }

    struct Broker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run only the embedded Kafka broker, so billingd can be stopped and restarted against data that stays.")

        @OptionGroup var options: ConfigOptions

        @Option(help: "Where to write the bootstrap address (default: kafka.embedded.bootstrap_file).")
        var bootstrapFile: String?

        @Option(help: "The loopback port to listen on (default: kafka.embedded.port; 0 for any free port). A broker restarted on the same port is found again by a running billingd; it is empty, which billingd reports as offset gaps.")
        var port: Int?

        func run() async throws {
            restrictFileModes()
            let configuration = try await options.load()
            let logger = bootstrapLogging(level: configuration.logLevel)
            let broker = try EmbeddedBrokerService(
                topics: configuration.embeddedTopics, port: port ?? configuration.kafka.embeddedPort,
                bootstrapFile: bootstrapFile ?? configuration.kafka.bootstrapFile, logger: logger)
            let group = ServiceGroup(services: [broker], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            try await group.run()
        }
    }

    struct CheckConfig: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config", abstract: "Validate the configuration and print the values in effect.")

        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let configuration = try await options.load()
            print(configuration.summary)
        }
    }
}
