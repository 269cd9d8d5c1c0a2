/// What a store belongs to: recorded when billingd first runs on it, checked at every start.
public struct StoreIdentity: Sendable, Equatable, Codable {
    /// A random id of this store; billingd's static group member id is made from it.
    public let storeID: String
    /// The Kafka cluster id of the brokers the store reads from (nil when they report none).
    public let clusterID: String?
    /// The consumer group.
    public let consumerGroup: String
    /// The input topics.
    public let inputTopics: [String]
    /// When the store was first run.
    public let createdAt: String

    /// Makes an identity.
    public init(storeID: String, clusterID: String?, consumerGroup: String, inputTopics: [String], createdAt: String) {
        self.storeID = storeID
        self.clusterID = clusterID
        self.consumerGroup = consumerGroup
        self.inputTopics = inputTopics
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case storeID = "store_id"
        case clusterID = "cluster_id"
        case consumerGroup = "consumer_group"
        case inputTopics = "input_topics"
        case createdAt = "created_at"
    }
}
