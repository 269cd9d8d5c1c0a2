/// Settings of a group consumer with manual offset control.
public struct KafkaConsumerConfiguration: Sendable {
    /// Brokers, client id and pass-through properties.
    public var client: KafkaClientConfiguration
    /// The consumer group.
    public var groupID: String
    /// The topics to subscribe to.
    public var topics: [String]
    /// How long the broker waits for a heartbeat before it drops this member.
    public var sessionTimeoutMilliseconds: Int
    /// A static group member id (KIP-345), so a restarted consumer takes its place back at once instead
    /// of waiting for the broker to drop the old member; nil for a dynamic member.
    public var groupInstanceID: String?

    /// Makes a consumer configuration.
    public init(
        client: KafkaClientConfiguration, groupID: String, topics: [String], sessionTimeoutMilliseconds: Int = 10_000, groupInstanceID: String? = nil
    ) {
        self.client = client
        self.groupID = groupID
        self.topics = topics
        self.sessionTimeoutMilliseconds = sessionTimeoutMilliseconds
        self.groupInstanceID = groupInstanceID
    }

    /// The properties the consumer needs for manual offset control, before the pass-through ones.
    var typedProperties: [(String, String)] {
        (groupInstanceID.map { [("group.instance.id", $0)] } ?? [])
        + [
            ("group.id", groupID),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("enable.partition.eof", "false"),
            // Never jump: an offset the broker no longer has (or never had) is reported as an error, and
            // billingd pauses the partition as a gap (see `OffsetGap`). Partitions the store has no offset
            // for start at an explicit `.beginning`, which needs no reset.
            ("auto.offset.reset", "error"),
            ("session.timeout.ms", String(sessionTimeoutMilliseconds)),
            ("log.queue", "true"),
            // Keep a local queue deep enough that fetches run several batches ahead of processing (with
            // librdkafka's default queue sizes the consumer stalled for ~1 s in some runs against the mock
            // cluster), but bounded: 32 MiB, not 256, since every prefetched byte is fresh memory
            // (8 MiB, about one batch, starved the consumer; docs/PERFORMANCE.md, 2026-12-05).
            ("queued.min.messages", "1000000"),
            ("queued.max.messages.kbytes", "32768"),
            // Latency: don't let an idle fetch sit at the broker for librdkafka's default 500 ms.
            ("fetch.wait.max.ms", "10"),
        ]
    }
}
