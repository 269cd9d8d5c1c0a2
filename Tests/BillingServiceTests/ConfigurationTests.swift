import BillingService
import BillingStore
import Foundation
import Logging
import TestSupport
import Testing

@Suite("Configuration loading and validation")
struct ConfigurationTests {
    static let shippedFile = TestSupport.packageRoot.appendingPathComponent("config/billingd.yaml").path

    func write(_ yaml: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("billingd-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func failure(file: String?, environment: [String: String] = [:]) async -> ConfigurationError? {
        do {
            _ = try await BillingdConfiguration.load(file: file, environment: environment)
            return nil
        } catch {
            return error as? ConfigurationError
        }
    }

    @Test("the shipped file holds exactly the built-in defaults")
    func shippedFileMatchesDefaults() async throws {
        let loaded = try await BillingdConfiguration.load(file: Self.shippedFile, environment: [:])
        #expect(loaded.summary == BillingdConfiguration().summary)
        #expect(loaded.kafka.brokers == .embedded)
    }

    @Test("the shipped file documents every known key")
    func shippedFileHasEveryKey() throws {
        let text = try String(contentsOfFile: Self.shippedFile, encoding: .utf8)
        for key in BillingdConfiguration.knownKeys {
            #expect(text.contains("\(key.split(separator: ".").last!):"), "config/billingd.yaml lacks \(key)")
        }
    }

    @Test("environment variables override the file")
    func environmentWins() async throws {
        let loaded = try await BillingdConfiguration.load(file: Self.shippedFile, environment: [
            "BILLINGD_KAFKA_BROKERS": "k1:9092,k2:9092",
            "BILLINGD_KAFKA_INPUT_TOPICS": "sales,pay",
            "BILLINGD_KAFKA_BATCH_MAX_MESSAGES": "64",
            "BILLINGD_STORE_DURABILITY": "normal",
            "BILLINGD_KAFKA_PROPERTIES": "security.protocol=sasl_ssl,sasl.mechanisms=PLAIN",
            "BILLINGD_LOG_LEVEL": "debug",
        ])
        #expect(loaded.kafka.brokers == .external("k1:9092,k2:9092"))
        #expect(loaded.kafka.inputTopics == ["sales", "pay"])
        #expect(loaded.kafka.batchMaxMessages == 64)
        #expect(loaded.store.durability == .normal)
        #expect(loaded.kafka.properties == ["security.protocol": "sasl_ssl", "sasl.mechanisms": "PLAIN"])
        #expect(loaded.logLevel == .debug)
    }

    @Test("no file at all gives the defaults")
    func noFile() async throws {
        let loaded = try await BillingdConfiguration.load(file: nil, environment: [:])
        #expect(loaded.summary == BillingdConfiguration().summary)
    }

    @Test("an unknown key in the file is named, with a suggestion")
    func unknownKey() async throws {
        let error = await failure(file: try write("kafka:\n  batch_max_mesages: 10\n"))
        #expect(error?.key == "kafka.batch_max_mesages")
        #expect(error?.description.contains("did you mean 'kafka.batch_max_messages'") == true)
        let section = await failure(file: try write("stroe:\n  path: x\n"))
        #expect(section?.key == "stroe")
    }

    @Test("bad values name their key", arguments: [
        ("BILLINGD_KAFKA_BATCH_MAX_MESSAGES", "many", "kafka.batch_max_messages"),
        ("BILLINGD_KAFKA_BATCH_MAX_MESSAGES", "0", "kafka.batch_max_messages"),
        ("BILLINGD_KAFKA_BATCH_MAX_BYTES", "1024", "kafka.batch_max_bytes"),
        ("BILLINGD_KAFKA_BROKERS", "kafkahost", "kafka.brokers"),
        ("BILLINGD_STORE_DURABILITY", "sometimes", "store.durability"),
        ("BILLINGD_LOG_LEVEL", "loud", "log.level"),
        ("BILLINGD_KAFKA_PROPERTIES", "no.such.property=1", "kafka.properties"),
        ("BILLINGD_KAFKA_PROPERTIES", "novalue", "kafka.properties"),
        // Where a partition starts is billingd's: a pass-through reset would skip records at a gap.
        ("BILLINGD_KAFKA_PROPERTIES", "auto.offset.reset=earliest", "kafka.properties"),
        ("BILLINGD_KAFKA_PROPERTIES", "enable.auto.commit=true", "kafka.properties"),
        ("BILLINGD_KAFKA_INPUT_TOPICS", "orders,billing.dlq", "kafka.input_topics"),
        ("BILLINGD_STORE_PATH", " ", "store.path"),
    ])
    func badValues(variable: String, value: String, key: String) async {
        let error = await failure(file: Self.shippedFile, environment: [variable: value])
        #expect(error?.key == key)
        #expect(error?.description.contains(variable) == true)
    }

    @Test("a file that is not YAML or cannot be read is reported")
    func unreadable() async throws {
        #expect(await failure(file: "/nonexistent/billingd.yaml")?.key == "config")
        #expect(await failure(file: try write("kafka: [unclosed\n"))?.key == "config")
    }
}
