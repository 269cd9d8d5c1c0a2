/// Settings of the idempotent producer.
public struct KafkaProducerConfiguration: Sendable {
    /// Brokers, client id and pass-through properties.
    public var client: KafkaClientConfiguration
    /// How long librdkafka waits to fill a batch before sending it.
    public var lingerMilliseconds: Int
    /// How long a record may take to be acknowledged before its delivery fails.
    public var messageTimeoutMilliseconds: Int

    /// Makes a producer configuration.
    public init(client: KafkaClientConfiguration, lingerMilliseconds: Int = 5, messageTimeoutMilliseconds: Int = 30_000) {
        self.client = client
        self.lingerMilliseconds = lingerMilliseconds
        self.messageTimeoutMilliseconds = messageTimeoutMilliseconds
    }

    var typedProperties: [(String, String)] {
        [
            ("enable.idempotence", "true"),
            ("acks", "all"),
            ("linger.ms", String(lingerMilliseconds)),
            ("message.timeout.ms", String(messageTimeoutMilliseconds)),
            ("compression.type", "lz4"),
            ("queue.buffering.max.messages", "1000000"),
            ("log.queue", "true"),
        ]
    }
}
