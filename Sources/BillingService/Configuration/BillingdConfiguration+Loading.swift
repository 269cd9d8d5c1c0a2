import BillingCore
import BillingKafka
import BillingStore
import Configuration
import Foundation
import Logging
import SystemPackage
import Yams

extension BillingdConfiguration {
    /// Every key billingd knows; a file key outside this list is reported as unknown.
    public static let knownKeys: [String] = [
        "kafka.brokers", "kafka.client_id", "kafka.group_id", "kafka.input_topics", "kafka.events_topic",
        "kafka.dead_letter_topic", "kafka.batch_max_messages", "kafka.batch_max_bytes", "kafka.batch_max_wait_ms", "kafka.max_event_bytes",
        "kafka.session_timeout_ms", "kafka.properties", "kafka.embedded.partitions", "kafka.embedded.port", "kafka.embedded.bootstrap_file",
        "store.path", "store.durability",
        "outbox.batch_size", "outbox.poll_interval_ms", "outbox.max_dead_letter_payload_bytes",
        "billing.time_zone", "billing.invoice_prefix", "billing.default_payment_terms_days", "billing.event_source",
        "seller.name", "seller.tax_id", "seller.address.line1", "seller.address.line2", "seller.address.city",
        "seller.address.postal_code", "seller.address.country",
        "shutdown.timeout_ms", "log.level",
    ]

    /// Loads the configuration from an optional YAML file and the environment, and validates it.
    ///
    /// - Throws: `ConfigurationError` naming the key for an unknown key, a value of the wrong form or
    ///   out of range, or an unreadable file (key `config`).
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> BillingdConfiguration {
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(environmentVariables: environment.filter { $0.key.hasPrefix("BILLINGD_") })
                .prefixKeys(with: "billingd")
        ]
        if let file {
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw ConfigurationError(key: "config", problem: "cannot read the configuration file \(file)")
            }
            try checkKnownKeys(file: file)
            do {
                providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(file)))
            } catch {
                throw ConfigurationError(key: "config", problem: "cannot parse \(file): \(error)")
            }
        }
        let values = ConfigValues(reader: ConfigReader(providers: providers), file: file, environment: environment)
        return try BillingdConfiguration(values: values)
    }

    init(values: ConfigValues) throws {
        self.init()
        let brokers = try values.string("kafka.brokers") ?? "embedded"
        kafka.brokers = brokers.lowercased() == "embedded" ? .embedded : .external(brokers)
        if case .external(let list) = kafka.brokers {
            for entry in list.split(separator: ",") where !entry.contains(":") {
                throw values.error("kafka.brokers", "'\(entry)' is not host:port (or use 'embedded')")
            }
        }
        kafka.clientID = try values.nonEmpty("kafka.client_id") ?? kafka.clientID
        kafka.groupID = try values.nonEmpty("kafka.group_id") ?? kafka.groupID
        kafka.inputTopics = try values.list("kafka.input_topics") ?? kafka.inputTopics
        guard !kafka.inputTopics.isEmpty else { throw values.error("kafka.input_topics", "needs at least one topic") }
        kafka.eventsTopic = try values.nonEmpty("kafka.events_topic") ?? kafka.eventsTopic
        kafka.deadLetterTopic = try values.nonEmpty("kafka.dead_letter_topic") ?? kafka.deadLetterTopic
        if kafka.inputTopics.contains(kafka.deadLetterTopic) || kafka.inputTopics.contains(kafka.eventsTopic) {
            throw values.error("kafka.input_topics", "must not include the events or dead-letter topic")
        }
        kafka.batchMaxMessages = try values.int("kafka.batch_max_messages", in: 1...100_000) ?? kafka.batchMaxMessages
        kafka.batchMaxBytes = try values.int("kafka.batch_max_bytes", in: 65_536...1_073_741_824) ?? kafka.batchMaxBytes
        kafka.batchMaxWaitMilliseconds = try values.int("kafka.batch_max_wait_ms", in: 1...60_000) ?? kafka.batchMaxWaitMilliseconds
        kafka.maxEventBytes = try values.int("kafka.max_event_bytes", in: 256...100_000_000) ?? kafka.maxEventBytes
        kafka.sessionTimeoutMilliseconds = try values.int("kafka.session_timeout_ms", in: 1000...3_600_000) ?? kafka.sessionTimeoutMilliseconds
        if let entries = try values.list("kafka.properties") {
            for entry in entries {
                guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                    throw values.error("kafka.properties", "'\(entry)' is not name=value")
                }
                let name = String(entry[..<equals])
                if Self.ownedKafkaProperties.contains(name) {
                    throw values.error(
                        "kafka.properties", "'\(name)' is set by billingd itself (its offsets live in the store, and gaps are never skipped)")
                }
                kafka.properties[name] = String(entry[entry.index(after: equals)...])
            }
            do {
                try KafkaClientConfiguration(bootstrapServers: "localhost:9092", properties: kafka.properties).validate()
            } catch let error as KafkaError {
                throw values.error("kafka.properties", error.message)
            }
        }
        kafka.embeddedPartitions = try values.int("kafka.embedded.partitions", in: 1...256) ?? kafka.embeddedPartitions
        kafka.embeddedPort = try values.int("kafka.embedded.port", in: 0...65535) ?? kafka.embeddedPort
        kafka.bootstrapFile = try values.nonEmpty("kafka.embedded.bootstrap_file") ?? kafka.bootstrapFile
        store.path = try values.nonEmpty("store.path") ?? store.path
        if let durability = try values.string("store.durability") {
            guard let value = BillingStore.Durability(rawValue: durability.lowercased()) else {
                throw values.error("store.durability", "'\(durability)' is not one of full, normal")
            }
            store.durability = value
        }
        outbox.batchSize = try values.int("outbox.batch_size", in: 1...100_000) ?? outbox.batchSize
        outbox.pollIntervalMilliseconds = try values.int("outbox.poll_interval_ms", in: 10...600_000) ?? outbox.pollIntervalMilliseconds
        outbox.maxDeadLetterPayloadBytes =
            try values.int("outbox.max_dead_letter_payload_bytes", in: 1024...100_000_000) ?? outbox.maxDeadLetterPayloadBytes
        if let zone = try values.nonEmpty("billing.time_zone") {
            guard TimeZone(identifier: zone) != nil else { throw values.error("billing.time_zone", "'\(zone)' is not an IANA time zone such as Europe/Berlin") }
            billing.timeZone = zone
        }
        if let prefix = try values.nonEmpty("billing.invoice_prefix") {
            guard prefix.count <= 20, prefix.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw values.error("billing.invoice_prefix", "'\(prefix)' must be up to 20 letters, digits or underscores")
            }
            billing.invoicePrefix = prefix
        }
        billing.defaultPaymentTermDays = try values.int("billing.default_payment_terms_days", in: 0...3650) ?? billing.defaultPaymentTermDays
        billing.eventSource = try values.nonEmpty("billing.event_source") ?? billing.eventSource
        let address = PostalAddress(
            line1: try values.text("seller.address.line1"), line2: try values.text("seller.address.line2"),
            city: try values.text("seller.address.city"), postalCode: try values.text("seller.address.postal_code"),
            country: try values.text("seller.address.country"))
        billing.seller = Party(
            name: try values.text("seller.name"), taxID: try values.text("seller.tax_id"),
            address: address == PostalAddress() ? nil : address)
        shutdownTimeoutMilliseconds = try values.int("shutdown.timeout_ms", in: 100...600_000) ?? shutdownTimeoutMilliseconds
        if let level = try values.string("log.level") {
            guard let value = Logger.Level(rawValue: level.lowercased()) else {
                throw values.error("log.level", "'\(level)' is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            logLevel = value
        }
    }

    /// Reports keys in the file that billingd does not know, which are almost always typos.
    static func checkKnownKeys(file: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigurationError(key: "config", problem: "cannot read \(file): \(error)")
        }
        let node: Yams.Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError(key: "config", problem: "\(file) is not valid YAML: \(error)")
        }
        guard let node else { return }
        guard let mapping = node.mapping else {
            throw ConfigurationError(key: "config", problem: "\(file) must be a YAML mapping of sections")
        }
        let known = Set(knownKeys)
        func walk(_ mapping: Yams.Node.Mapping, prefix: String) throws {
            for (keyNode, valueNode) in mapping {
                let key = prefix.isEmpty ? (keyNode.string ?? "") : "\(prefix).\(keyNode.string ?? "")"
                if known.contains(key) { continue }
                if let nested = valueNode.mapping, known.contains(where: { $0.hasPrefix(key + ".") }) {
                    try walk(nested, prefix: key)
                    continue
                }
                let hint = known.min { editDistance($0, key) < editDistance($1, key) }.map { " (did you mean '\($0)'?)" } ?? ""
                throw ConfigurationError(key: key, problem: "unknown key\(hint)", origin: "set in \(file)")
            }
        }
        try walk(mapping, prefix: "")
    }
}

