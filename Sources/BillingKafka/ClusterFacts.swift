/// What billingd learns from the brokers before it consumes: which cluster they are, which partitions
/// the input topics have, and what the consumer group has committed.
public struct ClusterFacts: Sendable, Equatable {
    /// The cluster id the brokers report (nil for a broker too old to have one).
    public let clusterID: String?
    /// Every partition of the input topics, as the metadata lists them.
    public let partitions: [TopicPartition]
    /// The group's committed next offsets, for the partitions that have one.
    public let committed: [TopicPartition: Int64]

    /// Makes facts.
    public init(clusterID: String?, partitions: [TopicPartition], committed: [TopicPartition: Int64]) {
        self.clusterID = clusterID
        self.partitions = partitions
        self.committed = committed
    }
}
