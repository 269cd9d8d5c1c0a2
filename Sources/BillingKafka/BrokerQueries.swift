import CRdKafka
import Logging

/// Blocking questions to the brokers, asked through any client handle. Each call waits up to its
/// timeout: call them on a dispatch queue of the handle's owner, never on the cooperative pool.
enum BrokerQueries {
    /// The first and next offset of a partition's log, as its leader reports them; nil when it does not
    /// answer in time.
    static func logBounds(_ rk: OpaquePointer, _ partition: TopicPartition, timeoutMilliseconds: Int32, logger: Logger) -> LogBounds? {
        var low: Int64 = -1
        var high: Int64 = -1
        let err = rd_kafka_query_watermark_offsets(rk, partition.topic, partition.partition, &low, &high, timeoutMilliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            logger.warning(
                "cannot read a partition's log bounds",
                metadata: ["kafka.partition": "\(partition)", "kafka.error": "\(String(cString: rd_kafka_err2name(err)))"])
            return nil
        }
        return LogBounds(start: low, end: high)
    }

    /// The cluster id, the partitions of `topics` and the committed offsets of the handle's group.
    ///
    /// - Throws: `KafkaError` of kind `.broker` when the brokers do not answer in time or a topic does
    ///   not exist.
    static func clusterFacts(_ rk: OpaquePointer, topics: [String], timeoutMilliseconds: Int32) throws -> ClusterFacts {
        var partitions: [TopicPartition] = []
        for topic in topics {
            guard let rkt = rd_kafka_topic_new(rk, topic, nil) else {
                throw KafkaError(kind: .broker, message: "cannot make a handle for topic \(topic)")
            }
            defer { rd_kafka_topic_destroy(rkt) }
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let err = rd_kafka_metadata(rk, 0, rkt, &metadata, timeoutMilliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                throw KafkaError(kind: .broker, responseCode: err, context: "no metadata for topic \(topic)")
            }
            defer { rd_kafka_metadata_destroy(metadata) }
            for entry in UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt)) {
                guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError(kind: .broker, responseCode: entry.err, context: "topic \(topic)")
                }
                for partition in UnsafeBufferPointer(start: entry.partitions, count: Int(entry.partition_cnt)) {
                    partitions.append(TopicPartition(topic: topic, partition: partition.id))
                }
            }
        }
        partitions.sort()
        var committed: [TopicPartition: Int64] = [:]
        if !partitions.isEmpty {
            let list = KafkaConsumer.makeList(partitions) { _ in Int64(RD_KAFKA_OFFSET_INVALID) }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_committed(rk, list, timeoutMilliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(kind: .broker, responseCode: err, context: "cannot read the group's committed offsets")
            }
            for element in UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)) where element.offset >= 0 {
                committed[TopicPartition(topic: String(cString: element.topic), partition: element.partition)] = element.offset
            }
        }
        var clusterID: String?
        if let id = rd_kafka_clusterid(rk, timeoutMilliseconds) {
            clusterID = String(cString: id)
            rd_kafka_mem_free(rk, id)
        }
        return ClusterFacts(clusterID: clusterID, partitions: partitions, committed: committed)
    }
}
