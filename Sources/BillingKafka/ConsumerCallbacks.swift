import CRdKafka

// The C callbacks of the consumer. They are file-scope functions, not closures, so they carry no actor
// isolation: a closure inferred main-actor isolated and called by librdkafka from its own thread
// dies with SIGILL, without a compiler warning. They find their
// `ConsumerContext` through the opaque pointer, unretained: the consumer keeps the context alive for
// longer than the handle. They run only inside poll and close calls on the consumer's dispatch queue.

func billingConsumerRebalance(
    _ rk: OpaquePointer?,
    _ err: rd_kafka_resp_err_t,
    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
    _ opaque: UnsafeMutableRawPointer?
) {
    guard let rk, let partitions, let opaque else { return }
    Unmanaged<ConsumerContext>.fromOpaque(opaque).takeUnretainedValue().handleRebalance(rk, err, partitions)
}

func billingConsumerError(_ rk: OpaquePointer?, _ err: Int32, _ reason: UnsafePointer<CChar>?, _ opaque: UnsafeMutableRawPointer?) {
    guard let rk, let opaque else { return }
    let text = reason.map { String(cString: $0) } ?? ""
    Unmanaged<ConsumerContext>.fromOpaque(opaque).takeUnretainedValue().handleError(rk, code: err, reason: text)
}

func billingConsumerLog(_ rk: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ text: UnsafePointer<CChar>?) {
    guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
    Unmanaged<ConsumerContext>.fromOpaque(opaque).takeUnretainedValue().handleLog(
        level: level,
        facility: facility.map { String(cString: $0) } ?? "",
        text: text.map { String(cString: $0) } ?? ""
    )
}
