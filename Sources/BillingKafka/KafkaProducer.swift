import CRdKafka
import Dispatch
import Foundation
import Logging
import Synchronization

/// An idempotent producer whose delivery reports come back as async results.
///
/// Delivery reports, logs and errors travel on librdkafka's main event queue, which one dedicated
/// thread of ours drains, so no Swift code runs on librdkafka's threads and nothing blocks the
/// cooperative thread pool. Each record carries a retained `DeliverySlot` as its opaque; the report
/// releases it and completes the caller's wait.
public final class KafkaProducer: Sendable {
    private let handle: RDKafkaHandle
    private let eventQueue: EventQueueBox
    private let logger: Logger
    private let stopping = Latch()
    private let closed = Latch()
    private let pollerDone = DispatchSemaphore(value: 0)
    private let fatal = Mutex<KafkaError?>(nil)
    var handleForQueries: RDKafkaHandle { handle }

    /// Creates the producer and starts the thread that drains its events.
    ///
    /// - Throws: `KafkaError` when a property is invalid or the client cannot be created.
    public init(configuration: KafkaProducerConfiguration, logger: Logger) throws {
        self.logger = logger
        let conf = try configuration.client.makeConf(typed: configuration.typedProperties)
        rd_kafka_conf_set_events(conf, RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_LOG | RD_KAFKA_EVENT_ERROR)
        handle = try RDKafkaHandle(type: RD_KAFKA_PRODUCER, conf: conf)
        rd_kafka_set_log_queue(handle.pointer, nil)
        eventQueue = EventQueueBox(rd_kafka_queue_get_main(handle.pointer)!)
        let thread = Thread { [self] in self.drainEvents() }
        thread.name = "billingd.kafka.producer-events"
        thread.start()
    }

    deinit {
        if !closed.isTripped {
            _ = stopping.trip()
            pollerDone.wait()
            rd_kafka_queue_destroy(eventQueue.pointer)
            handle.destroy()
        }
    }

    private func drainEvents() {
        while !stopping.isTripped {
            guard let event = rd_kafka_queue_poll(eventQueue.pointer, 100) else { continue }
            handle(event: event)
            rd_kafka_event_destroy(event)
        }
        pollerDone.signal()
    }

