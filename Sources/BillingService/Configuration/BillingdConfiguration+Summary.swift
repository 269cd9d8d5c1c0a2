import BillingCore
import BillingStore
import Logging

extension BillingdConfiguration {
    /// The values in effect, one `key: value` line each, secrets masked.
    public var summary: String {
        let brokers: String
        switch kafka.brokers {
        case .embedded: brokers = "embedded"
        case .external(let list): brokers = list
        }
        var lines = [
            "kafka.brokers: \(brokers)",
            "kafka.client_id: \(kafka.clientID)",
            "kafka.group_id: \(kafka.groupID)",
            "kafka.input_topics: \(kafka.inputTopics.joined(separator: ","))",
            "kafka.events_topic: \(kafka.eventsTopic)",
            "kafka.dead_letter_topic: \(kafka.deadLetterTopic)",
            "kafka.batch_max_messages: \(kafka.batchMaxMessages)",
            "kafka.batch_max_bytes: \(kafka.batchMaxBytes)",
            "kafka.batch_max_wait_ms: \(kafka.batchMaxWaitMilliseconds)",
            "kafka.max_event_bytes: \(kafka.maxEventBytes)",
            "kafka.session_timeout_ms: \(kafka.sessionTimeoutMilliseconds)",
            "kafka.embedded.partitions: \(kafka.embeddedPartitions)",
            "kafka.embedded.port: \(kafka.embeddedPort)",
            "kafka.embedded.bootstrap_file: \(kafka.bootstrapFile)",
            "store.path: \(store.path)",
            "store.durability: \(store.durability.rawValue)",
            "outbox.batch_size: \(outbox.batchSize)",
            "outbox.poll_interval_ms: \(outbox.pollIntervalMilliseconds)",
            "outbox.max_dead_letter_payload_bytes: \(outbox.maxDeadLetterPayloadBytes)",
            "billing.time_zone: \(billing.timeZone)",
            "billing.invoice_prefix: \(billing.invoicePrefix)",
            "billing.default_payment_terms_days: \(billing.defaultPaymentTermDays)",
            "billing.event_source: \(billing.eventSource)",
            "seller.name: \(billing.seller.name ?? "")",
            "seller.tax_id: \(billing.seller.taxID ?? "")",
            "seller.address: \([billing.seller.address?.line1, billing.seller.address?.line2, billing.seller.address?.postalCode, billing.seller.address?.city, billing.seller.address?.country].compactMap { $0 }.joined(separator: ", "))",
            "shutdown.timeout_ms: \(shutdownTimeoutMilliseconds)",
            "log.level: \(logLevel.rawValue)",
        ]
        for (name, value) in kafka.properties.sorted(by: { $0.key < $1.key }) {
            let secret = name.contains("password") || name.contains("secret") || name.hasSuffix(".pem")
            lines.append("kafka.properties: \(name)=\(secret ? "****" : value)")
        }
        return lines.joined(separator: "\n")
    }
}