/// Levenshtein distance, for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
}

/// Reads raw values by key and turns bad ones into `ConfigurationError`s that name the key.
struct ConfigValues {
    let reader: ConfigReader
    let file: String?
    let environment: [String: String]

    func error(_ key: String, _ problem: String) -> ConfigurationError {
        let variable = ConfigurationError.environmentVariable(for: key)
        let origin = environment[variable] != nil ? "set by \(variable)" : file.map { "set in \($0)" }
        return ConfigurationError(key: key, problem: problem, origin: origin)
    }

    func string(_ key: String) throws -> String? {
        reader.string(forKey: ConfigKey(key))
    }

    /// An optional free text; blank counts as absent.
    func text(_ key: String) throws -> String? {
        guard let value = try string(key)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    func nonEmpty(_ key: String) throws -> String? {
        guard let value = try string(key) else { return nil }
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw error(key, "must not be empty") }
        return value
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = try string(key) else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else { throw error(key, "'\(text)' is not a whole number") }
        guard range.contains(value) else { throw error(key, "\(value) is outside \(range.lowerBound)...\(range.upperBound)") }
        return value
    }

    func list(_ key: String) throws -> [String]? {
        if let values = reader.stringArray(forKey: ConfigKey(key)) {
            return values.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let single = try string(key) {
            // A plain string in the file (or any environment value) is a comma-separated list.
            return single.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return nil
    }
}

extension BillingdConfiguration {
    /// librdkafka properties billingd sets itself and a pass-through property must not change: where a
    /// partition starts, and who commits and stores offsets.
    static let ownedKafkaProperties: Set<String> = [
        "auto.offset.reset", "enable.auto.commit", "enable.auto.offset.store", "group.id", "enable.partition.eof", "group.instance.id",
    ]
}