    private func handle(event: OpaquePointer) {
        switch rd_kafka_event_type(event) {
        case RD_KAFKA_EVENT_DR:
            while let message = rd_kafka_event_message_next(event) {
                guard let opaque = message.pointee._private else { continue }
                let slot = Unmanaged<DeliverySlot>.fromOpaque(opaque).takeRetainedValue()
                let m = message.pointee
                let topic = String(cString: rd_kafka_topic_name(m.rkt))
                if m.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    let report = DeliveryReport(topicPartition: TopicPartition(topic: topic, partition: m.partition), offset: m.offset)
                    slot.tracker.complete(index: slot.index, with: .success(report))
                } else {
                    let error = KafkaError(kind: .delivery, responseCode: m.err, context: "delivery to \(topic) failed")
                    slot.tracker.complete(index: slot.index, with: .failure(error))
                }
            }
        case RD_KAFKA_EVENT_LOG:
            var facility: UnsafePointer<CChar>?
            var text: UnsafePointer<CChar>?
            var level: Int32 = 0
            rd_kafka_event_log(event, &facility, &text, &level)
            logger.log(
                level: loggerLevel(syslog: level), "librdkafka",
                metadata: [
                    "kafka.facility": "\(facility.map { String(cString: $0) } ?? "")",
                    "kafka.log": "\(text.map { String(cString: $0) } ?? "")",
                ])
        case RD_KAFKA_EVENT_ERROR:
            let code = rd_kafka_event_error(event)
            let reason = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
            if rd_kafka_event_error_is_fatal(event) != 0 {
                let error = handle.fatalError() ?? KafkaError(kind: .broker, code: code.rawValue, message: reason, isFatal: true)
                fatal.withLock { $0 = error }
                logger.critical("fatal producer error", metadata: ["error": "\(error)"])
            } else {
                logger.warning("producer error", metadata: ["kafka.error": "\(String(cString: rd_kafka_err2name(code)))", "reason": "\(reason)"])
            }
        default:
            break
        }
    }

    /// Produces one record and waits for the broker's acknowledgement.
    ///
    /// - Throws: `KafkaError` of kind `.produce` when it cannot be enqueued, `.delivery` when the broker
    ///   does not acknowledge it in time, or `.closed` after `close()`.
    @discardableResult
    public func send(_ record: ProducerRecord) async throws -> DeliveryReport {
        try await sendAll([record])[0].get()
    }

    /// Enqueues every record, then waits for all their delivery reports; the results are in input order.
    ///
    /// A record that librdkafka refuses to enqueue (other than for a full queue, which waits) gets a
    /// failure result; the others are still sent. When the calling task is cancelled, the wait ends at
    /// once and every record without a report yet gets a failure result (it may still be delivered).
    ///
    /// - Throws: `KafkaError` of kind `.closed` after `close()`, or the client's fatal error.
    public func sendAll(_ records: [ProducerRecord]) async throws -> [Result<DeliveryReport, KafkaError>] {
        guard !stopping.isTripped else { throw KafkaError(kind: .closed, message: "producer is closed") }
        if let error = fatal.withLock({ $0 }) { throw error }
        let tracker = DeliveryTracker(count: records.count)
        for (index, record) in records.enumerated() {
            while true {
                let slot = Unmanaged.passRetained(DeliverySlot(tracker: tracker, index: index))
                let err = enqueue(record, opaque: slot.toOpaque())
                if err == RD_KAFKA_RESP_ERR_NO_ERROR { break }
                slot.release()
                if err == RD_KAFKA_RESP_ERR__QUEUE_FULL && !stopping.isTripped && !Task.isCancelled {
                    // The local queue is full: give the broker a moment to acknowledge what is in flight.
                    try? await Task.sleep(for: .milliseconds(2))
                    continue
                }
                tracker.complete(index: index, with: .failure(KafkaError(kind: .produce, responseCode: err, context: "cannot enqueue record for \(record.topic)")))
                break
            }
        }
        return await tracker.wait()
    }

    private func enqueue(_ record: ProducerRecord, opaque: UnsafeMutableRawPointer) -> rd_kafka_resp_err_t {
        var headers: OpaquePointer?
        if !record.headers.isEmpty {
            headers = rd_kafka_headers_new(record.headers.count)
            for header in record.headers {
                if let value = header.value {
                    value.withUnsafeBytes { _ = rd_kafka_header_add(headers, header.name, -1, $0.baseAddress, $0.count) }
                } else {
                    _ = rd_kafka_header_add(headers, header.name, -1, nil, 0)
                }
            }
        }
        let partition = record.partition ?? billing_partition_unassigned()
        let err = withOptionalBytes(record.key) { key in
            withOptionalBytes(record.value) { value in
                billing_produce(
                    handle.pointer, record.topic, partition,
                    key?.baseAddress, key?.count ?? 0,
                    value?.baseAddress, value?.count ?? 0,
                    headers, opaque)
            }
        }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR, let headers { rd_kafka_headers_destroy(headers) }
        return err
    }

    /// Waits until every enqueued record has been acknowledged, or the timeout passes.
    ///
    /// - Returns: `true` when nothing is left in flight.
    public func flush(timeout: Duration) async -> Bool {
        let handle = self.handle
        let ms = Int32(clamping: timeout.milliseconds)
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: rd_kafka_flush(handle.pointer, ms) == RD_KAFKA_RESP_ERR_NO_ERROR)
            }
        }
    }

    /// Flushes for at most `timeout`, fails whatever is still in flight, stops the event thread and
    /// destroys the client. Later calls do nothing.
    public func close(timeout: Duration = .seconds(5)) async {
        guard closed.trip() else { return }
        let flushed = await flush(timeout: timeout)
        if !flushed {
            logger.warning("producer closed with records in flight; they fail", metadata: ["kafka.in_flight": "\(rd_kafka_outq_len(handle.pointer))"])
            rd_kafka_purge(handle.pointer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
            _ = await flush(timeout: .milliseconds(500))
        }
        _ = stopping.trip()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.pollerDone.wait()
                // Serve what is left so every waiter gets an answer and every slot is released.
                while let event = rd_kafka_queue_poll(self.eventQueue.pointer, 0) {
                    self.handle(event: event)
                    rd_kafka_event_destroy(event)
                }
                rd_kafka_queue_destroy(self.eventQueue.pointer)
                self.handle.destroy()
                continuation.resume()
            }
        }
    }
}

/// The main event queue's handle; polled only by the producer's event thread.
final class EventQueueBox: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    if bytes.isEmpty {
        // An empty (not NULL) payload still needs a real address for librdkafka to tell it from NULL.
        return withUnsafeTemporaryAllocation(byteCount: 1, alignment: 1) { body(UnsafeRawBufferPointer(start: $0.baseAddress, count: 0)) }
    }
    return bytes.withUnsafeBytes { body($0) }
}

extension KafkaProducer {
    /// The low and high watermarks of a partition (oldest kept offset, next offset), asked of the broker.
    ///
    /// - Throws: `KafkaError` when the broker does not answer within `timeout`.
    public func watermarks(topic: String, partition: Int32, timeout: Duration = .seconds(10)) async throws -> (low: Int64, high: Int64) {
        let handle = self.handleForQueries
        let ms = Int32(clamping: timeout.milliseconds)
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var low: Int64 = 0
                var high: Int64 = 0
                let err = rd_kafka_query_watermark_offsets(handle.pointer, topic, partition, &low, &high, ms)
                if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    continuation.resume(returning: (low, high))
                } else {
                    continuation.resume(throwing: KafkaError(kind: .broker, responseCode: err, context: "cannot read watermarks of \(topic)[\(partition)]"))
                }
            }
        }
    }
}
