import CRdKafka
import Logging

/// The one place that owns an `rd_kafka_t`.
///
/// librdkafka's API is thread-safe for everything we call from more than one thread (produce, pause,
/// resume, commit, metadata), so the pointer may cross threads. The calls that must not run
/// concurrently (consumer poll, consumer close) are serialised by their owners on one dispatch queue.
final class RDKafkaHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    private let destroyed = Latch()

    /// Creates a client from `conf`, which librdkafka then owns (also on failure we destroy it).
    init(type: rd_kafka_type_t, conf: OpaquePointer) throws {
        var errbuf = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(type, conf, &errbuf, errbuf.count) else {
            rd_kafka_conf_destroy(conf)
            let reason = errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw KafkaError(kind: .clientCreation, message: "could not create Kafka client: \(reason)")
        }
        pointer = rk
    }

    /// Destroys the client once; later calls do nothing. Blocks: call off the cooperative pool.
    func destroy() {
        guard destroyed.trip() else { return }
        rd_kafka_destroy(pointer)
    }

    /// The fatal error librdkafka has raised on this client, if any.
    func fatalError() -> KafkaError? {
        RDKafkaFatal.read(pointer)
    }
}

/// Maps a syslog level from librdkafka to a swift-log level.
func loggerLevel(syslog level: Int32) -> Logger.Level {
    switch level {
    case ...2: return .critical
    case 3: return .error
    case 4: return .warning
    case 5: return .notice
    case 6: return .info
    default: return .debug
    }
}
