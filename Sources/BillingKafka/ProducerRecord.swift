/// A record to produce.
public struct ProducerRecord: Sendable {
    /// The destination topic.
    public var topic: String
    /// A fixed partition, or `nil` to let the key choose (librdkafka's default partitioner).
    public var partition: Int32?
    /// The key; records with the same key go to the same partition, in order.
    public var key: [UInt8]?
    /// The value; `nil` produces a tombstone (NULL payload).
    public var value: [UInt8]?
    /// Headers, in order.
    public var headers: [KafkaHeader]

    /// Makes a record.
    public init(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = []) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// Makes a record with a string key and value.
    public init(topic: String, key: String?, value: String?, headers: [KafkaHeader] = []) {
        self.init(topic: topic, key: key.map { Array($0.utf8) }, value: value.map { Array($0.utf8) }, headers: headers)
    }
}

/// Where the broker stored a produced record.
public struct DeliveryReport: Sendable, Equatable {
    /// The partition the record went to.
    public let topicPartition: TopicPartition
    /// Its offset there.
    public let offset: Int64
}
